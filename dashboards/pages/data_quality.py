"""数据质量: what each inbox file brought in, what was rejected and why (marts.load_summary, marts.rejects).

Select, filter and format only. The rejects workbook to send back to a college is written by
`dagster_project.reports` (the reject list) (the same file as `dangjian rejects`).
"""

from pathlib import Path

import altair as alt
import polars as pl
import streamlit as st

from dagster_project.reports import KIND_TITLES, kinds_text, row_values_text
from dashboards import downloads, snapshot
from dashboards.chart_view import altair_chart
from dashboards.labels import ALL_FILES, CHECK_STAGES, CHOOSE, WHOLE_FILE
from dashboards.queries import query
from dashboards.queries.data_quality import (
    REJECT_FILES_SQL,
    SUBMISSIONS_SQL,
    SUMMARY_SQL,
    TOTALS_SQL,
    rejects_sql,
)

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REJECT_BAR_COLOR = "#c0392b"
BAR_STEP = 24


def rejected_rows_chart(summary: pl.DataFrame) -> alt.LayerChart:
    """Horizontal bars: rejected rows per file, most first."""
    rows = (
        summary.filter(pl.col("rows_rejected") > 0)
        .sort(["rows_rejected", "source_file"], descending=[True, False])
        .select(
            "source_file",
            pl.col("rows_rejected").cast(pl.Float64),
            pl.col("rows_read").cast(pl.Float64),
        )
    )
    base = alt.Chart(rows).encode(
        y=alt.Y(
            "source_file:N",
            sort=rows["source_file"].to_list(),
            title=None,
            axis=alt.Axis(labelLimit=360, labelFlush=False),
        ),
        tooltip=[
            alt.Tooltip("source_file:N", title="文件"),
            alt.Tooltip("rows_rejected:Q", title="拒收行数", format=",d"),
            alt.Tooltip("rows_read:Q", title="读取行数", format=",d"),
        ],
    )
    # Room right of the longest bar for its label.
    scale = alt.Scale(domain=[0, rows["rows_rejected"].max() * 1.1], nice=False)
    bars = base.mark_bar(color=REJECT_BAR_COLOR, cornerRadiusEnd=3).encode(
        x=alt.X("rows_rejected:Q", title="拒收行数", scale=scale, axis=alt.Axis(format="d", tickMinStep=1)),
    )
    text = base.mark_text(align="left", dx=3, fontSize=11).encode(
        x=alt.X("rows_rejected:Q"), text=alt.Text("rows_rejected:Q", format=",d")
    )
    return alt.layer(bars, text).properties(height=alt.Step(BAR_STEP))


st.title("数据质量")

if not snapshot.has_table("marts", "load_summary"):
    st.info("快照中还没有数据质量记录。请把各学院的工作簿放入收件箱（inbox）后运行 dangjian run。")
    st.stop()

summary = query(SUMMARY_SQL)
if summary.is_empty() and snapshot.current_scope() is not None:
    st.info(
        "已发布的数据中还没有本学院报送的文件。学院的工作簿交到组织部、放入收件箱并运行 dangjian run 后，"
        "这里会列出每个文件的入库情况和被拒收的行。"
    )
    st.stop()
if summary.is_empty():
    st.info(
        "收件箱为空，请先导入：把各学院填好的工作簿放入收件箱（$DANGJIAN_HOME/inbox/）后运行 dangjian run；"
        "想先看看效果，可运行 dangjian demo 生成演示数据。"
    )
    st.stop()

totals = query(TOTALS_SQL).row(0, named=True)
m1, m2, m3, m4, m5 = st.columns(5)
m1.metric("文件数", f"{totals['files']:,}")
m2.metric("读取行数", f"{totals['rows_read']:,}")
m3.metric("入库行数", f"{totals['rows_loaded']:,}")
m4.metric("拒收行数", f"{totals['rows_rejected']:,}")
m5.metric("无法读取的文件", f"{totals['unreadable']:,}")
if totals["last_loaded_at"] is not None:
    st.caption(f"最近一次读取：{totals['last_loaded_at']:%Y-%m-%d %H:%M}。读取行数 = 入库行数 + 拒收行数。")

st.subheader("各文件入库情况")
files_table = summary.select(
    pl.col("source_file").alias("文件"),
    pl.col("kinds").map_elements(kinds_text, return_dtype=pl.String).fill_null("").alias("表格类型"),
    pl.col("rows_read").alias("读取行数"),
    pl.col("rows_loaded").alias("入库行数"),
    pl.col("rows_rejected").alias("拒收行数"),
    pl.when(pl.col("problem").is_not_null())
    .then(pl.lit("无法读取"))
    .when(pl.col("rows_rejected") > 0)
    .then(pl.lit("有拒收"))
    .otherwise(pl.lit("全部入库"))
    .alias("状态"),
    pl.col("loaded_at").alias("读取时间"),
    pl.col("problem").fill_null("").alias("问题"),
)
st.dataframe(
    files_table,
    hide_index=True,
    height="auto" if files_table.height <= 15 else 560,
    column_config={
        "读取行数": st.column_config.NumberColumn(format="localized"),
        "入库行数": st.column_config.NumberColumn(format="localized"),
        "拒收行数": st.column_config.NumberColumn(format="localized"),
        "读取时间": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm"),
    },
)

if snapshot.has_table("marts", "submissions"):
    st.subheader("按学院和期间")
    by_college = query(SUBMISSIONS_SQL)
    st.dataframe(
        by_college.select(
            pl.col("college_code").alias("学院编码"),
            pl.col("periods").alias("期间"),
            pl.col("user_name").alias("提交人"),
            pl.col("submitted_at").alias("提交时间"),
            pl.col("original_name").alias("文件"),
            pl.col("rows_read").alias("读取行数"),
            pl.col("rows_loaded").alias("入库行数"),
            pl.col("rows_rejected").alias("拒收行数"),
            pl.col("status").alias("状态"),
            pl.col("problem").fill_null("").alias("问题"),
        ),
        hide_index=True,
        height="auto" if by_college.height <= 15 else 420,
    )

st.subheader("各文件拒收行数")
if (summary["rows_rejected"] > 0).any():
    altair_chart(rejected_rows_chart(summary))
else:
    st.success("所有文件的数据行都已入库，没有拒收的行。")

st.subheader("拒收明细")
reject_columns = snapshot.table_columns("marts", "rejects")
if not reject_columns:
    st.info("快照中没有拒收明细表（marts.rejects）。请重新运行 dangjian run 生成。")
    st.stop()

reject_files = query(REJECT_FILES_SQL)["source_file"].to_list()
if not reject_files:
    st.success("没有拒收记录，无需退回修改。")
    st.stop()

selected = st.selectbox(
    "文件",
    [None, *reject_files],
    format_func=lambda f: ALL_FILES if f is None else f,
    key="reject_file",
    help="只看某个文件的问题；下载的退回清单也只含该文件。",
    placeholder=CHOOSE,
)
rejects = query(rejects_sql(reject_columns), [selected, selected])
table = rejects.select(
    pl.col("source_file").alias("文件"),
    pl.when(pl.col("sheet").is_null() & pl.col("row_number").is_null())
    .then(pl.lit(WHOLE_FILE))
    .otherwise(pl.col("sheet"))
    .alias("工作表"),
    pl.col("row_number").alias("行号"),
    pl.col("column_name").fill_null("").alias("列"),
    pl.col("raw_value").fill_null("").alias("原始值"),
    pl.col("reason").alias("原因"),
    pl.col("kind").replace(KIND_TITLES).alias("表格类型"),
    pl.col("check_stage").replace(CHECK_STAGES).alias("检查阶段"),
    pl.col("row_values").map_elements(row_values_text, return_dtype=pl.String).alias("整行内容"),
)
shown = ALL_FILES if selected is None else selected
st.caption(f"{shown}：共 {table.height:,} 处问题（一行有几处问题就列几条）。")
st.dataframe(
    table,
    hide_index=True,
    height="auto" if table.height <= 15 else 560,
    column_config={
        "行号": st.column_config.NumberColumn(format="%d", width="small"),
        "原因": st.column_config.TextColumn(width="large"),
        "整行内容": st.column_config.TextColumn(width="large"),
    },
)


stem = "全部文件" if selected is None else Path(selected).stem
st.download_button(
    "下载退回清单（Excel）",
    data=downloads.rejects_download(selected),
    file_name=f"退回清单_{stem}.xlsx",
    mime=XLSX_MIME,
    on_click="ignore",
    icon=":material/download:",
    key="download_rejects",
    help="与 dangjian rejects 导出的文件相同，可直接发回学院修改。",
)
