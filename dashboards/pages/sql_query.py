"""自助查询: one read-only SQL query over the published `marts`, for analysts.

What a query may say lives in dashboards/sql_policy.py, where and how long it may run in
dashboards/sql_sandbox.py (a worker process with memory, time and result limits); this page only
collects the query and shows the result. The query runs when the form is submitted, not on every
rerun.
"""

import time
from datetime import datetime

import polars as pl
import streamlit as st

from dashboards import auth, sql_sandbox
from dashboards.catalog import marts_catalog
from dashboards.column_labels import result_labels
from dashboards.downloads import csv_bytes, xlsx_bytes
from dashboards.labels import CHOOSE
from dashboards.snapshot import current_scope
from dashboards.sql_policy import FUNCTION_GROUPS, QueryError, hide_paths

RESULT_KEY = "sql_result"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXAMPLE_TABLES = ("branch_scores", "college_scores", "load_summary")


def example_sql(tables: list[str]) -> str:
    table = next((t for t in EXAMPLE_TABLES if t in tables), tables[0] if tables else "branch_scores")
    return f"-- 只读查询：一次一条 SELECT 或 WITH 语句\nselect *\nfrom marts.{table}\nlimit 100\n"


def show_catalog(catalog: pl.DataFrame) -> None:
    with st.expander("数据目录：marts 中的表和列", expanded=False, icon=":material/menu_book:"):
        if catalog.is_empty():
            st.info("快照中没有 marts 的表。请先运行 dangjian run。")
            return
        tables = catalog.group_by("table_name", maintain_order=True).agg(
            pl.col("table_description").first().alias("说明"), pl.len().alias("列数")
        )
        st.dataframe(
            tables.rename({"table_name": "表"}),
            hide_index=True,
            column_config={"说明": st.column_config.TextColumn(width="large")},
        )
        table = st.selectbox(
            "查看表的列", tables["table_name"].to_list(), key="catalog_table", placeholder=CHOOSE
        )
        columns = catalog.filter(pl.col("table_name") == table).select(
            pl.col("column_name").alias("列"),
            pl.col("data_type").alias("类型"),
            pl.col("column_description").alias("说明"),
        )
        st.dataframe(
            columns,
            hide_index=True,
            column_config={"说明": st.column_config.TextColumn(width="large")},
        )
        st.code(f"select *\nfrom marts.{table}\nlimit 100", language="sql")


st.title("自助查询")
if current_scope() is not None:  # not in a 学院 login's navigation; refused here and in sql_sandbox too
    st.error(sql_sandbox.SQL_FORBIDDEN_MESSAGE, icon=":material/block:")
    st.stop()
st.caption(
    f"对已发布数据中 marts 的表执行只读 SQL（DuckDB 语法）。一次一条以 SELECT 或 WITH 开头的查询；"
    f"最多返回 {sql_sandbox.SQL_MAX_LIMIT:,} 行，超过 {sql_sandbox.SQL_TIMEOUT_S:g} 秒或 "
    f"{sql_sandbox.SQL_MEMORY_MB:,} MB 内存自动停止。"
    "表名可写 marts.branch_scores，也可直接写 branch_scores。"
)

catalog = marts_catalog()
show_catalog(catalog)
with st.expander("可用函数", expanded=False, icon=":material/function:"):
    st.caption("只能使用下列函数和运算符（不能读取文件、查看设置或调用其他函数）：")
    for group, names in FUNCTION_GROUPS.items():
        st.markdown(f"**{group}**：" + "、".join(f"`{n}`" for n in names))

with st.form("sql_form"):
    sql = st.text_area(
        "SQL",
        value=example_sql(catalog["table_name"].unique(maintain_order=True).to_list()),
        height=200,
        key="sql_text",
        placeholder="select * from marts.branch_scores limit 100",
    )
    limit = st.number_input(
        "最多返回行数",
        min_value=1,
        max_value=sql_sandbox.SQL_MAX_LIMIT,
        value=sql_sandbox.SQL_DEFAULT_LIMIT,
        step=100,
        key="sql_limit",
    )
    submitted = st.form_submit_button("运行查询", type="primary", icon=":material/play_arrow:")

if submitted:
    started = time.perf_counter()
    result: dict = {"sql": sql, "limit": int(limit), "ran_at": datetime.now()}
    try:
        with st.spinner("查询运行中…"):
            frame, truncated = sql_sandbox.run_readonly_sql(sql, limit=int(limit))
        result |= {"frame": frame, "truncated": truncated}
    except QueryError as error:
        result["error"] = str(error)
        result["detail"] = error.detail
    except Exception as error:  # never a traceback, nor a server path, on this page
        result["error"] = f"查询失败：{hide_paths(str(error), ())}"
    result["elapsed"] = time.perf_counter() - started
    st.session_state[RESULT_KEY] = result

result = st.session_state.get(RESULT_KEY)
if result is None:
    st.info("输入查询后点「运行查询」。可展开上面的「数据目录」查看有哪些表和列。")
    st.stop()

if "error" in result:
    st.error(result["error"], icon=":material/error:")
    if result.get("detail"):
        with st.expander("数据库的原始错误信息"):
            st.code(result["detail"], language=None)
    st.stop()

frame: pl.DataFrame = result["frame"]
st.caption(f"返回 {frame.height:,} 行 × {frame.width} 列，用时 {result['elapsed']:.2f} 秒。")
if result["truncated"]:
    st.warning(
        f"结果超过 {result['limit']:,} 行，只显示前 {result['limit']:,} 行。"
        f"请加上筛选条件，或调大「最多返回行数」（最多 {sql_sandbox.SQL_MAX_LIMIT:,}）。",
        icon=":material/content_cut:",
    )
if frame.is_empty():
    st.info("查询没有返回任何行。")
labels = result_labels(frame.columns, catalog, result["sql"])
st.dataframe(
    frame,
    hide_index=True,
    height="auto" if frame.height <= 15 else 560,
    column_config={name: st.column_config.Column(label, help=text) for name, (label, text) in labels.items()},
)
if labels:
    st.caption("列名旁是已发布数据中该列的中文说明（悬停列名可看全文）；下载的文件仍用英文列名。")

stamp = f"{result['ran_at']:%Y%m%d_%H%M%S}"
left, right = st.columns(2)
left.download_button(
    "下载 CSV",
    data=auth.deferred(lambda _scope: csv_bytes(frame)),
    file_name=f"查询结果_{stamp}.csv",
    mime="text/csv",
    on_click="ignore",
    icon=":material/download:",
    key="download_csv",
)
right.download_button(
    "下载 Excel",
    data=auth.deferred(lambda _scope: xlsx_bytes(frame)),
    file_name=f"查询结果_{stamp}.xlsx",
    mime=XLSX_MIME,
    on_click="ignore",
    icon=":material/download:",
    key="download_xlsx",
)
