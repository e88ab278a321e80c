"""Table helpers shared by the pages: a height that shows every row, and the mark of the rows a
reader must not miss (一票否决, the lowest grade)."""

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
