"""任务清单: the 党建工作责任制 task list of one period from marts.tasks — status counts, the tasks with
their owners (党组织 or 职能部门, the lead first) and deadlines as written, overdue rows highlighted,
and the on-time rate per college (select, filter, format — no scoring)."""

import pandas as pd
import polars as pl
import streamlit as st

from dashboards import charts
from dashboards.chart_view import altair_chart
from dashboards.labels import CHOOSE, CHOOSE_MANY, OVERDUE_MARK, TASK_STATUSES
from dashboards.queries import query
from dashboards.queries.tasks import COLLEGES_SQL, HAS_DEPARTMENTS_SQL, PERIODS_SQL, RATES_SQL, TASKS_SQL
from dashboards.tables import first_rows

ALL_COLLEGES = "全部责任单位"
DEPARTMENTS = "职能部门"  # the filter's choice for the tasks of functional departments (no college)
OVERDUE_BACKGROUND = "background-color: #fde2df"

st.title("任务清单")

periods = query(PERIODS_SQL)["period"].to_list()
if not periods:
    st.info("快照中还没有任务清单。请把组织部的任务清单放进收件箱后运行 dangjian run，再刷新本页。")
    st.stop()

with st.sidebar:
    st.header("筛选")
    period = st.selectbox(
        "考核期",
        periods,
        index=0,
        key="tasks_period",
        help="按期末判断是否到期、是否逾期",
        placeholder=CHOOSE,
    )

colleges = query(
    COLLEGES_SQL,
    [period],
)
college_names = dict(zip(colleges["college_code"], colleges["college_name"], strict=True))
has_departments = not query(HAS_DEPARTMENTS_SQL, [period]).is_empty()
owner_names = {None: ALL_COLLEGES, **({DEPARTMENTS: DEPARTMENTS} if has_departments else {}), **college_names}

with st.sidebar:
    college = st.selectbox(
        "责任单位",
        list(owner_names),
        format_func=owner_names.__getitem__,
        key="tasks_college",
        help="学院：分派给该学院及其党支部的任务；职能部门：党委组织部、财务处等部门承担的任务（不计入学院考核）",
        placeholder=CHOOSE,
    )
    statuses = st.multiselect(
        "进度状态",
        list(TASK_STATUSES),
        default=list(TASK_STATUSES),
        key="tasks_status",
        placeholder=CHOOSE_MANY,
    )
    overdue_only = st.toggle("只看逾期任务", value=False, key="tasks_overdue_only")

tasks = query(TASKS_SQL, [period, college, college, college])
if tasks.is_empty():
    st.info(f"{period} 没有分派给该责任单位的任务。请在左侧选择其他责任单位或考核期。")
    st.stop()

st.caption(
    f"{owner_names[college]} · {period}：一项任务有几个责任单位就有几行（牵头单位在前）；"
    "每项任务在每个考核期各有一行，这里只取本期的行。状态为清单当前填报值。"
)

counts = dict(tasks.group_by("status").len().iter_rows())
metric_columns = st.columns(len(TASK_STATUSES) + 2)
metric_columns[0].metric("任务数", f"{tasks.height}")
for column, status in zip(metric_columns[1:], TASK_STATUSES, strict=False):
    column.metric(status, f"{counts.get(status, 0)}")
metric_columns[-1].metric(
    "逾期",
    f"{tasks['overdue'].sum()}",
    help="完成时限早于本考核期期末、且未在时限内完成（逾期完成或仍未完成）",
)

shown = tasks
if statuses:
    shown = shown.filter(pl.col("status").is_in(statuses) | pl.col("status").is_null())
if overdue_only:
    shown = shown.filter(pl.col("overdue"))

st.subheader("任务明细")
if not statuses:
    st.info("请在左侧至少选择一个进度状态。")
elif shown.is_empty():
    st.info("没有符合筛选条件的任务。请调整左侧的责任单位、进度状态或“只看逾期任务”。")
else:
    listed, not_all = first_rows(shown, "tasks_all_rows", "逾期的在前，再按完成时限")
    table = listed.select(
        pl.when(pl.col("overdue")).then(pl.lit(OVERDUE_MARK)).otherwise(pl.lit("")).alias("提示"),
        pl.col("task_id").alias("任务编号"),
        pl.col("task").alias("工作任务"),
        pl.col("owner_name").alias("责任单位"),
        pl.col("owner_kind").alias("类别"),
        pl.col("is_lead").alias("牵头"),
        pl.col("responsible_person").alias("责任人"),
        pl.col("deadline_text").alias("完成时限（原文）"),
        pl.col("deadline").alias("完成时限（解析）"),
        pl.col("ongoing").alias("长期任务"),
        pl.col("status").alias("状态"),
        pl.col("completed_on").alias("完成日期"),
        pl.col("on_time").alias("按期完成"),
        pl.col("overdue").alias("逾期"),
        pl.col("source_file").alias("来源文件"),
        pl.col("source_row").alias("行号"),
    ).to_pandas()
    # One frame of styles at once: a function per row cost pandas ~0.1 s on a university's tasks.
    styled = table.style.apply(
        lambda frame: pd.DataFrame(
            {column: frame["逾期"].map({True: OVERDUE_BACKGROUND}).fillna("") for column in frame.columns}
        ),
        axis=None,
    )
    st.dataframe(
        styled,
        hide_index=True,
        height="auto" if len(table) <= 15 else 560,
        column_config={
            "提示": st.column_config.TextColumn(width="small"),
            "工作任务": st.column_config.TextColumn(width="medium"),
            "牵头": st.column_config.CheckboxColumn(help="「责任单位」格中的第一个单位"),
            "完成时限（解析）": st.column_config.DateColumn(
                format="YYYY-MM-DD",
                help="原文中的第一个日期；无固定日期的任务（常态化推进、长期坚持、每学期）为空，不计入到期任务",
            ),
            "长期任务": st.column_config.CheckboxColumn(help="时限含“长期坚持”“常态化推进”“每学期”等"),
            "完成日期": st.column_config.DateColumn(format="YYYY-MM-DD"),
            "按期完成": st.column_config.CheckboxColumn(),
            "逾期": st.column_config.CheckboxColumn(),
            "行号": st.column_config.NumberColumn(format="%d", width="small"),
        },
    )
    st.caption(f"共 {shown.height} 项；逾期任务标红。{not_all}来源文件与行号即任务清单工作簿中的位置。")

st.subheader("各学院按期完成率")
rates = query(RATES_SQL, [period])
if rates["on_time_rate"].null_count() == rates.height:
    st.info(f"截至 {period} 期末还没有到期的任务，暂无按期完成率。请选择更晚的考核期。")
else:
    highlight = college_names.get(college)
    altair_chart(charts.task_completion_bar(rates, highlight))
    st.caption(
        "按期完成率 = 期末前到期且在完成时限内完成的任务 ÷ 期末前到期的任务，有考核分值的按分值加权；"
        "只计党组织承担的任务，职能部门的不计（与“五个到位”C2 同口径）。"
    )
