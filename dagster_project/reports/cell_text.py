"""Text for a spreadsheet cell a person will open in Excel or WPS: never a formula.

A value typed into a college's workbook (or stored in the marts) such as `=HYPERLINK("http://…")`,
`=cmd|' /C calc'!A0`, `+1+1`, `-2+3` or `@SUM(…)` is a formula to Excel when it opens a CSV, and
becomes one in an .xlsx as soon as someone edits the cell. Every export therefore writes such text
with a leading apostrophe, the usual way to say "this is text": a cell whose text begins with
= + - @, a tab or a carriage return. Numbers are written as numbers and are not touched. One rule
for every download and export: the 自助查询 and ranking downloads (downloads.py), the reject
list (rejects.py) and the result sheet (result_sheet.py).
"""

import polars as pl

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_START = r"^[=+\-@\t\r]"


def inert(text: str) -> str:
    """`text`, with an apostrophe in front when a spreadsheet would read it as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def inert_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """`frame` with `inert` applied to every text column (other columns unchanged)."""
    text = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    return frame.with_columns(
        pl.when(pl.col(name).str.contains(_FORMULA_START))
        .then(pl.lit("'") + pl.col(name))
        .otherwise(pl.col(name))
        .alias(name)
        for name in text
    )
