"""任务清单: the 党建工作责任制 task list of one period from marts.tasks — status counts, the tasks with
their deadlines as written, overdue rows highlighted, and the on-time rate per college (select,
filter, format — no scoring)."""

import polars as pl
import streamlit as st

from dashboards import charts
from dashboards.data import query
from dashboards.labels import OVERDUE_MARK, TASK_STATUSES

ALL_COLLEGES = "全部学院"
OVERDUE_BACKGROUND = "background-color: #fde2df"

# One row per task per period; the chosen period's rows only (never add up the four quarters).
TASKS_SQL = """
select
    t.task_id, t.task, t.org_code, t.org_name, t.college_code,
    coalesce(c.org_name, t.college_code) as college_name,
    t.deadline_text, t.deadline, t.status, t.completed_on,
    t.due_in_period, t.on_time, t.overdue, t.source_file, t.source_row::BIGINT as source_row
from marts.tasks t
left join marts.dim_org c on c.year = t.year and c.org_code = t.college_code
where t.period = ? and (?::VARCHAR is null or t.college_code = ?)
order by t.overdue desc, t.deadline nulls last, t.task_id, t.org_code
"""

# 按期完成率 per college: of the tasks due by the period end, the share completed by their deadline.
RATES_SQL = """
select
    t.college_code,
    coalesce(c.org_name, t.college_code) as college_name,
    (count(*) filter (where t.due_in_period))::BIGINT as due,
    (count(*) filter (where t.due_in_period and t.on_time))::BIGINT as on_time,
    (100.0 * count(*) filter (where t.due_in_period and t.on_time)
        / nullif(count(*) filter (where t.due_in_period), 0))::DOUBLE as on_time_rate
from marts.tasks t
left join marts.dim_org c on c.year = t.year and c.org_code = t.college_code
where t.period = ?
group by all
order by t.college_code
"""

st.title("任务清单")

periods = query("select distinct period, year, quarter from marts.tasks order by year desc, quarter desc")[
    "period"
].to_list()
if not periods:
    st.info("快照中还没有任务清单。请把组织部的任务清单放进收件箱后运行 dangjian run，再刷新本页。")
    st.stop()

with st.sidebar:
    st.header("筛选")
    period = st.selectbox("考核期", periods, index=0, key="tasks_period", help="按期末判断是否到期、是否逾期")

colleges = query(
    "select distinct t.college_code, coalesce(c.org_name, t.college_code) as college_name "
    "from marts.tasks t left join marts.dim_org c on c.year = t.year and c.org_code = t.college_code "
    "where t.period = ? order by t.college_code",
    [period],
)
college_names = dict(zip(colleges["college_code"], colleges["college_name"], strict=True))

with st.sidebar:
    college = st.selectbox(
        "学院",
        [None, *college_names],
        format_func=lambda code: ALL_COLLEGES if code is None else college_names[code],
        key="tasks_college",
    )
    statuses = st.multiselect(
        "进度状态", list(TASK_STATUSES), default=list(TASK_STATUSES), key="tasks_status"
    )
    overdue_only = st.toggle("只看逾期任务", value=False, key="tasks_overdue_only")

tasks = query(TASKS_SQL, [period, college, college])
if tasks.is_empty():
    st.info(f"{period} 没有分派给该学院的任务。请在左侧选择其他学院或考核期。")
    st.stop()

scope = ALL_COLLEGES if college is None else college_names[college]
st.caption(f"{scope} · {period}：每项任务在每个考核期各有一行，这里只取本期的行。状态为清单当前填报值。")

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
    st.info("没有符合筛选条件的任务。请调整左侧的学院、进度状态或“只看逾期任务”。")
else:
    table = shown.select(
        pl.when(pl.col("overdue")).then(pl.lit(OVERDUE_MARK)).otherwise(pl.lit("")).alias("提示"),
        pl.col("task_id").alias("任务编号"),
        pl.col("task").alias("工作任务"),
        pl.col("org_name").alias("责任单位"),
        pl.col("deadline_text").alias("完成时限（原文）"),
        pl.col("deadline").alias("完成时限（解析）"),
        pl.col("status").alias("状态"),
        pl.col("completed_on").alias("完成日期"),
        pl.col("on_time").alias("按期完成"),
        pl.col("overdue").alias("逾期"),
        pl.col("source_file").alias("来源文件"),
        pl.col("source_row").alias("行号"),
    ).to_pandas()
    styled = table.style.apply(
        lambda row: [OVERDUE_BACKGROUND if row["逾期"] else ""] * len(row),
        axis=1,
    )
    st.dataframe(
        styled,
        hide_index=True,
        height="auto" if len(table) <= 15 else 560,
        column_config={
            "提示": st.column_config.TextColumn(width="small"),
            "工作任务": st.column_config.TextColumn(width="medium"),
            "完成时限（解析）": st.column_config.DateColumn(
                format="YYYY-MM-DD", help="无固定日期的任务（常态化推进、长期坚持）为空，不计入到期任务"
            ),
            "完成日期": st.column_config.DateColumn(format="YYYY-MM-DD"),
            "按期完成": st.column_config.CheckboxColumn(),
            "逾期": st.column_config.CheckboxColumn(),
            "行号": st.column_config.NumberColumn(format="%d", width="small"),
        },
    )
    st.caption(f"共 {len(table)} 项；逾期任务标红。来源文件与行号即任务清单工作簿中的位置。")

st.subheader("各学院按期完成率")
rates = query(RATES_SQL, [period])
if rates["on_time_rate"].null_count() == rates.height:
    st.info(f"截至 {period} 期末还没有到期的任务，暂无按期完成率。请选择更晚的考核期。")
else:
    highlight = None if college is None else college_names[college]
    st.altair_chart(charts.task_completion_bar(rates, highlight), width="stretch")
    st.caption(
        "按期完成率 = 期末前到期且在完成时限内完成的任务 ÷ 期末前到期的任务（与“五个到位”C2 同口径）。"
    )
