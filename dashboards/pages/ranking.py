"""排名: 二级党组织 (marts.college_scores) and 党支部 (marts.branch_scores) rankings for one period.

Select, filter and format only — every score, star, grade, tier and rank comes from the marts.
The 公示 view ("仅显示等次") lists names with stars and grade/tier, without any number.
"""

import polars as pl
import streamlit as st

from dashboards import charts
from dashboards.chart_view import altair_chart
from dashboards.downloads import table_download_button
from dashboards.frozen import frozen_banner
from dashboards.labels import (
    CHOOSE,
    CHOOSE_MANY,
    MAX_STARS,
    NO_VALUE,
    TOTAL_LABEL,
    UNGRADED,
    period_label,
    period_text,
    rank_change_arrow,
    star_string,
)
from dashboards.queries import query, rulebook
from dashboards.queries.ranking import (
    BRANCHES_SQL,
    CATEGORIES_SQL,
    COLLEGES_SQL,
    HAS_COLLEGE_ROWS_SQL,
    college_names_sql,
    periods_sql,
)
from dashboards.snapshot import current_scope, has_table
from dashboards.tables import FLAG_COLUMN, ROW_PX, fit_height, flag_expr
from dashboards.university import show_college_context, stars_and_grades_note

ALL_COLLEGES = "全部学院"
COLLEGE_TAB = "二级党组织排名"
BRANCH_TAB = "党支部排名"
GRADES_ONLY = "仅显示等次（用于公示）"
TAB_KEY = "ranking_tab"  # session state: the open tab's label
CHART_DEFAULT_TOP = 30  # branches drawn by default when there are more than this

STAR_TEXT = {n: star_string(n) for n in range(MAX_STARS + 1)}
SCORE_FORMAT = st.column_config.NumberColumn(format="%.2f")
DIMENSION_BAR = st.column_config.ProgressColumn(min_value=0, max_value=100, format="%.2f")


def _stars_text() -> pl.Expr:
    return pl.col("stars").replace_strict(STAR_TEXT, default=None, return_dtype=pl.String).alias("星级")


def _table_height(frame: pl.DataFrame, all_rows_up_to: int = 15) -> int | str:
    """Every row without an inner scroll bar up to `all_rows_up_to` rows, else a 560 px window (the
    branches: a university has some 150; the colleges always get fit_height)."""
    if frame.height <= 10:
        return "auto"
    return ROW_PX * (frame.height + 1) + 3 if frame.height <= all_rows_up_to else 560


# ---- 二级党组织 ------------------------------------------------------------------------------------


def college_section(period: str, college: str | None, grades_only: bool, has_colleges: bool) -> None:
    st.subheader(COLLEGE_TAB)
    colleges = query(COLLEGES_SQL, [period, college, college]) if has_colleges else pl.DataFrame()
    if colleges.is_empty():
        st.info(
            f"{period_text(period)}还没有二级党组织（五个到位）得分。请在左侧换一个考核期；"
            "若各学院台账已放进收件箱，运行 dangjian run 后再刷新本页。"
        )
        return

    year_end = colleges["grade"].null_count() < colleges.height  # grades exist only for Q4
    grades = rulebook.grades()
    if grades_only:
        _college_grades(colleges, period, year_end)
        return

    dimensions = {
        code: name
        for code, name in rulebook.dimensions("college").items()
        if colleges[code].null_count() < colleges.height
    }
    has_evaluation = colleges["evaluation_score"].null_count() < colleges.height
    # one college (a 学院 login, or one chosen on the left): its figures against the university's,
    # not a count or mean over its single row
    if current_scope() is None and college is None:
        mean_composite = colleges["composite"].mean()
        m1, m2, m3 = st.columns(3)
        m1.metric("二级党组织数", f"{colleges.height}")
        m2.metric("全校平均综合得分", NO_VALUE if mean_composite is None else f"{mean_composite:.2f}")
        if year_end:
            m3.metric(f"等次为「{grades[0]}」", f"{(colleges['grade'] == grades[0]).sum()}")
        else:
            m3.metric("★5 二级党组织", f"{(colleges['stars'] == MAX_STARS).sum()}")
    else:
        show_college_context(colleges.row(0, named=True), period, year_end)

    if dimensions:
        left, right = st.columns(2)
        altair_chart(charts.college_score_bar(colleges, dimensions, grades), left)
        altair_chart(charts.college_dimension_heatmap(colleges, dimensions), right)
    else:
        altair_chart(charts.college_score_bar(colleges, dimensions, grades))

    table = colleges.select(
        flag_expr(grades[-1] if year_end and grades else None),
        pl.col("rank").alias("排名"),
        pl.col("college_name").alias("二级党组织"),
        pl.col("rank_change")
        .map_elements(rank_change_arrow, return_dtype=pl.String, skip_nulls=False)
        .alias("名次变化"),
        pl.col("composite").alias("综合得分"),
        _stars_text(),
        *([pl.col("grade").fill_null(UNGRADED).alias("等次")] if year_end else []),
        pl.col("total").alias(TOTAL_LABEL),
        *([pl.col("evaluation_score").alias("述职评议得分")] if has_evaluation else []),
        *[pl.col(code).alias(name) for code, name in dimensions.items()],
        pl.col("veto").alias("一票否决"),
        pl.col("org_type").alias("类型"),
    )
    st.dataframe(
        table,
        hide_index=True,
        height=fit_height(table),
        column_config={
            FLAG_COLUMN: st.column_config.TextColumn(width="small", pinned=True),
            "排名": st.column_config.NumberColumn(format="%d", width="small", pinned=True),
            "二级党组织": st.column_config.TextColumn(width="medium", pinned=True),
            "名次变化": st.column_config.TextColumn(width="small", help="与上一考核期相比：↑上升、↓下降"),
            "综合得分": SCORE_FORMAT,
            TOTAL_LABEL: SCORE_FORMAT,
            "述职评议得分": SCORE_FORMAT,
            **{name: DIMENSION_BAR for name in dimensions.values()},
            "一票否决": st.column_config.CheckboxColumn(),
        },
    )
    notes = ["名次按综合得分排列；名次变化与上一考核期（Q1 对比上一年 Q4）相比，↑为上升、↓为下降。"]
    if year_end:
        notes.append(f"综合得分 = 0.8 × {TOTAL_LABEL} + 0.2 × 述职评议得分；等次为年终考核结果。")
    else:
        notes.append(f"第一至第三季度没有述职评议，综合得分即{TOTAL_LABEL}；等次在第四季度（年终考核）给出。")
    st.caption(" ".join(notes))
    st.info(stars_and_grades_note(), icon="ℹ️")
    vetoed = colleges.filter(pl.col("veto"))
    for row in vetoed.iter_rows(named=True):
        st.warning(f"一票否决：{row['college_name']} — {row['veto_detail'] or '（未填写事由）'}", icon="⚠️")
    table_download_button(table, f"{period}二级党组织排名", f"二级党组织排名_{period}.xlsx", "college_xlsx")


def _college_grades(colleges: pl.DataFrame, period: str, year_end: bool) -> None:
    grades = rulebook.grades()
    grade_order = {g: i for i, g in enumerate(grades)}
    ordered = colleges.with_columns(
        pl.col("grade").replace_strict(grade_order, default=len(grades), return_dtype=pl.Int64).alias("_g")
    ).sort(["_g", "stars", "college_code"], descending=[False, True, False], nulls_last=True)
    table = ordered.select(
        pl.col("college_name").alias("二级党组织"),
        pl.col("org_type").alias("类型"),
        _stars_text(),
        *([pl.col("grade").fill_null(UNGRADED).alias("等次")] if year_end else []),
    )
    st.caption(
        "公示版：按等次、星级排列，只列名称、星级"
        + ("和年终等次" if year_end else "")
        + "，不含分数和名次。"
        + ("" if year_end else "等次只在第4季度（年终考核）给出。")
    )
    st.dataframe(table, hide_index=True, height=fit_height(table))
    table_download_button(
        table, f"{period}二级党组织等次", f"二级党组织等次公示_{period}.xlsx", "college_grades_xlsx"
    )


# ---- 党支部 ---------------------------------------------------------------------------------------


def branch_section(period: str, college: str | None, categories: list[str], grades_only: bool) -> None:
    st.subheader(BRANCH_TAB)
    if not categories:
        st.info("请至少选择一个支部类别（左侧「支部类别」）。")
        return
    branches = query(BRANCHES_SQL, [period, categories, college, college])
    if branches.is_empty():
        st.info(
            f"{period_text(period)}没有符合条件的支部。请在左侧放宽学院或支部类别的筛选，或换一个考核期。"
        )
        return
    if grades_only:
        _branch_grades(branches, period)
        return

    # Dimensions the marts computed for these branches (a dimension not computed is NULL throughout).
    dimensions = {
        code: name
        for code, name in rulebook.dimensions("branch").items()
        if branches[code].null_count() < branches.height
    }

    mean_total = branches["total"].mean()
    own = "本院" if current_scope() is not None else ""  # a 学院 login's figures are over its branches only
    m1, m2, m3 = st.columns(3)
    m1.metric(f"{own}支部数", f"{branches.height}")
    m2.metric(
        f"{own}支部平均总分" if own else "平均总分", NO_VALUE if mean_total is None else f"{mean_total:.2f}"
    )
    m3.metric(f"{own}★5 支部数", f"{(branches['stars'] == MAX_STARS).sum()}")

    chart_rows = branches
    if branches.height > CHART_DEFAULT_TOP:
        top_n = st.slider(
            "图中显示前 N 名",
            min_value=10,
            max_value=branches.height,
            value=CHART_DEFAULT_TOP,
            step=5,
            key="top_n",
        )
        chart_rows = branches.head(top_n)

    if dimensions:
        left, right = st.columns(2)
        altair_chart(charts.branch_total_bar(chart_rows, dimensions), left)
        altair_chart(charts.dimension_heatmap(chart_rows, dimensions), right)
    else:
        altair_chart(charts.branch_total_bar(chart_rows, dimensions))

    table = branches.select(
        pl.col("rank_overall").alias("排名"),
        pl.col("rank_in_college").alias("院内排名"),
        pl.col("branch_name").alias("支部"),
        pl.col("college_name").alias("学院"),
        pl.col("branch_category").alias("类别"),
        pl.col("member_count").alias("党员数"),
        _stars_text(),
        pl.col("total").alias("总分"),
        *[pl.col(code).alias(name) for code, name in dimensions.items()],
        pl.col("tier").fill_null(UNGRADED).alias("晋位升级"),
        pl.col("veto").alias("一票否决"),
    )
    st.dataframe(
        table,
        hide_index=True,
        height=_table_height(table),
        column_config={
            "排名": st.column_config.NumberColumn(format="%d", width="small"),
            "院内排名": st.column_config.NumberColumn(format="%d", width="small"),
            "总分": SCORE_FORMAT,
            **{name: SCORE_FORMAT for name in dimensions.values()},
            "一票否决": st.column_config.CheckboxColumn(),
        },
    )
    st.caption("排名为全校排名（按七个有力总分）；晋位升级档次只在第4季度给出。")
    table_download_button(table, f"{period}支部排名", f"党支部排名_{period}.xlsx", "branch_xlsx")


def _branch_grades(branches: pl.DataFrame, period: str) -> None:
    tiers = rulebook.tiers()
    tier_order = {t: i for i, t in enumerate(tiers)}
    ordered = branches.with_columns(
        pl.col("tier").replace_strict(tier_order, default=len(tiers), return_dtype=pl.Int64).alias("_t")
    ).sort(["_t", "stars", "college_code", "branch_code"], descending=[False, True, False, False])
    has_tier = branches["tier"].null_count() < branches.height
    table = ordered.select(
        pl.col("branch_name").alias("支部"),
        pl.col("college_name").alias("学院"),
        pl.col("branch_category").alias("类别"),
        _stars_text(),
        *([pl.col("tier").fill_null(UNGRADED).alias("晋位升级")] if has_tier else []),
    )
    st.caption(
        "公示版：按晋位升级档次、星级排列，只列名称、星级"
        + ("和晋位升级档次" if has_tier else "")
        + "，不含分数和名次。"
        + ("" if has_tier else "晋位升级档次只在第4季度给出。")
    )
    st.dataframe(table, hide_index=True, height=_table_height(table))
    table_download_button(table, f"{period}支部星级", f"党支部星级公示_{period}.xlsx", "branch_grades_xlsx")


# ---- page -----------------------------------------------------------------------------------------

st.title("考核排名")

has_colleges = has_table("marts", "college_scores")
all_periods = query(periods_sql(has_colleges))
if all_periods.is_empty():
    st.info(
        "快照中还没有支部得分，也没有二级党组织得分。"
        "请把各学院的台账放进收件箱，运行 dangjian run 后再刷新本页。"
    )
    st.stop()

categories = query(CATEGORIES_SQL)["branch_category"].to_list()

# One name per college code: the latest year's.
colleges = query(college_names_sql(has_colleges))
college_names = dict(zip(colleges["college_code"], colleges["college_name"], strict=True))
years = list(dict.fromkeys(all_periods["year"].to_list()))

with st.sidebar:
    st.header("筛选")
    year = st.selectbox("年度", years, index=0, key="year", placeholder=CHOOSE)
    periods = all_periods.filter(pl.col("year") == year)["period"].to_list()
    period = st.selectbox(
        "考核期", periods, index=0, key="period", format_func=period_text, placeholder=CHOOSE
    )
    st.caption(period_label(period))
    college = st.selectbox(
        "学院",
        [None, *college_names],
        format_func=lambda code: ALL_COLLEGES if code is None else college_names[code],
        key="college",
        placeholder=CHOOSE,
    )
    selected_categories = st.multiselect(
        "支部类别",
        categories,
        default=categories,
        key="category",
        help="只用于党支部排名",
        placeholder=CHOOSE_MANY,
    )
    grades_only = st.toggle(
        GRADES_ONLY, key="grades_only", help="只列名称、星级和等次/晋位升级档次，不显示分数和名次，便于公示"
    )

frozen_banner(year)

has_college_rows = has_colleges and not query(HAS_COLLEGE_ROWS_SQL, [period]).is_empty()
# Only the open tab runs (a switch reruns the page): the other's queries, charts and table would be
# half of the page's run and of what the browser receives, for a tab the reader may never open.
college_tab, branch_tab = st.tabs(
    [COLLEGE_TAB, BRANCH_TAB],
    default=COLLEGE_TAB if has_college_rows else BRANCH_TAB,
    key=TAB_KEY,
    on_change="rerun",
)
if college_tab.open:
    with college_tab:
        college_section(period, college, grades_only, has_college_rows)
if branch_tab.open:
    with branch_tab:
        branch_section(period, college, selected_categories, grades_only)
