"""Table helpers shared by the pages: a height that shows every row, the mark of the rows a reader
must not miss (一票否决, the lowest grade), and the first rows of a long list."""

import polars as pl
import streamlit as st

ROW_PX = 35  # st.dataframe row height
VETO_MARK = "⛔ 一票否决"
FLAG_COLUMN = "提示"


def fit_height(frame: pl.DataFrame) -> int:
    """Pixels for every row of `frame` and its header, so the table has no inner scroll box."""
    return ROW_PX * (frame.height + 1) + 3


def flag_expr(lowest_grade: str | None) -> pl.Expr:
    """The 提示 column: 一票否决 first, else the lowest grade of the rulebook (rows need veto, grade)."""
    flagged = pl.when(pl.col("veto").fill_null(False)).then(pl.lit(VETO_MARK))
    if lowest_grade is not None:
        flagged = flagged.when(pl.col("grade") == lowest_grade).then(pl.lit(f"⚠ 等次为{lowest_grade}"))
    return flagged.otherwise(pl.lit("")).alias(FLAG_COLUMN)


UNIT_ENDINGS = ("（元）", "（%）")
UNIT_FORMAT = "%.2f"  # money and percentages: two decimals everywhere


def unit_formats(columns: list[str]) -> dict:
    """column_config for the columns whose header names a unit (金额（元）, 收缴率（%）): two decimals,
    so 12.5 and 12.50 are not shown side by side."""
    return {c: st.column_config.NumberColumn(format=UNIT_FORMAT) for c in columns if c.endswith(UNIT_ENDINGS)}


# A long list opens with its first rows: every row sent costs the browser time to decode and lay out
# before the page is complete (任务清单's 511 rows with their colours, 整改跟踪's 1,066 problems: ~0.1 s
# each on this machine's two cores, bench/README.md). Read at call time, so tests can lower it.
ROWS_SHOWN = 200


def first_rows(frame: pl.DataFrame, key: str, order: str) -> tuple[pl.DataFrame, str]:
    """The rows of a long list to show and the sentence that says so. Up to ROWS_SHOWN rows the list
    is whole and the sentence empty; beyond, a toggle 显示全部 (widget `key`) above the table shows
    every row, and until it is on, the table holds the first ROWS_SHOWN — `order` says which those
    are (e.g. "逾期的在前")."""
    if frame.height <= ROWS_SHOWN:
        return frame, ""
    if st.toggle(f"显示全部 {frame.height:,} 行", key=key, help="全部行较多时，页面打开会慢一些"):
        return frame, ""
    note = f"表中先列出前 {ROWS_SHOWN} 行（{order}），打开上方“显示全部”可看全部 {frame.height:,} 行。"
    return frame.head(ROWS_SHOWN), note
