"""年终考核: the year-end (Q4) results from marts.college_scores and marts.branch_scores.

Composite, 述职评议 score, grade, stars, 一票否决 and 加减分 per 二级党组织; grade and tier counts; the
official result sheet as .xlsx (dagster_project.reports, the same file `dangjian export`
writes). Select, count and format only — no scoring here.
"""

import altair as alt
import polars as pl
import streamlit as st

from dashboards import charts
from dashboards.chart_view import altair_chart
from dashboards.downloads import (
    DOCX_MIME,
    report_download_buttons,
    result_pdf_download,
    result_sheet_download,
    year_end_document_download,
)
from dashboards.frozen import frozen_banner
from dashboards.labels import (
    CHOOSE,
    MAX_STARS,
    NO_VALUE,
    TOTAL_LABEL,
    UNGRADED,
    rank_change_arrow,
    star_string,
)
from dashboards.queries import query, rulebook
from dashboards.queries.year_end import COLLEGES_SQL, GRADE_COUNTS_SQL, TIER_COUNTS_SQL, YEARS_SQL
from dashboards.snapshot import current_scope
from dashboards.tables import FLAG_COLUMN, fit_height, flag_expr
from dashboards.university import show_college_context, stars_and_grades_note

NO_TIER = UNGRADED
PDF_HELP = (
    "与 Excel 版同样的行，排成 A4 横向：学院单独成页，字号不小于10磅，"
    "标出差和一票否决的行，附计算方法与等次分布"
)
NO_GRADE_COLOR = "#6b6b6b"  # 未评定
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def ordered_counts(
    frame: pl.DataFrame, key: str, count: str, order: tuple[str, ...], missing: str
) -> pl.DataFrame:
    """Counts in `order` (0 where absent), then any other value found; NULL keys are shown as `missing`."""
    found = {(k if k is not None else missing): int(n) for k, n in frame.select(key, count).iter_rows()}
    labels = list(order) + sorted(k for k in found if k not in order)
    return pl.DataFrame(
        {"label": labels, "count": [found.get(k, 0) for k in labels]},
        schema={"label": pl.String, "count": pl.Int64},
    )


def grade_chart(counts: pl.DataFrame) -> alt.LayerChart:
    order = counts["label"].to_list()
    ranked = rulebook.grades()
    palette = dict(zip(ranked, charts.grade_colors(len(ranked)), strict=True))
    colors = [palette.get(g, NO_GRADE_COLOR) for g in order]
    base = alt.Chart(counts).encode(
        x=alt.X("label:N", sort=order, title=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("count:Q", title="二级党组织数", axis=alt.Axis(tickMinStep=1, format="d")),
        tooltip=[alt.Tooltip("label:N", title="等次"), alt.Tooltip("count:Q", title="个数", format="d")],
    )
    bars = base.mark_bar(cornerRadiusTopLeft=3, cornerRadiusTopRight=3).encode(
        color=alt.Color("label:N", scale=alt.Scale(domain=order, range=colors), legend=None)
    )
    labels = base.mark_text(dy=-6, fontSize=12).encode(text=alt.Text("count:Q", format="d"))
    return (bars + labels).properties(height=220)


st.title("年终考核")

years = query(YEARS_SQL)["year"].to_list()
if not years:
    st.info("快照中还没有年终（第四季度）考核结果。")
    st.stop()

with st.sidebar:
    st.header("筛选")
    year = st.selectbox(
        "考核年度", years, index=0, format_func=lambda y: f"{y}年度", key="year", placeholder=CHOOSE
    )

period = f"{year}Q4"
frozen_banner(year)
colleges = query(COLLEGES_SQL, [period])
grades = ordered_counts(query(GRADE_COUNTS_SQL, [period]), "grade", "colleges", rulebook.grades(), "未评定")
tiers = ordered_counts(
    query(TIER_COUNTS_SQL, [period]), "tier", "branches", (*rulebook.tiers(), NO_TIER), NO_TIER
)

st.caption(
    f"{year}年度考核结果（{year}年第四季度，全年累计）。综合得分 = {TOTAL_LABEL}与述职评议得分按规则表加权。"
)

# A 学院 login holds its own row only: no count, mean or distribution over colleges is shown for it
# (they would be its own figures passed off as the university's).
scoped = current_scope() is not None
if not scoped:
    m1, m2, m3, m4 = st.columns(4)
    mean_composite = colleges["composite"].mean()
    m1.metric("二级党组织数", f"{colleges.height}")
    m2.metric("全校平均综合得分", NO_VALUE if mean_composite is None else f"{mean_composite:.2f}")
    m3.metric("一票否决", f"{int(colleges['veto'].fill_null(False).sum())}")
    m4.metric("党支部数", f"{int(tiers['count'].sum())}")
elif not colleges.is_empty():
    show_college_context(colleges.row(0, named=True), period, year_end=True)

st.subheader("二级党组织考核结果")
lowest_grade = rulebook.grades()[-1] if rulebook.grades() else None
table = colleges.select(
    flag_expr(lowest_grade),
    pl.col("rank").alias("全校排名"),
    # 年终 against last year's 年终 (quarter-to-date scores restart each January)
    pl.col("year_end_rank_change")
    .map_elements(rank_change_arrow, return_dtype=pl.String, skip_nulls=False)
    .alias("较上年年终"),
    pl.col("college_name").fill_null(pl.col("college_code")).alias("二级党组织"),
    pl.col("org_type").alias("组织类型"),
    pl.col("composite").alias("综合得分"),
    pl.col("total").alias(TOTAL_LABEL),
    pl.col("evaluation_score").alias("述职评议得分"),
    pl.col("grade").fill_null(UNGRADED).alias("等次"),
    pl.col("stars")
    .replace_strict({n: star_string(n) for n in range(MAX_STARS + 1)}, default=None, return_dtype=pl.String)
    .alias("星级"),
    pl.col("veto").alias("一票否决"),
    pl.col("veto_detail").fill_null("").alias("否决事由"),
    pl.col("adjustment_detail").fill_null("").alias("加减分说明"),
)
score_format = st.column_config.NumberColumn(format="%.2f")
st.dataframe(
    table,
    hide_index=True,
    height=fit_height(table),
    column_config={
        FLAG_COLUMN: st.column_config.TextColumn(width="small", pinned=True),
        "全校排名": st.column_config.NumberColumn(format="%d", width="small", pinned=True),
        "二级党组织": st.column_config.TextColumn(pinned=True),
        "综合得分": score_format,
        TOTAL_LABEL: score_format,
        "述职评议得分": score_format,
        "一票否决": st.column_config.CheckboxColumn(),
        "否决事由": st.column_config.TextColumn(width="medium"),
        "加减分说明": st.column_config.TextColumn(width="large"),
    },
)

note = stars_and_grades_note()
if note:
    st.info(note, icon="ℹ️")

left, right = st.columns(2)
if not scoped:
    with left:
        st.subheader("等次分布")
        cols = st.columns(len(grades))
        for col, (label, count) in zip(cols, grades.iter_rows(), strict=True):
            col.metric(label, f"{count}")
        altair_chart(grade_chart(grades))
with right if not scoped else left:
    st.subheader("本院党支部晋位升级" if scoped else "党支部晋位升级")
    cols = st.columns(len(tiers))
    for col, (label, count) in zip(cols, tiers.iter_rows(), strict=True):
        col.metric(label, f"{count}")
    ranked = rulebook.tiers()
    st.caption(f"{' ⊂ '.join(ranked)}，各支部只计其最高档次；未达到{ranked[-1]}或被一票否决的为{NO_TIER}。")

st.download_button(
    "下载年终考核结果表（Excel）",
    data=result_sheet_download(year),
    file_name=f"{year}年度考核结果.xlsx",
    mime=XLSX_MIME,
    on_click="ignore",
    icon=":material/download:",
    type="primary",
)
st.download_button(
    "下载打印版（A4 PDF）",
    data=result_pdf_download(year),
    file_name=f"{year}年度考核结果.pdf",
    mime="application/pdf",
    on_click="ignore",
    icon=":material/print:",
    help=PDF_HELP,
)

# ---- 考核反馈报告 (one per college) and the 通报 draft ------------------------------------------------

st.subheader("考核反馈报告")
st.caption(
    "每个二级党组织一份（Word 可编辑，PDF 供打印）：综合得分、等次、星级、名次，"
    "“五个到位”与全校平均和最高的对照，所属党支部、述职评议票数、发现的问题与上年问题整改情况，以及主要成绩和存在问题。"
)
if scoped:
    if not colleges.is_empty():
        own = colleges.row(0, named=True)
        report_download_buttons(
            year, own["college_code"], own["college_name"] or own["college_code"], "own_report"
        )
elif not colleges.is_empty():
    names = dict(
        zip(
            colleges["college_code"],
            colleges["college_name"].fill_null(colleges["college_code"]),
            strict=True,
        )
    )
    chosen = st.selectbox(
        "二级党组织",
        list(names),
        format_func=lambda code: names[code],
        key="report_college",
        placeholder=CHOOSE,
    )
    report_download_buttons(year, chosen, names[chosen], "college_report")
    zip_col, bulletin_col = st.columns(2)
    grade_words = rulebook.grades()
    zip_col.download_button(
        "下载全部考核反馈报告（.zip）",
        data=year_end_document_download("reports_zip", year),
        file_name=f"{year}年度考核反馈报告（全部二级党组织）.zip",
        mime="application/zip",
        on_click="ignore",
        icon=":material/folder_zip:",
    )
    bulletin_col.download_button(
        "下载考核结果通报（草稿，Word）",
        data=year_end_document_download("bulletin", year),
        file_name=f"{year}年度考核结果通报（草稿）.docx",
        mime=DOCX_MIME,
        on_click="ignore",
        icon=":material/campaign:",
        help=f"{grade_words[0]}、{grade_words[-1]}等次和一票否决的二级党组织，{'、'.join(rulebook.tiers()[:2])}党支部，"
        "等次分布；组织部在此基础上修改定稿",
    )
