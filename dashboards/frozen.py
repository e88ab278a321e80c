"""The notice on pages that show a frozen year's results (`dangjian freeze`).

A frozen year's rows in the marts are the results as published when it was frozen: the banner says
so and since when (marts.frozen_years), and an expander lists what a recomputation would change now
(marts.frozen_diff), with the reason. Snapshots published before freezing existed have neither table;
then nothing is shown. Select and format only.
"""

from datetime import datetime

import polars as pl
import streamlit as st

from dagster_project.serving import FROZEN_TABLES
from dashboards.queries import query, rulebook
from dashboards.queries.frozen import DIFF_SQL, FROZEN_SQL, FROZEN_YEARS_SQL
from dashboards.snapshot import has_table

# Chinese names of the result columns that frozen_diff can name besides the rulebook's dimensions
# (others are shown as they are).
COLUMN_LABELS: dict[str, str] = {
    "base_total": "加减分前总分",
    "bonus": "加分",
    "deduction": "扣分",
    "total": "总分",
    "evaluation_score": "述职评议得分",
    "composite": "综合得分",
    "stars": "星级",
    "grade": "等次",
    "tier": "晋位升级",
    "meets_hard_rules": "达到硬性规定",
    "veto": "一票否决",
    "veto_detail": "否决事由",
    "adjustment_detail": "加减分说明",
    "rank": "名次",
    "rank_change": "名次变化",
    "year_end_rank_change": "年终名次变化",
    "gap_to_rank_above": "与上一名次相差",
    "next_grade": "上一等次",
    "gap_to_next_grade": "距上一等次",
    "next_grade_quota_full": "上一等次名额已满",
    "rank_overall": "全校排名",
    "rank_in_college": "院内排名",
    "rank_in_category": "同类支部排名",
    "member_count": "党员数",
    "branch_count": "党支部数",
    "value": "实际值",
    "target": "目标值",
    "score": "指标得分",
    "weight": "权重",
    "detail": "预警说明",
    "flag_name": "预警项",
}


def frozen_at(year: int) -> datetime | None:
    """When `year` was frozen, or None when it is not (or the snapshot predates freezing)."""
    if not has_table("marts", "frozen_years"):
        return None
    return query(FROZEN_SQL, [int(year)])["frozen_at"][0]


def frozen_years_note() -> list[int]:
    """One line under a multi-year view naming the frozen years; returns them ([] when none)."""
    if not has_table("marts", "frozen_years"):
        return []
    years = query(FROZEN_YEARS_SQL)["year"].to_list()
    if years:
        st.caption(
            f"{'、'.join(str(y) for y in years)} 年度已冻结：显示的是冻结时发布的结果，"
            "冻结后的变化可在排名或年终考核页选择该年度查看。"
        )
    return years


def frozen_changes(year: int, college: str | None = None) -> pl.DataFrame:
    """frozen_diff's rows of `year` (of one college and its branches if `college` is given)."""
    if not (has_table("marts", "frozen_diff") and has_table("marts", "dim_org")):
        return pl.DataFrame()
    return query(DIFF_SQL, [int(year), college, college, college])


def frozen_banner(year: int, college: str | None = None) -> bool:
    """The banner for a frozen `year` and, when a recomputation would differ, the list of changes.

    `college` limits the list to that college and its branches. Returns whether `year` is frozen.
    """
    stamp = frozen_at(year)
    if stamp is None:
        return False
    st.info(f"{year} 年度结果已于 {stamp:%Y-%m-%d} 冻结，显示的是冻结时发布的结果", icon=":material/lock:")
    changes = frozen_changes(year, college)
    if changes.is_empty():
        return True
    with st.expander(f"查看冻结后的变化（{changes.height} 项）"):
        reasons = changes["reason"].unique(maintain_order=True).to_list()
        st.caption(
            "如果现在重新计算，下列结果会不同；冻结的结果保持不变。"
            + ("原因：" + reasons[0] if len(reasons) == 1 else "")
        )
        table = changes.select(
            pl.col("table_name").replace_strict(FROZEN_TABLES, default=pl.col("table_name")).alias("结果表"),
            pl.col("period").alias("考核期"),
            pl.col("org_name").alias("组织"),
            pl.col("row_key").alias("键"),
            pl.col("column_name")
            .replace_strict(column_labels(), default=pl.col("column_name"))
            .fill_null("整行")
            .alias("项目"),
            pl.col("change").alias("变化"),
            pl.col("frozen_value").alias("冻结的值"),
            pl.col("current_value").alias("现在计算的值"),
            *([pl.col("reason").alias("原因")] if len(reasons) > 1 else []),
        )
        st.dataframe(table, hide_index=True, height="auto" if table.height <= 15 else 480)
    return True


def column_labels() -> dict[str, str]:
    """Chinese names of the result columns: the rulebook's dimensions ("B1 教育党员有力"), then the rest."""
    dimensions = {**rulebook.dimensions("branch"), **rulebook.dimensions("college")}
    return {**{code: f"{code.upper()} {name}" for code, name in dimensions.items()}, **COLUMN_LABELS}
