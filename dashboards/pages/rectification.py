"""整改跟踪: the 问题清单 of a year and where each problem's rectification stands (marts.rectifications)
— counts per college, the list with filters, each problem opened to the rows it was found in, and the
pre-filled 整改台账 to send to the colleges (select, filter, format — no rules)."""

import polars as pl
import streamlit as st

from dashboards.downloads import problem_sheet_download
from dashboards.labels import CHOOSE, CHOOSE_MANY
from dashboards.queries import query
from dashboards.queries.rectification import (
    AS_OF_SQL,
    CHECKLIST_EVIDENCE_SQL,
    COUNTS_SQL,
    HARD_RULE_EVIDENCE_SQL,
    INDICATOR_EVIDENCE_SQL,
    PROBLEMS_SQL,
    SOURCES_SQL,
    TASK_EVIDENCE_SQL,
    WEAK_BRANCH_EVIDENCE_SQL,
    YEARS_SQL,
)
from dashboards.snapshot import current_scope
from dashboards.tables import first_rows

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
STATUSES = ("未整改", "整改中", "已销号", "逾期")
# the rows each source of problems was found in (problem_source → statement, whether the key is a parameter)
EVIDENCE = {
    "checklist_no": (CHECKLIST_EVIDENCE_SQL, True),
    "checklist_partial": (CHECKLIST_EVIDENCE_SQL, True),
    "weak_branch": (WEAK_BRANCH_EVIDENCE_SQL, True),
    "overdue_task": (TASK_EVIDENCE_SQL, True),
    "low_indicator": (INDICATOR_EVIDENCE_SQL, True),
    "hard_rule": (HARD_RULE_EVIDENCE_SQL, False),
}

st.title("整改跟踪")

years = query(YEARS_SQL)["year"].to_list()
if not years:
    st.info("快照中还没有问题清单。运行 dangjian run 后刷新本页。")
    st.stop()

with st.sidebar:
    st.header("筛选")
    year = st.selectbox("发现问题的年度", years, index=0, key="rect_year", placeholder=CHOOSE)

problems = query(PROBLEMS_SQL, [year])
counts = query(COUNTS_SQL, [year])
rulebook = query(SOURCES_SQL)
as_of = query(AS_OF_SQL)["as_of"][0]
colleges = dict(zip(counts["college_code"], counts["college_name"], strict=True))

with st.sidebar:
    college = st.selectbox(
        "二级党组织",
        [None, *colleges],
        format_func=lambda c: "全部" if c is None else colleges[c],
        key="rect_college",
        placeholder=CHOOSE,
    )
    # names and severities from the rulebook (marts.rule_problem_sources), in its order; then any other
    # source the list holds (the problems a college found itself)
    sources = rulebook["source_name"].to_list()
    sources += sorted(set(problems["source_name"].drop_nulls()) - set(sources))
    chosen_sources = st.multiselect(
        "问题来源", sources, default=sources, key="rect_sources", placeholder=CHOOSE_MANY
    )
    ranked = rulebook.group_by("severity").agg(pl.col("severity_rank").min()).sort("severity_rank")
    severities = st.multiselect(
        "严重程度",
        ranked["severity"].to_list(),
        default=ranked["severity"].to_list(),
        key="rect_severity",
        placeholder=CHOOSE_MANY,
    )
    statuses = st.multiselect(
        "整改状态", list(STATUSES), default=list(STATUSES), key="rect_status", placeholder=CHOOSE_MANY
    )

st.caption(
    f"{year} 年度发现的问题（含各单位在整改台账中自查发现的问题）及其整改情况；“逾期”以最近一次入库的日期"
    f"（{as_of}）为准。学院在整改台账中报送整改措施和状态，放进收件箱即可更新本页。"
)

st.subheader("各二级党组织整改情况")
st.dataframe(
    counts.select(
        pl.col("college_name").alias("二级党组织"),
        pl.col("problems").alias("问题数"),
        *(
            pl.col(c).alias(label)
            for c, label in zip(("not_started", "in_progress", "closed", "overdue"), STATUSES, strict=True)
        ),
        (100.0 * pl.col("closed") / pl.col("problems")).round(1).alias("销号率（%）"),
    ).to_pandas(),
    hide_index=True,
)

shown = problems
if college is not None:
    shown = shown.filter(pl.col("college_code") == college)
shown = shown.filter(
    pl.col("source_name").is_in(chosen_sources)
    & (pl.col("severity").is_in(severities) | pl.col("severity").is_null())
    & pl.col("status").is_in(statuses)
)

st.subheader("问题清单")
if shown.is_empty():
    st.info("没有符合筛选条件的问题。请调整左侧的二级党组织、问题来源、严重程度或整改状态。")
else:
    listed, not_all = first_rows(shown, "rect_all_rows", "按二级党组织、组织和问题来源排列")
    st.dataframe(
        listed.select(
            pl.col("problem_id").alias("问题编号"),
            pl.col("org_name").alias("组织"),
            pl.col("source_name").alias("来源"),
            pl.col("severity").alias("严重程度"),
            pl.col("description").alias("问题描述"),
            pl.col("measure").alias("整改措施"),
            pl.col("deadline_text").alias("整改时限"),
            pl.col("status").alias("整改状态"),
            pl.col("completed_on").alias("完成日期"),
            pl.col("source_file").alias("整改台账文件"),
            pl.col("source_row").alias("行号"),
        ).to_pandas(),
        hide_index=True,
        height="auto" if listed.height <= 15 else 560,
        column_config={
            "问题描述": st.column_config.TextColumn(width="large"),
            "完成日期": st.column_config.DateColumn(format="YYYY-MM-DD"),
            "行号": st.column_config.NumberColumn(format="%d", width="small"),
        },
    )
    st.caption(f"共 {shown.height} 个问题。{not_all}")

    st.subheader("问题依据")
    labels = {
        i: f"{r['problem_id'] or '（自查）'} · {r['org_name'] or r['org_code']} · {r['description'][:40]}"
        for i, r in enumerate(listed.iter_rows(named=True))
    }
    picked = st.selectbox(
        "选择表中的一个问题，查看发现它的数据",
        list(labels),
        format_func=labels.__getitem__,
        key="rect_pick",
        placeholder=CHOOSE,
    )
    problem = listed.row(picked, named=True)
    st.write(problem["description"])
    statement = EVIDENCE.get(problem["problem_source"])
    if statement is None:
        st.caption("这一问题的依据即上面的描述（一票否决见加减分表的事由；自查发现的问题见整改台账）。")
    else:
        sql, keyed = statement
        params = [year, problem["org_code"], *([problem["source_key"]] if keyed else [])]
        evidence = query(sql, params)
        if evidence.is_empty():
            st.caption("快照中没有找到这一问题的依据行。")
        else:
            st.dataframe(evidence.to_pandas(), hide_index=True)

scope = current_scope()
download_college = scope or college
st.download_button(
    "下载问题清单（预填的整改台账，Excel）",
    data=problem_sheet_download(year, download_college),
    file_name=f"{year}年度问题清单整改台账{'_' + download_college if download_college else ''}.xlsx",
    mime=XLSX_MIME,
    on_click="ignore",
    icon=":material/download:",
    type="primary",
    help="学院填写整改措施、责任人、整改时限、整改状态（已完成的填完成日期）后放回收件箱，下次运行即更新本页",
)
