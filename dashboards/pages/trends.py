"""趋势: a college's scores across the quarterly periods, rank movement of all colleges, year-on-year
(Q4) comparison and the largest rank moves. Select, filter and format marts.college_scores and
marts.branch_scores only; rank differences between years are the two years' marts ranks subtracted.
"""

import polars as pl
import streamlit as st

from dashboards import charts, trend_charts
from dashboards.chart_view import altair_chart
from dashboards.frozen import frozen_years_note
from dashboards.labels import (
    CHOOSE,
    MAX_STARS,
    NO_VALUE,
    TOTAL_LABEL,
    UNGRADED,
    period_text,
    rank_change_arrow,
    star_string,
)
from dashboards.queries import query, rulebook
from dashboards.queries.benchmarks import BENCHMARKS_SQL, MEAN_TREND_SQL
from dashboards.queries.trends import (
    ALL_YEARLY_SQL,
    ANY_COLLEGE_SCORE_SQL,
    BRANCH_YEARLY_SQL,
    BRANCHES_SQL,
    COLLEGES_SQL,
    LATEST_SQL,
    PERIOD_MOVES_SQL,
    PERIODS_SQL,
    RANKS_SQL,
    TREND_SQL,
    YEAR_MOVES_SQL,
    YEARLY_SQL,
)
from dashboards.snapshot import current_scope, has_table

NO_BRANCH = "（不选支部）"
BASIS_PERIOD = "最近一期对比上一期"
BASIS_YEAR = "年终（第四季度）对比上一年"
MOVERS = 5  # rows in each of 进步最大 / 退步最大
SERIES_COMPOSITE = "综合得分"
SERIES_TOTAL = TOTAL_LABEL
SERIES_MEAN = "全校平均综合得分"
BRANCH_SERIES_PREFIX = "支部总分："
STAR_TEXT = {n: star_string(n) for n in range(MAX_STARS + 1)}
SCORE_FORMAT = st.column_config.NumberColumn(format="%.2f")
RANK_FORMAT = st.column_config.NumberColumn(format="%d", width="small")


def _stars_text() -> pl.Expr:
    return pl.col("stars").replace_strict(STAR_TEXT, default=None, return_dtype=pl.String).alias("星级")


def _arrow(column: str, alias: str) -> pl.Expr:
    return (
        pl.col(column).map_elements(rank_change_arrow, return_dtype=pl.String, skip_nulls=False).alias(alias)
    )


def _movers_table(moves: pl.DataFrame, up: bool) -> pl.DataFrame:
    chosen = moves.filter(pl.col("change") > 0 if up else pl.col("change") < 0).sort(
        ["change", "rank"], descending=[up, False]
    )
    return chosen.head(MOVERS).select(
        pl.col("college_name").alias("二级党组织"),
        pl.col("before_rank").alias("原名次"),
        pl.col("rank").alias("现名次"),
        _arrow("change", "名次变化"),
    )


def _show_movers(moves: pl.DataFrame, what: str) -> None:
    config = {"原名次": RANK_FORMAT, "现名次": RANK_FORMAT}
    up, down = st.columns(2)
    for column, title, is_up in ((up, "进步最大", True), (down, "退步最大", False)):
        with column:
            st.markdown(f"**{title}**")
            table = _movers_table(moves, is_up)
            if table.is_empty():
                st.info(f"{what}没有{'上升' if is_up else '下降'}的二级党组织。")
            else:
                st.dataframe(table, hide_index=True, column_config=config)


st.title("趋势")

if not has_table("marts", "college_scores") or query(ANY_COLLEGE_SCORE_SQL).is_empty():
    st.info(
        "快照中还没有二级党组织（五个到位）得分，无法画趋势。"
        "请把各学院的台账放进收件箱，运行 dangjian run 后再刷新本页。"
    )
    st.stop()

period_rows = query(PERIODS_SQL)
periods = period_rows["period"].to_list()
latest = periods[-1]
colleges = query(COLLEGES_SQL)
college_names = dict(zip(colleges["college_code"], colleges["college_name"], strict=True))

with st.sidebar:
    st.header("筛选")
    college = st.selectbox(
        "二级党组织",
        list(college_names),
        format_func=college_names.__getitem__,
        key="trend_college",
        placeholder=CHOOSE,
    )
    branches = query(
        BRANCHES_SQL,
        [college],
    )
    branch_names = dict(zip(branches["branch_code"], branches["branch_name"], strict=True))
    branch = st.selectbox(
        "党支部（可选）",
        [None, *branch_names],
        format_func=lambda code: NO_BRANCH if code is None else branch_names[code],
        key="trend_branch",
        placeholder=CHOOSE,
    )

name = college_names[college]
frozen_years_note()

# ---- 1. the college's (and branch's) scores across the periods ---------------------------------

st.subheader(f"{name} 得分走势")
latest_row = query(
    LATEST_SQL,
    [college, latest],
)
latest_text = period_text(latest)
latest_mean = query(BENCHMARKS_SQL, [latest]).filter(pl.col("measure") == "composite")["mean"]
m1, m2, m3, m4 = st.columns(4)
m1.metric("考核期数", f"{len(periods)}", help=f"{period_text(periods[0])}至{latest_text}")
if latest_row.is_empty():
    m2.metric(f"{latest_text}综合得分", NO_VALUE)
    m3.metric(f"{latest_text}全校排名", NO_VALUE)
else:
    row = latest_row.row(0, named=True)
    m2.metric(f"{latest_text}综合得分", f"{row['composite']:.2f}")
    change = row["rank_change"]
    m3.metric(
        f"{latest_text}全校排名",
        f"第 {row['rank']} 名",
        delta=None if change is None else ("名次不变" if change == 0 else f"{change:+d} 名"),
        delta_color="off" if not change else "normal",
        delta_arrow="off" if not change else "auto",
        delta_description=None if change is None else ("较上年年终" if row["year_end"] else "较上一考核期"),
    )
m4.metric(
    f"{latest_text}全校平均综合得分",
    NO_VALUE if latest_mean.is_empty() or latest_mean[0] is None else f"{latest_mean[0]:.2f}",
)

branch_series = None if branch is None else BRANCH_SERIES_PREFIX + branch_names[branch]
series_order = [SERIES_COMPOSITE, SERIES_TOTAL, SERIES_MEAN, *([branch_series] if branch_series else [])]
trend = pl.concat(
    [
        query(TREND_SQL, [SERIES_COMPOSITE, college, SERIES_TOTAL, college, branch_series, branch]),
        query(MEAN_TREND_SQL, [SERIES_MEAN]),
    ],
    how="vertical_relaxed",
)
altair_chart(trend_charts.score_trend_line(trend, periods, series_order))
st.caption(
    "每个考核期为当年1月起的累计（如第二季度 = 1–6 月），每年重新累计，所以折线在年与年之间断开；"
    f"第一至第三季度没有述职评议，综合得分等于{TOTAL_LABEL}，"
    f"第四季度综合得分 = 0.8 × {TOTAL_LABEL} + 0.2 × 述职评议得分。"
    "灰色点线为全校平均综合得分。"
)

# ---- 2. rank movement of all colleges ------------------------------------------------------------

st.subheader("排名走势")
ranks = query(RANKS_SQL)
latest_ranks = ranks.filter(pl.col("period") == latest).sort("rank")
count = latest_ranks.height
if count > 5:
    top_n = st.slider(
        f"显示{latest_text}全校排名前 N 的二级党组织（所选的总会显示）",
        min_value=5,
        max_value=count,
        value=min(count, 20),
        key="bump_top",
    )
else:
    top_n = count
shown = set(latest_ranks.head(top_n)["college_code"].to_list()) | {college}
altair_chart(
    charts.rank_bump(ranks.filter(pl.col("college_code").is_in(list(shown))), periods, highlight=college)
)
st.caption(
    "名次按综合得分排列，第1名在最上方；被一票否决的二级党组织排在最后。加粗的是左侧所选的二级党组织。"
)

# ---- 3. year-on-year (Q4 = the year's result) ---------------------------------------------------

st.subheader("年度对比（第四季度，即年终考核结果）")
yearly = query(YEARLY_SQL, [college])
if yearly.is_empty():
    st.info(f"{name} 还没有第四季度（年终考核）的结果；各年度第四季度的数据发布后这里会列出逐年对比。")
else:
    dimensions = {
        c: n for c, n in rulebook.dimensions("college").items() if yearly[c].null_count() < yearly.height
    }
    table = yearly.select(
        pl.col("year").cast(pl.String).alias("年度"),
        pl.col("rank").alias("全校排名"),
        _arrow("rank_vs_last_year", "较上一年"),
        pl.col("composite").alias("综合得分"),
        pl.col("total").alias(TOTAL_LABEL),
        pl.col("evaluation_score").alias("述职评议得分"),
        _stars_text(),
        pl.col("grade").fill_null(UNGRADED).alias("等次"),
        *[pl.col(code).alias(label) for code, label in dimensions.items()],
    )
    st.dataframe(
        table,
        hide_index=True,
        column_config={
            "全校排名": RANK_FORMAT,
            "综合得分": SCORE_FORMAT,
            TOTAL_LABEL: SCORE_FORMAT,
            "述职评议得分": SCORE_FORMAT,
            **{label: SCORE_FORMAT for label in dimensions.values()},
        },
    )

if branch is not None:
    branch_yearly = query(BRANCH_YEARLY_SQL, [branch])
    st.markdown(f"**{branch_names[branch]}（党支部）逐年结果**")
    if branch_yearly.is_empty():
        st.info("该支部还没有第四季度（年终考核）的结果。")
    else:
        st.dataframe(
            branch_yearly.select(
                pl.col("year").cast(pl.String).alias("年度"),
                pl.col("rank_overall").alias("全校排名"),
                pl.col("rank_in_college").alias("院内排名"),
                pl.col("total").alias("总分"),
                _stars_text(),
                pl.col("tier").fill_null(UNGRADED).alias("晋位升级"),
            ),
            hide_index=True,
            column_config={"全校排名": RANK_FORMAT, "院内排名": RANK_FORMAT, "总分": SCORE_FORMAT},
        )

# A 学院 login holds its own rows only: "all colleges" and "largest moves" would list itself alone.
scoped = current_scope() is not None
all_yearly = query(ALL_YEARLY_SQL)
# Built only when opened (the page reruns then): a folded table still costs the page's first load.
every_college = (
    st.expander("全部二级党组织逐年对比（第四季度）", key="trends_all_years", on_change="rerun")
    if not scoped and all_yearly["year"].n_unique() > 1
    else None
)
if every_college is not None and every_college.open:
    with every_college:
        years = sorted(all_yearly["year"].unique().to_list())
        wide = None
        for y in years:
            part = all_yearly.filter(pl.col("year") == y).select(
                "college_code",
                pl.col("college_name").alias(f"_name_{y}"),
                pl.col("rank").alias(f"{y} 名次"),
                pl.col("composite").alias(f"{y} 综合得分"),
                pl.col("grade").fill_null(UNGRADED).alias(f"{y} 等次"),
            )
            wide = part if wide is None else wide.join(part, on="college_code", how="full", coalesce=True)
        last = years[-1]
        names = pl.coalesce([pl.col(f"_name_{y}") for y in reversed(years)]).alias("二级党组织")
        wide = wide.sort(f"{last} 名次", nulls_last=True).select(
            names, *[c for c in wide.columns if not c.startswith("_name_") and c != "college_code"]
        )
        st.dataframe(
            wide,
            hide_index=True,
            column_config={
                **{f"{y} 名次": RANK_FORMAT for y in years},
                **{f"{y} 综合得分": SCORE_FORMAT for y in years},
            },
        )

# ---- 4. largest moves -----------------------------------------------------------------------------

if scoped:
    st.stop()
st.subheader("进步最大 / 退步最大")
basis = st.radio("对比方式", [BASIS_PERIOD, BASIS_YEAR], horizontal=True, key="movement_basis")
if basis == BASIS_PERIOD:
    if len(periods) < 2:
        st.info(f"只有{latest_text}一个考核期，还无法对比名次变化；下一期数据发布后再来查看。")
    else:
        before = periods[-2]
        st.caption(
            f"对比：{latest_text}与上一考核期{period_text(before)}的全校名次"
            "（名次变化 = 上期名次 − 本期名次）。"
        )
        _show_movers(query(PERIOD_MOVES_SQL, [latest]), f"{latest_text}较{period_text(before)}")
else:
    q4_years = sorted(period_rows.filter(pl.col("quarter") == 4)["year"].to_list())
    if len(q4_years) < 2:
        st.info("第四季度（年终考核）结果不足两年，还无法做年度对比；可改选「最近一期对比上一期」。")
    else:
        year, before_year = q4_years[-1], q4_years[-2]
        if before_year != year - 1:
            st.info(f"{year - 1} 年没有第四季度结果，无法与 {year} 年对比。")
        else:
            st.caption(f"对比：{year} 年与 {before_year} 年第四季度（年终考核）的全校名次。")
            _show_movers(query(YEAR_MOVES_SQL, [year]), f"{year} 年较 {before_year} 年")
