"""模板下载: the blank workbooks to hand out, one per sheet kind (dagster_project.reports).

The same files as `dangjian templates --out DIR`, generated once per process and cached.
"""

import polars as pl
import streamlit as st

from dagster_project.reports import template_catalog
from dashboards import downloads

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BUTTONS_PER_ROW = 3
LIST_SEPARATOR = "、"

st.title("模板下载")
st.caption(
    "每种表格一个工作簿：表头下面一行起填写数据，红色表头为必填列，鼠标停在表头上可看填写要求；"
    "「填写说明」工作表逐列列出要求和示例。填好后在「数据报送」页检查并提交，后台服务会自动入库。"
)

workbooks = downloads.template_workbooks()
kinds = template_catalog()

st.download_button(
    "下载全部模板（zip）",
    data=downloads.templates_zip(),
    file_name="党建考核填报模板.zip",
    mime="application/zip",
    on_click="ignore",
    type="primary",
    icon=":material/folder_zip:",
    key="template_all",
)

st.subheader("单个模板")
for start in range(0, len(kinds), BUTTONS_PER_ROW):
    row = st.columns(BUTTONS_PER_ROW)
    for cell, kind in zip(row, kinds[start : start + BUTTONS_PER_ROW], strict=False):
        file_name, content = workbooks[kind.kind]
        cell.download_button(
            kind.title,
            data=content,
            file_name=file_name,
            mime=XLSX_MIME,
            on_click="ignore",
            icon=":material/download:",
            key=f"template_{kind.kind}",
            width="stretch",
        )

st.subheader("各表格的列")
kinds_table = pl.DataFrame(
    {
        "表格类型": [k.title for k in kinds],
        "模板文件": [workbooks[k.kind][0] for k in kinds],
        "必填列": [LIST_SEPARATOR.join(k.required) for k in kinds],
        "其他列": [LIST_SEPARATOR.join(k.optional) for k in kinds],
        "说明": [k.note for k in kinds],
    }
)
if not any(k.note for k in kinds):
    kinds_table = kinds_table.drop("说明")
st.dataframe(
    kinds_table,
    hide_index=True,
    column_config={
        "必填列": st.column_config.TextColumn(width="large"),
        "其他列": st.column_config.TextColumn(width="large"),
    },
)
