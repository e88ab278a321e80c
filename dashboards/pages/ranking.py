"""排名: 党支部 ranking for one period, from marts.branch_scores (select, filter, format — no scoring)."""

import io

import polars as pl
import streamlit as st

from dashboards import charts
from dashboards.data import query
from dashboards.labels import BRANCH_CATEGORIES, BRANCH_DIMENSIONS, MAX_STARS, star_string

ALL_COLLEGES = "全部学院"
CHART_DEFAULT_TOP = 30  # branches drawn by default when there are more than this
DIMENSION_COLUMNS = list(BRANCH_DIMENSIONS)

# Numbers are cast to DOUBLE/BIGINT here: DECIMAL/HUGEINT would plot at the wrong scale.
BRANCHES_SQL = f"""
select
    rank_overall::BIGINT     as rank_overall,
    rank_in_college::BIGINT  as rank_in_college,
    branch_code, branch_name, college_code, college_name, branch_category,
    member_count::BIGINT     as member_count,
    {", ".join(f"{c}::DOUBLE as {c}" for c in DIMENSION_COLUMNS)},
    total::DOUBLE            as total,
    stars::BIGINT            as stars,
    tier, veto
from marts.branch_scores
where period = ?
  and list_contains(?, branch_category)
  and (?::VARCHAR is null or college_code = ?)
order by rank_overall nulls last, branch_code
"""

st.title("党支部排名")

periods = query(
    "select distinct period, year, quarter from marts.branch_scores order by year desc, quarter desc"
)["period"].to_list()
if not periods:
    st.info("快照中还没有支部得分。")
    st.stop()

found_categories = query(
    "select distinct branch_category from marts.branch_scores where branch_category is not null"
)["branch_category"].to_list()
categories = [c for c in BRANCH_CATEGORIES if c in found_categories]
categories += sorted(set(found_categories) - set(categories))

colleges = query("select distinct college_code, college_name from marts.branch_scores order by college_code")
college_names = dict(zip(colleges["college_code"], colleges["college_name"], strict=True))

with st.sidebar:
    st.header("筛选")
    period = st.selectbox("考核期", periods, index=0, key="period")
    selected_categories = st.multiselect("支部类别", categories, default=categories, key="category")
    college = st.selectbox(
        "学院",
        [None, *college_names],
        format_func=lambda code: ALL_COLLEGES if code is None else college_names[code],
        key="college",
    )

if not selected_categories:
    st.info("请至少选择一个支部类别。")
    st.stop()

branches = query(BRANCHES_SQL, [period, selected_categories, college, college])
if branches.is_empty():
    st.info(f"{period} 没有符合条件的支部。")
    st.stop()

# Dimensions the marts computed for these branches (a dimension not computed is NULL throughout).
dimensions = {
    code: name for code, name in BRANCH_DIMENSIONS.items() if branches[code].null_count() < branches.height
}

mean_total = branches["total"].mean()
m1, m2, m3 = st.columns(3)
m1.metric("支部数", f"{branches.height}")
m2.metric("平均总分", "—" if mean_total is None else f"{mean_total:.2f}")
m3.metric("★5 支部数", f"{(branches['stars'] == MAX_STARS).sum()}")

st.subheader("总分排名")
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
    left.altair_chart(charts.branch_total_bar(chart_rows, dimensions), width="stretch")
    right.altair_chart(charts.dimension_heatmap(chart_rows, dimensions), width="stretch")
else:
    st.altair_chart(charts.branch_total_bar(chart_rows, dimensions), width="stretch")

st.subheader("支部得分明细")
table = branches.select(
    pl.col("rank_overall").alias("排名"),
    pl.col("rank_in_college").alias("院内排名"),
    pl.col("branch_name").alias("支部"),
    pl.col("college_name").alias("学院"),
    pl.col("branch_category").alias("类别"),
    pl.col("member_count").alias("党员数"),
    pl.col("stars")
    .replace_strict({n: star_string(n) for n in range(MAX_STARS + 1)}, default=None, return_dtype=pl.String)
    .alias("星级"),
    pl.col("total").alias("总分"),
    *[pl.col(code).alias(name) for code, name in dimensions.items()],
    pl.col("tier").fill_null("—").alias("晋位升级"),
    pl.col("veto").alias("一票否决"),
)
score_format = st.column_config.NumberColumn(format="%.2f")
st.dataframe(
    table,
    hide_index=True,
    height="auto" if table.height <= 15 else 560,
    column_config={
        "排名": st.column_config.NumberColumn(format="%d", width="small"),
        "院内排名": st.column_config.NumberColumn(format="%d", width="small"),
        "总分": score_format,
        **{name: score_format for name in dimensions.values()},
        "一票否决": st.column_config.CheckboxColumn(),
    },
)


def _xlsx() -> bytes:
    buffer = io.BytesIO()
    table.write_excel(buffer, worksheet=f"{period}支部排名", autofit=True)
    return buffer.getvalue()


st.download_button(
    "下载 Excel",
    data=_xlsx,
    file_name=f"党支部排名_{period}.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    on_click="ignore",
    icon=":material/download:",
)
