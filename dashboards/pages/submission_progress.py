"""报送进度: for a chosen month, which college has sent which sheet (marts.submission_status), the
on-time rate of the year per college, and the 催报清单 (.xlsx) of what is past due and not received.
A college login's snapshot holds its own rows only: it sees its row and what it still owes."""

import datetime as dt

import polars as pl
import streamlit as st

from dashboards import downloads, snapshot
from dashboards.labels import CHOOSE
from dashboards.queries import query
from dashboards.queries.submission_progress import MATRIX_SQL, MONTHS_SQL, ON_TIME_SQL, REMINDER_SQL

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
STATUS_COLORS = {
    "按时": "background-color: #d4edda; color: #155724",
    "逾期补报": "background-color: #fff3cd; color: #856404",
    "未报": "background-color: #f8d7da; color: #721c24",
    "未到期": "background-color: #e2e3e5; color: #383d41",
    "不适用": "color: #999999",
}

st.title("报送进度")
if not snapshot.has_table("marts", "submission_status"):
    st.info("快照中还没有报送日历。运行一次 dangjian run 后这里会列出各学院的报送情况。")
    st.stop()

months = query(MONTHS_SQL)
if months.is_empty():
    st.info("报送日历中还没有任何一期（组织架构中还没有学院）。")
    st.stop()
live = months.filter(pl.col("live"))
default = (live if live.height else months)["month"][0]
choices = months["month"].to_list()
month = st.selectbox(
    "月份",
    choices,
    index=choices.index(default),
    help="该月的月报、所在季度的季报、所在年度的年报",
    placeholder=CHOOSE,
)
first_day = dt.date.fromisoformat(f"{month}-01")

matrix = query(MATRIX_SQL, [first_day, first_day, first_day])
st.caption(
    "截止日前收到为“按时”，截止后收到为“逾期补报”；截止日早于本系统收到第一个文件的期为“不适用”（补录的历史）。"
)
if matrix.is_empty():
    st.info("该月没有应报的表。")
else:
    grid = matrix.with_columns((pl.col("kind_title") + "（" + pl.col("period") + "）").alias("表")).pivot(
        on="表", index="college_name", values="status", aggregate_function="first"
    )
    grid = grid.rename({"college_name": "学院"})
    styled = grid.to_pandas().style.map(lambda v: STATUS_COLORS.get(v, ""))
    st.dataframe(styled, hide_index=True, width="stretch")
    with st.expander("逐项明细（截止日、收到时间、提交人、逾期天数）"):
        st.dataframe(
            matrix.select(
                pl.col("college_name").alias("学院"),
                pl.col("kind_title").alias("表"),
                pl.col("period").alias("期"),
                pl.col("due_on").alias("截止日"),
                pl.col("received_at").alias("收到时间"),
                pl.col("submitted_by").alias("提交人"),
                pl.col("status").alias("状态"),
                pl.col("days_late").alias("逾期天数"),
            ),
            hide_index=True,
            width="stretch",
        )

year = first_day.year
st.subheader(f"{year} 年按时报送率")
rates = query(ON_TIME_SQL, [year]).with_columns(
    pl.when(pl.col("due") > 0).then(100.0 * pl.col("on_time") / pl.col("due")).alias("rate")
)
st.dataframe(
    rates.select(
        pl.col("college_name").alias("学院"),
        pl.col("due").alias("应报期数"),
        pl.col("on_time").alias("按时"),
        pl.col("late").alias("逾期补报"),
        pl.col("missing").alias("未报"),
        pl.col("rate").round(1).alias("按时报送率（%）"),
    ),
    hide_index=True,
    width="stretch",
)

reminders = query(REMINDER_SQL, [year])
st.subheader("催报清单")
if reminders.is_empty():
    st.success(f"{year} 年没有逾期未报的表。")
else:
    sheet = reminders.select(
        pl.col("college_code").alias("学院编码"),
        pl.col("college_name").alias("学院"),
        pl.col("secretary_key").alias("书记工号"),
        pl.col("kind_title").alias("未报的表"),
        pl.col("period").alias("期"),
        pl.col("due_on").alias("截止日"),
        pl.col("days_late").alias("逾期天数"),
    )
    st.dataframe(sheet, hide_index=True, width="stretch")
    st.download_button(
        "下载催报清单（xlsx）",
        data=downloads.xlsx_bytes(sheet, "催报清单"),
        file_name=f"催报清单_{year}.xlsx",
        mime=XLSX_MIME,
        on_click="ignore",
        icon=":material/download:",
    )
