"""数据报送: a college (or the 组织部, for any college) chooses files, sees what a run would do with them
— the very preview of `dangjian check` (dagster_project.submit) — and 确认提交 or 放弃. A submitted
file is archived, logged and put in the inbox; the daemon of `dangjian serve` runs the pipeline, and
this page follows it: 排队中 → 处理中 → 已发布, then the college's score and rank."""

import hashlib
import tempfile
from pathlib import Path

import polars as pl
import streamlit as st

from dagster_project.access import ROLE_COLLEGE, ROLE_ORG
from dagster_project.submit.follow import FAILED, PUBLISHED, current_home, progress
from dagster_project.submit.guards import UPLOAD_SUFFIXES
from dagster_project.submit.preview import FilePreview, preview_files
from dagster_project.submit.submitting import Submitter, submit_files
from dashboards import auth, snapshot
from dashboards.labels import CHOOSE
from dashboards.queries import query
from dashboards.queries.submit import COLLEGES_SQL, LATEST_SCORE_SQL, PUBLISHED_SQL

SUBMITTED_KEY = "submitted_files"
UPLOADER_KEY = "upload_round"


def _submitter() -> Submitter:
    session = st.session_state.get(auth.SESSION_KEY)
    if session is not None and session.role == ROLE_COLLEGE:
        st.caption(f"以学院（{session.college}）的身份提交：文件中只能有本学院的行。")
        return Submitter(session.name, ROLE_COLLEGE, session.college)
    colleges = query(COLLEGES_SQL) if snapshot.has_table("marts", "dim_org") else pl.DataFrame()
    options = [None, *(colleges["college_code"].to_list() if colleges.height else [])]
    names = (
        dict(zip(colleges["college_code"], colleges["college_name"], strict=True)) if colleges.height else {}
    )
    college = st.selectbox(
        "为哪个单位提交",
        options,
        format_func=lambda c: "全校（组织部的表格）" if c is None else f"{c} {names.get(c, '')}",
        placeholder=CHOOSE,
    )
    return Submitter(session.name if session is not None else auth.viewer(), ROLE_ORG, college)


def _show_preview(preview: FilePreview) -> None:
    if preview.refused:
        st.error(f"**{preview.file}**：不予接收。{preview.refused}", icon=":material/block:")
        return
    st.markdown(f"**{preview.file}**：{'、'.join(preview.kinds)}（{'、'.join(preview.periods) or '—'}）")
    c1, c2, c3 = st.columns(3)
    c1.metric("读入行数", f"{preview.rows_read:,}")
    c2.metric("可入库", f"{preview.rows_ok:,}")
    c3.metric("将退回", f"{preview.rows_rejected:,}")
    if preview.rejects:
        schema = {
            "sheet": pl.String,
            "row": pl.Int64,
            "column": pl.String,
            "value": pl.String,
            "reason": pl.String,
        }
        rejects = pl.DataFrame(preview.rejects, schema=schema)
        st.dataframe(
            rejects.select(
                pl.col("sheet").alias("工作表"),
                pl.col("row").alias("Excel 行号"),
                pl.col("column").alias("列"),
                pl.col("value").alias("原值"),
                pl.col("reason").alias("原因"),
            ),
            hide_index=True,
            width="stretch",
        )


@st.fragment(run_every=3)
def _follow(stored: list[str], college: str | None) -> None:
    published = (
        query(PUBLISHED_SQL, [stored]) if snapshot.has_table("marts", "submissions") else pl.DataFrame()
    )
    done = set(published["stored_name"].to_list()) if published.height else set()
    stages = progress(current_home(), stored, done)
    for name, stage in stages.items():
        st.write(f"{'✅' if stage == PUBLISHED else '⏳'} {Path(name).name}：**{stage}**")
    if stages and all(s == PUBLISHED for s in stages.values()):
        for row in published.iter_rows(named=True):
            st.caption(
                f"{Path(row['stored_name']).name}：{row['status']}，"
                f"入库 {row['rows_loaded']} 行，退回 {row['rows_rejected']} 行"
            )
        if college is not None and snapshot.has_table("marts", "college_scores"):
            score = query(LATEST_SCORE_SQL, [college])
            if score.height:
                s = score.row(0, named=True)
                st.success(
                    f"{s['period']} 最新结果：综合得分 {s['composite']:.2f}，"
                    f"第 {s['rank']} 名（{s['grade']}）"
                )
    elif FAILED in stages.values():
        st.error(
            "处理失败：本次运行没有完成，看板仍显示上一次成功发布的结果。文件已保存在收件箱，"
            "下一次运行会再处理；请组织部在 dangjian ui 的运行记录中查看原因。",
            icon=":material/error:",
        )
    elif stages:
        st.caption(
            "排队中：等待后台服务运行（每次一个运行）；处理中：已入库，正在计算和发布。看板在发布前仍显示上一次的结果。"
        )


st.title("数据报送")
st.caption(
    "选择填好的表格（.xlsx、.xls、.csv、.parquet），先检查、再提交：检查用的规则与入库时完全相同，"
    "列出的每一条退回就是入库时会退回的行。提交后由后台服务自动入库、计算并发布，不需要组织部操作。"
)
submitter = _submitter()
uploads = st.file_uploader(
    "选择文件",
    type=[s.lstrip(".") for s in UPLOAD_SUFFIXES],
    accept_multiple_files=True,
    key=f"uploader-{st.session_state.get(UPLOADER_KEY, 0)}",
)
if uploads:
    with tempfile.TemporaryDirectory(prefix="dangjian-upload-") as scratch:
        files = []
        for i, upload in enumerate(uploads):
            path = Path(scratch) / f"upload-{i}"  # never the user's name
            path.write_bytes(upload.getbuffer())
            files.append((path, upload.name))
        digest = hashlib.sha256(
            b"".join(hashlib.sha256(p.read_bytes()).digest() for p, _ in files)
        ).hexdigest()
        key = ("preview", digest, submitter.scope)
        if key not in st.session_state:
            with st.spinner("正在检查…"):
                st.session_state[key] = preview_files(files, submitter.scope, snapshot.serving_path())
        previews = st.session_state[key]
        for preview in previews:
            _show_preview(preview)
        accepted = [p for p in previews if not p.refused]
        confirm, cancel = st.columns([1, 5])
        if confirm.button("确认提交", type="primary", disabled=not accepted):
            done = submit_files(current_home(), files, submitter, previews)
            st.session_state[SUBMITTED_KEY] = [d.submission.stored_name for d in done if d.submission]
            st.session_state[UPLOADER_KEY] = st.session_state.get(UPLOADER_KEY, 0) + 1
            st.rerun()
        if cancel.button("放弃"):
            st.session_state[UPLOADER_KEY] = st.session_state.get(UPLOADER_KEY, 0) + 1
            st.rerun()

if st.session_state.get(SUBMITTED_KEY):
    st.subheader("已提交")
    _follow(st.session_state[SUBMITTED_KEY], submitter.college)
