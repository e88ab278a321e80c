"""Workbooks exported from the published snapshot for people to act on.

`write_rejects_workbook` is the list of rejects sent back to a college (SPEC §7 数据质量, §8
`dangjian rejects`): one row per problem with the file, sheet, Excel row number, column, raw value
and the reason, plus the whole rejected row so the secretary can find it without opening the file.

Only the published `serving.duckdb` is read (short-lived, read-only, every query parameterised);
this module formats what `marts.rejects` and `marts.load_summary` hold and computes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import xlsxwriter

from dagster_project.cell_text import inert
from dagster_project.contracts import KINDS

REJECTS_SHEET = "退回清单"
QUALITY_SHEET = "数据质量"

REJECT_HEADERS = ("文件", "工作表", "行号", "列", "原始值", "原因", "整行内容")
QUALITY_HEADERS = ("文件", "表格类型", "读取行数", "入库行数", "拒收行数", "入库时间", "问题")

WHOLE_FILE = "整个文件"
WHOLE_SHEET = "整张工作表"
ROW_VALUE_SEPARATOR = "；"
KIND_SEPARATOR = "、"

# Display width cap per column (characters; a CJK character counts 2).
_MAX_WIDTH = {"文件": 40, "工作表": 24, "原始值": 30, "原因": 40, "整行内容": 60, "表格类型": 40, "问题": 50}
_WRAPPED = {"原因", "整行内容", "问题"}


@dataclass(frozen=True)
class RejectsExport:
    """What `write_rejects_workbook` wrote: the workbook, the files listed and the reject rows."""

    path: Path
    files: int
    rejects: int


def write_rejects_workbook(serving_db: Path, out: Path, source_file: str | None = None) -> RejectsExport:
    """Write the rejects of one file (or of all files) to `out` as an .xlsx in Chinese.

    Sheets: 退回清单 (one row per reject, whole-file problems first for each file) and 数据质量
    (one row per file from `marts.load_summary`). Raises `ValueError` for an unknown `source_file`
    and `FileNotFoundError` when there is no published snapshot.
    """
    serving_db = Path(serving_db)
    if not serving_db.exists():
        raise FileNotFoundError(f"未找到已发布的数据快照：{serving_db}（请先运行 dangjian run）")
    with duckdb.connect(str(serving_db), read_only=True) as con:
        return write_rejects_workbook_from(con, out, source_file)


def write_rejects_workbook_from(
    con: duckdb.DuckDBPyConnection, out: Path, source_file: str | None = None
) -> RejectsExport:
    """`write_rejects_workbook` from an open connection whose `marts` is a snapshot's (or the part of
    one a dashboard viewer may see: dashboards/data.py)."""
    out = Path(out)
    if source_file is not None:
        known = _known_files(con)
        if source_file not in known:
            listed = KIND_SEPARATOR.join(known) if known else "（暂无）"
            raise ValueError(f"未找到文件「{source_file}」。已入库的文件：{listed}")
    rejects = _rejects(con, source_file)
    summary = _load_summary(con, source_file)

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    try:
        _write_workbook(tmp, rejects, summary)
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return RejectsExport(path=out, files=summary.height, rejects=rejects.height)


# --- reading -----------------------------------------------------------------------------------


def _known_files(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(
        "select source_file from marts.load_summary where source_file is not null "
        "union select source_file from marts.rejects where source_file is not null order by 1"
    ).fetchall()
    return [r[0] for r in rows]


def _has_column(con: duckdb.DuckDBPyConnection, table: str, column: str) -> bool:
    # fetchall, not fetchone: under DuckDB 2.0 an undrained execute() result blocks the connection.
    rows = con.execute(
        "select count(*) from information_schema.columns "
        "where table_schema = ? and table_name = ? and column_name = ?",
        ["marts", table, column],
    ).fetchall()
    return bool(rows[0][0])


def _rejects(con: duckdb.DuckDBPyConnection, source_file: str | None) -> pl.DataFrame:
    # Snapshots published before `row_values` existed still export, without the 整行内容 text.
    row_values = "row_values" if _has_column(con, "rejects", "row_values") else "null::varchar"
    return con.sql(
        f"""
        select source_file, sheet, row_number, column_name, raw_value, reason,
               {row_values} as row_values
        from marts.rejects
        where ?::varchar is null or source_file = ?::varchar
        order by source_file, row_number is not null, sheet nulls first, row_number,
                 column_name nulls first, reason
        """,
        params=[source_file, source_file],
    ).pl()


def _load_summary(con: duckdb.DuckDBPyConnection, source_file: str | None) -> pl.DataFrame:
    return con.sql(
        """
        select source_file, kinds, rows_read, rows_loaded, rows_rejected, loaded_at, problem
        from marts.load_summary
        where ?::varchar is null or source_file = ?::varchar
        order by source_file
        """,
        params=[source_file, source_file],
    ).pl()


# --- formatting --------------------------------------------------------------------------------


def row_values_text(row_values: str | None) -> str:
    """`{"姓名": "张三", "入党日期": "2030-01-01"}` -> `姓名=张三；入党日期=2030-01-01` (blanks left out)."""
    if row_values is None or not row_values.strip():
        return ""
    try:
        values = json.loads(row_values)
    except ValueError:
        return row_values
    if not isinstance(values, dict):
        return row_values
    parts = []
    for header, value in values.items():
        text = _value_text(value)
        if text:
            parts.append(f"{header}={text}")
    return ROW_VALUE_SEPARATOR.join(parts)


def _value_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value).strip()


def kinds_text(kinds: str | None) -> str:
    """`members,training` -> `党员花名册、学习培训台账`; an unknown kind is shown as written."""
    if not kinds:
        return ""
    names = [k.strip() for k in kinds.split(",") if k.strip()]
    return KIND_SEPARATOR.join(KINDS[k].title if k in KINDS else k for k in names)


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


# --- writing -----------------------------------------------------------------------------------


def _write_workbook(path: Path, rejects: pl.DataFrame, summary: pl.DataFrame) -> None:
    reject_rows: list[list[Any]] = [
        [
            r["source_file"] or "",
            r["sheet"] or "",
            r["row_number"] if r["row_number"] is not None else (WHOLE_SHEET if r["sheet"] else WHOLE_FILE),
            r["column_name"] or "",
            r["raw_value"] or "",
            r["reason"] or "",
            row_values_text(r["row_values"]),
        ]
        for r in rejects.iter_rows(named=True)
    ]
    quality_rows: list[list[Any]] = [
        [
            r["source_file"] or "",
            kinds_text(r["kinds"]),
            r["rows_read"],
            r["rows_loaded"],
            r["rows_rejected"],
            r["loaded_at"],
            r["problem"] or "",
        ]
        for r in summary.iter_rows(named=True)
    ]

    wb = xlsxwriter.Workbook(str(path))
    try:
        fmt = {
            "header": wb.add_format(
                {"bold": True, "bg_color": "#F2DCDB", "border": 1, "valign": "vcenter", "text_wrap": True}
            ),
            "text": wb.add_format({"valign": "top"}),
            "wrap": wb.add_format({"valign": "top", "text_wrap": True}),
            "int": wb.add_format({"valign": "top", "num_format": "0"}),
            "datetime": wb.add_format({"valign": "top", "num_format": "yyyy-mm-dd hh:mm:ss"}),
            "warn": wb.add_format({"font_color": "#9C0006", "bg_color": "#FFC7CE"}),
        }
        rejects_ws = _write_sheet(wb, REJECTS_SHEET, REJECT_HEADERS, reject_rows, fmt)
        quality_ws = _write_sheet(wb, QUALITY_SHEET, QUALITY_HEADERS, quality_rows, fmt)
        if quality_rows:  # files with rejected rows stand out
            last = len(quality_rows)
            quality_ws.conditional_format(
                1, 4, last, 4, {"type": "cell", "criteria": ">", "value": 0, "format": fmt["warn"]}
            )
        rejects_ws.activate()
    finally:
        wb.close()


def _write_sheet(
    wb: xlsxwriter.Workbook,
    name: str,
    headers: tuple[str, ...],
    rows: list[list[Any]],
    fmt: dict[str, Any],
) -> Any:
    ws = wb.add_worksheet(name)
    widths = [_display_width(h) for h in headers]
    for c, header in enumerate(headers):
        ws.write_string(0, c, header, fmt["header"])
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            header = headers[c]
            if value is None:
                ws.write_blank(r, c, None, fmt["text"])
                text = ""
            elif isinstance(value, bool):
                ws.write_string(r, c, "是" if value else "否", fmt["text"])
                text = "否"
            elif isinstance(value, int | float):
                ws.write_number(r, c, value, fmt["int"])
                text = str(value)
            elif isinstance(value, dt.datetime):
                ws.write_datetime(r, c, value, fmt["datetime"])
                text = "0000-00-00 00:00:00"
            else:
                # Always a string: "0012" or a URL stays as typed, "=1+1" gets an apostrophe (cell_text).
                text = inert(str(value))
                ws.write_string(r, c, text, fmt["wrap"] if header in _WRAPPED else fmt["text"])
            widths[c] = max(widths[c], max((_display_width(line) for line in text.split("\n")), default=0))
    for c, header in enumerate(headers):
        width = min(widths[c] + 2, _MAX_WIDTH.get(header, 24))
        ws.set_column(c, c, max(width, 8), fmt["wrap"] if header in _WRAPPED else None)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(len(rows), 1), len(headers) - 1)
    return ws
