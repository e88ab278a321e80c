"""Writing a table to an Excel sheet, the one way every report does it (the reject list, the result
sheet): a header row (below a title row when given), one row per record, each value written as its
type — text always as text, through `cell_text.inert`, so nothing a college typed becomes a formula —,
columns as wide as their widest cell (a CJK character counts 2) up to a cap, the header frozen and
filtered. A report says how its cells look (`Styles`) and which columns wrap or are centred.

A workbook is written to a temporary file beside its target and renamed into place, so a reader of
the target never sees half a workbook.
"""

import datetime as dt
import io
import os
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from dagster_project.reports.cell_text import inert

YES, NO = "是", "否"
# Room for the autofilter button beside a header's text.
FILTER_BUTTON_WIDTH = 4
MIN_WIDTH = 8
DEFAULT_MAX_WIDTH = 24


@dataclass(frozen=True)
class Styles:
    """The formats of a sheet's cells, by what they hold."""

    header: Format
    text: Format
    wrap: Format
    center: Format
    blank: Format
    integer: Format
    decimal: Format
    datetime: Format | None = None
    title: Format | None = None


@dataclass(frozen=True)
class Layout:
    """Column caps (display characters) and the columns whose text wraps or is centred, by header."""

    max_width: dict[str, int] = field(default_factory=dict)
    wrapped: frozenset[str] = frozenset()
    centered: frozenset[str] = frozenset()


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def new_workbook(target: Path | io.BytesIO) -> xlsxwriter.Workbook:
    """A workbook that never turns a text into a formula, a link or a number."""
    return xlsxwriter.Workbook(
        target if isinstance(target, io.BytesIO) else str(target),
        {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False},
    )


def write_atomically(out: Path, write: Callable[[Path], None]) -> None:
    """`write(tmp)` a file beside `out`, then rename it to `out` (the parent is created if missing)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    try:
        write(tmp)
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)


def _write_cell(ws: Worksheet, r: int, c: int, value: Any, style: Format, styles: Styles) -> str:
    """Write one value as its type; returns the text it shows (for the column's width)."""
    if value is None:
        ws.write_blank(r, c, None, styles.blank)
        return ""
    if isinstance(value, bool):
        text = YES if value else NO
        ws.write_string(r, c, text, styles.center)
        return text
    if isinstance(value, int):
        ws.write_number(r, c, value, styles.integer)
        return str(value)
    if isinstance(value, float):
        ws.write_number(r, c, value, styles.decimal)
        return f"{value:.2f}"
    if isinstance(value, dt.datetime):
        ws.write_datetime(r, c, value, styles.datetime)
        return "0000-00-00 00:00:00"
    # Always a string: "0012" or a URL stays as typed, "=1+1" gets an apostrophe (cell_text).
    text = inert(str(value))
    ws.write_string(r, c, text, style)
    return text


def write_table(
    wb: xlsxwriter.Workbook,
    name: str,
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    styles: Styles,
    layout: Layout,
    title: str | None = None,
) -> Worksheet:
    """Sheet `name` holding `rows` under `headers` (below `title`, merged across the table, if given)."""
    ws = wb.add_worksheet(name)
    last_col = len(headers) - 1
    header_row = 0
    if title is not None:
        ws.merge_range(0, 0, 0, last_col, title, styles.title)
        ws.set_row(0, 30)
        header_row = 1
    widths = [display_width(h) for h in headers]
    for c, header in enumerate(headers):
        ws.write_string(header_row, c, header, styles.header)
    for r, row in enumerate(rows, start=header_row + 1):
        for c, value in enumerate(row):
            header = headers[c]
            style = (
                styles.wrap
                if header in layout.wrapped
                else styles.center
                if header in layout.centered
                else styles.text
            )
            text = _write_cell(ws, r, c, value, style, styles)
            widths[c] = max(widths[c], max((display_width(line) for line in text.split("\n")), default=0))
    for c, header in enumerate(headers):
        width = min(widths[c] + FILTER_BUTTON_WIDTH, layout.max_width.get(header, DEFAULT_MAX_WIDTH))
        ws.set_column(c, c, max(width, MIN_WIDTH), styles.wrap if header in layout.wrapped else None)
    ws.freeze_panes(header_row + 1, 0)
    ws.autofilter(header_row, 0, max(len(rows), 1) + header_row, last_col)
    return ws
