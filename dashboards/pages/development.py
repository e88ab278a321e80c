"""党员队伍: the 发展党员 pipeline of one period (stage counts, a funnel, students and staff, entries this
year), the audit's findings with filters and an .xlsx download (the 组织员's list), the 党费 arrears and
the yearly 党费收缴使用情况 — select, filter, format; the rules are in dbt and seeds/rule_development.csv.
People appear by 工号/学号: the published snapshot holds no names."""

import altair as alt
import polars as pl
import streamlit as st

from dashboards.chart_view import altair_chart
from dashboards.downloads import table_download_button, with_names
from dashboards.labels import CHOOSE, CHOOSE_MANY
from dashboards.queries import query
from dashboards.queries.development import (
    ARREARS_SQL,
    BRANCH_PIPELINE_SQL,
    COLLEGES_SQL,
    DUES_REPORT_SQL,
    FINDINGS_SQL,
    PERIODS_SQL,
    RULES_SQL,
    STAGES_SQL,
)
from dashboards.snapshot import has_table
from dashboards.tables import unit_formats

ALL_COLLEGES = "全部二级党组织"


def with_member_names(frame: pl.DataFrame, scope: str | None) -> pl.DataFrame:
    """A download's table of people with their names, for the viewer's scope (both lists here)."""
    return with_names(frame, scope, key="工号/学号", college="college_code")


st.title("党员队伍")

if not has_table("marts", "development_records"):
    st.info("快照中还没有发展党员的数据。请运行 dangjian run 后刷新本页。")
    st.stop()
periods = query(PERIODS_SQL)["period"].to_list()

with st.sidebar:
    st.header("筛选")
    period = st.selectbox(
        "考核期", periods, index=0, key="dev_period", help="阶段与审核问题都按期末判断", placeholder=CHOOSE
    )

if period is None:
    st.info("快照中还没有发展党员台账。请各学院把发展党员台账放进收件箱后运行 dangjian run，再刷新本页。")
    st.stop()
year = int(period[:4])
colleges = query(COLLEGES_SQL, [period])
college_names = {
    None: ALL_COLLEGES,
    **dict(zip(colleges["college_code"], colleges["college_name"], strict=True)),
}
with st.sidebar:
    college = st.selectbox(
        "二级党组织",
        list(college_names),
        format_func=college_names.__getitem__,
        key="dev_college",
        placeholder=CHOOSE,
    )
scope = [college, college]

# --- the pipeline ---------------------------------------------------------------------------------
st.subheader(f"发展党员队伍 · {college_names[college]} · {period}")
stages = query(STAGES_SQL, [period, *scope])
if stages.is_empty():
    st.info("所选范围在本期没有发展党员台账上的人。")
else:
    columns = st.columns(stages.height)
    for column, row in zip(columns, stages.iter_rows(named=True), strict=True):
        column.metric(row["stage"], f"{row['people']}", help=f"年内进入该阶段 {row['entered']} 人")
    funnel = (
        alt.Chart(stages.to_pandas())
        .mark_bar()
        .encode(
            y=alt.Y("stage:N", sort=alt.SortField("stage_order"), title=None),
            x=alt.X("people:Q", title="期末人数"),
            tooltip=[
                alt.Tooltip("stage:N", title="阶段"),
                alt.Tooltip("people:Q", title="期末人数"),
                alt.Tooltip("entered:Q", title="年内进入"),
                alt.Tooltip("students:Q", title="学生"),
                alt.Tooltip("staff:Q", title="教职工"),
            ],
        )
        .properties(height=40 * stages.height + 20)
    )
    altair_chart(funnel)
    st.caption(
        "期末人数：期末处于该阶段的人；年内进入：本年截至期末进入该阶段的人（其后可能已进入下一阶段）。"
        "阶段按台账日期判断，期末之后的日期视为尚未发生。"
    )
    branches = query(BRANCH_PIPELINE_SQL, [period, *scope])
    with st.expander("各党支部明细"):
        st.dataframe(
            branches.select(
                pl.col("branch_code").alias("支部编码"),
                pl.col("branch_name").alias("党支部"),
                pl.col("stage").alias("阶段"),
                pl.col("people").alias("期末人数"),
                pl.col("entered").alias("年内进入"),
                pl.col("students").alias("学生"),
                pl.col("staff").alias("教职工"),
            ).to_pandas(),
            hide_index=True,
        )

# --- the audit --------------------------------------------------------------------------------------
st.subheader("发展党员审核问题")
findings = query(FINDINGS_SQL, [period, *scope])
rules = query(RULES_SQL)
with st.expander("审核规则与出处"):
    st.dataframe(
        rules.rename(
            {"rule_id": "规则", "finding": "问题", "rule_text": "何时算作问题", "source": "出处"}
        ).to_pandas(),
        hide_index=True,
    )
    st.caption("公示的工作日按周一至周五计，法定节假日与调休不在考虑之内。")
if findings.is_empty():
    st.success(f"{period} 期末没有审核问题。")
else:
    with st.sidebar:
        chosen = st.multiselect(
            "审核规则",
            rules["rule_id"].to_list(),
            key="dev_rules",
            help="不选即全部",
            placeholder=CHOOSE_MANY,
        )
        branch_choices = sorted(findings["branch_code"].unique().to_list())
        branch = st.selectbox(
            "党支部",
            [None, *branch_choices],
            format_func=lambda b: b or "全部",
            key="dev_branch",
            placeholder=CHOOSE,
        )
    shown = findings
    if chosen:
        shown = shown.filter(pl.col("rule_id").is_in(chosen))
    if branch:
        shown = shown.filter(pl.col("branch_code") == branch)
    listed = shown.select(
        pl.col("rule_id").alias("规则"),
        pl.col("finding").alias("问题"),
        pl.col("member_key").alias("工号/学号"),
        pl.col("branch_code").alias("支部编码"),
        pl.col("branch_name").alias("党支部"),
        pl.col("dates_involved").alias("涉及日期"),
        pl.col("detail").alias("说明"),
        pl.col("source_file").alias("来源文件"),
        pl.col("source_row").alias("行号"),
        pl.col("college_code"),
    )
    table = listed.drop("college_code")
    st.dataframe(table.to_pandas(), hide_index=True)
    people = shown["member_key"].n_unique()
    st.caption(
        f"共 {table.height} 条（{people} 人）。来源文件与行号即发展党员台账中的位置。"
        "页面不显示姓名；下载的审核清单附姓名（组织部为全部，学院为本院的人）。"
    )
    table_download_button(
        listed,
        "审核问题",
        f"发展党员审核问题_{period}.xlsx",
        "dev_findings_xlsx",
        for_scope=with_member_names,
    )

# --- dues -------------------------------------------------------------------------------------------
st.subheader(f"党费欠交 · {year}年")
arrears = query(ARREARS_SQL, [year, *scope]) if has_table("marts", "dues_arrears") else pl.DataFrame()
if arrears.is_empty():
    st.info(f"{year}年没有连续3个月及以上未交党费的党员。")
else:
    arrears_table = arrears.select(
        pl.col("level").alias("级别"),
        pl.col("member_key").alias("工号/学号"),
        pl.col("branch_name").alias("党支部"),
        pl.col("first_month").dt.strftime("%Y-%m").alias("起"),
        pl.col("last_month").dt.strftime("%Y-%m").alias("止"),
        pl.col("months").alias("连续月数"),
        pl.col("amount_owed").alias("欠交金额（元）"),
        pl.col("note").alias("说明"),
        pl.col("college_code"),
    )
    shown_arrears = arrears_table.drop("college_code")
    st.dataframe(
        shown_arrears.to_pandas(), hide_index=True, column_config=unit_formats(shown_arrears.columns)
    )
    st.caption(
        "“请核实”只是提示党支部核实原因、按程序处理，本系统不改变任何人的党籍状态。"
        "页面不显示姓名；下载的欠交名单附姓名（组织部为全部，学院为本院的人），便于支部逐人核实。"
    )
    table_download_button(
        arrears_table,
        "党费欠交",
        f"党费欠交_{year}.xlsx",
        "dev_arrears_xlsx",
        for_scope=with_member_names,
    )

st.subheader(f"党费收缴使用情况 · {year}年")
report = query(DUES_REPORT_SQL, [year, *scope]) if has_table("marts", "dues_report") else pl.DataFrame()
if report.is_empty():
    st.info(f"{year}年没有党费台账或党费返还记录。")
else:
    report_table = report.select(
        pl.col("college_name").alias("二级党组织"),
        pl.col("members").alias("交纳人数"),
        pl.col("amount_due").alias("应交（元）"),
        pl.col("amount_paid").alias("实交（元）"),
        pl.col("collection_rate").alias("收缴率（%）"),
        pl.col("months_on_time").alias("按时足额人月"),
        pl.col("months_due").alias("应交人月"),
        pl.col("refunded").alias("党费返还（元）"),
    )
    st.dataframe(report_table.to_pandas(), hide_index=True, column_config=unit_formats(report_table.columns))
    st.caption(
        "收缴率 = 实交 ÷ 应交；党费返还取经费台账中类型为“党费返还”的记录。每年1月底前报送上年度情况。"
    )
    table_download_button(
        report_table, "党费收缴使用情况", f"党费收缴使用情况_{year}.xlsx", "dev_dues_report_xlsx"
    )
