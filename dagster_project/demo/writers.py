"""Writing a book: one .xlsx workbook (title, blank row, header, data, footer) or one CSV or
Parquet file per sheet, the same rows in every format."""

from __future__ import annotations

import hashlib
import random
from datetime import date, datetime
from pathlib import Path

import numpy as np
import polars as pl
import xlsxwriter

from dagster_project.contracts import KINDS
from dagster_project.demo.model import Book, Messy, MessyRow, Sheet

CREATED = datetime(2026, 1, 1, 8, 0, 0)  # workbook "created" property: fixed, so files are byte-identical
HEADER_ROW = 3  # Excel row of the header (title, blank, header)
FIRST_DATA_ROW = HEADER_ROW + 1
TEXT_DATE_RATE = 0.003  # share of date cells written as text in another spelling (all valid)

_EXCEL_EPOCH = date(1899, 12, 30)


def _date_text(d: date, style: int) -> str:
    if style == 0:
        return f"{d.year}.{d.month:02d}.{d.day:02d}"
    if style == 1:
        return f"{d.year}/{d.month}/{d.day}"
    if style == 2:
        return f"{d.year}年{d.month}月{d.day}日"
    return f"{d:%Y%m%d}"


def write_book(path: Path, book: Book, counts: dict[str, int]) -> list[MessyRow]:
    text_rng = random.Random(book.seed_tag)
    wb = xlsxwriter.Workbook(str(path), {"in_memory": True})
    wb.set_properties(
        {
            "title": book.title,
            "author": "华章大学党委组织部",
            "company": "华章大学",
            "comments": "党建考核演示数据（自动生成）",
            "created": CREATED,
        }
    )
    title_fmt = wb.add_format({"bold": True, "font_size": 14, "align": "center"})
    header_fmt = wb.add_format({"bold": True, "bg_color": "#F2DCDB", "border": 1, "align": "center"})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    messy: list[MessyRow] = []
    for sheet in book.sheets:
        spec = KINDS[sheet.kind]
        ws = wb.add_worksheet(spec.title)
        cols = spec.columns
        for j, c in enumerate(cols):
            width = {"date": 12, "code": 13, "idcard": 21, "int": 9, "float": 10, "bool": 10}.get(c.type, 14)
            if c.name in ("org_name", "course", "topic", "task", "reason", "basis", "purpose", "task_source"):
                width = 30
            ws.set_column(j, j, max(width, len(c.header) * 2 + 2))
        ws.merge_range(0, 0, 0, len(cols) - 1, sheet.title, title_fmt)
        for j, c in enumerate(cols):
            ws.write_string(HEADER_ROW - 1, j, c.header, header_fmt)
        ws.freeze_panes(HEADER_ROW, 0)
        names = [c.name for c in cols]
        is_date = [c.type == "date" for c in cols]
        r = HEADER_ROW
        for item in sheet.rows:
            bad_col = None
            if isinstance(item, Messy):
                values, bad_col = item.values, item.column
                messy.append(
                    MessyRow(path.name, spec.title, r + 1, spec.column(bad_col).header, item.raw, item.reason)
                )
            else:
                values = item
            for j, name in enumerate(names):
                if name == bad_col:
                    if item.raw:
                        ws.write_string(r, j, item.raw)
                    continue
                v = values.get(name)
                if v is None:
                    continue
                if isinstance(v, str):
                    ws.write_string(r, j, v)
                elif isinstance(v, date):
                    if is_date[j] and text_rng.random() < TEXT_DATE_RATE:
                        ws.write_string(r, j, _date_text(v, text_rng.randrange(4)))
                    else:
                        ws.write_number(r, j, (v - _EXCEL_EPOCH).days, date_fmt)
                else:
                    ws.write_number(r, j, v)
            r += 1
        counts[sheet.kind] += len(sheet.rows)
        ws.write_string(r, 0, f"填表人：{sheet.filler}  审核人：{sheet.auditor}")
    wb.close()
    return messy


def _table_rng(seed_tag: str, kind: str) -> np.random.Generator:
    digest = hashlib.sha512(f"{seed_tag}:{kind}:text-dates".encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:16], "big"))


def write_table(path: Path, sheet: Sheet, seed_tag: str, counts: dict[str, int]) -> list[MessyRow]:
    """One sheet as a CSV (the sheet's rows, title to footer) or a Parquet file (headers as column
    names). Columns are built whole: a Python pass picks the values, polars types and writes them."""
    spec = KINDS[sheet.kind]
    as_csv = path.suffix == ".csv"
    plain = [r.values if isinstance(r, Messy) else r for r in sheet.rows]
    bad = {i: r for i, r in enumerate(sheet.rows) if isinstance(r, Messy)}
    rng = _table_rng(seed_tag, sheet.kind)
    data = []
    for c in spec.columns:
        values = [r.get(c.name) for r in plain]
        if c.type == "deadline":  # a date or words: text, dates as a spreadsheet shows them
            values = [v.isoformat() if isinstance(v, date) else v for v in values]
        if c.type == "date":
            column = pl.Series(c.header, values, dtype=pl.Date)
        elif c.type in ("int", "float"):
            column = pl.Series(c.header, values, dtype=pl.Float64)
        else:
            column = pl.Series(c.header, values, dtype=pl.String)
        messy = {i: (r.raw or None) for i, r in bad.items() if r.column == c.name}
        if as_csv or messy:  # text: all of a CSV, and a Parquet column holding a messy text
            column = _as_text(column, rng if as_csv else None)
            if messy:
                column = column.scatter(list(messy), list(messy.values()))
        elif c.type == "int":
            column = column.cast(pl.Int64)
        data.append(column)
    frame = pl.DataFrame(data)
    if as_csv:
        text = {name: pl.String for name in frame.columns}

        def line(*cells: str | None) -> pl.DataFrame:
            return pl.DataFrame([[*cells, *[None] * (frame.width - len(cells))]], schema=text, orient="row")

        footer = f"填表人：{sheet.filler}  审核人：{sheet.auditor}"
        rows = pl.concat([line(sheet.title), line(), line(*frame.columns), frame, line(footer)])
        rows.write_csv(path, include_header=False, include_bom=True)  # the BOM tells Excel it is UTF-8
    else:
        frame.write_parquet(path, compression="zstd")
    counts[sheet.kind] += len(sheet.rows)
    first_row = FIRST_DATA_ROW if as_csv else 2  # the row the reader reports for the first data row
    return [
        MessyRow(path.name, path.stem, first_row + i, spec.column(r.column).header, r.raw, r.reason)
        for i, r in bad.items()
    ]


def _as_text(column: pl.Series, rng: np.random.Generator | None) -> pl.Series:
    """A column as the text a spreadsheet saves: numbers without a trailing .0, dates ISO, and with
    `rng` a few dates (TEXT_DATE_RATE) in another spelling."""
    if column.dtype == pl.Float64:
        whole = column == column.round(0)
        return (
            pl.select(
                pl.when(whole)
                .then(column.cast(pl.Int64, strict=False).cast(pl.String))
                .otherwise(column.cast(pl.String))
            )
            .to_series()
            .alias(column.name)
        )
    if column.dtype != pl.Date:
        return column
    text = column.dt.strftime("%Y-%m-%d")
    if rng is not None:
        picked = np.flatnonzero(rng.random(len(column)) < TEXT_DATE_RATE).tolist()
        picked = [i for i in picked if column[i] is not None]
        if picked:
            styles = rng.integers(0, 4, len(picked)).tolist()
            dates = column.gather(picked).to_list()
            text = text.scatter(picked, [_date_text(d, s) for d, s in zip(dates, styles, strict=True)])
    return text
