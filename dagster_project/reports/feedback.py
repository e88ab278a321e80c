"""考核反馈报告 (the year-end feedback report), one per college: a .docx the college's secretary can
open and edit in Word, WPS or LibreOffice, and its PDF (office_pdf.py), on A4 in Chinese.

The contents (feedback_data.py): the college's composite, grade, stars, rank of N and the change of
rank against last year's 年终; the 五个到位 dimensions (names and order from the rulebook) against the
university's mean and best, as a table and as a chart (rendered offline with the shared Altair
theme); its branches' totals, stars and tiers; the 述职评议 votes; the problems found this year with
their 问题编号 and the 整改 status of last year's; a generated 主要成绩 / 存在问题 paragraph.
"""

import datetime as dt
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import altair as alt
import duckdb
import polars as pl

from dagster_project.reports import docx_base as dx
from dagster_project.reports import feedback_text as ft
from dagster_project.reports.chart_theme import BEST_COLOR, MEAN_COLOR, OWN_COLOR, chart_png
from dagster_project.reports.feedback_data import CollegeReport, read_college_report, year_end_colleges
from dagster_project.reports.office_pdf import docx_to_pdf
from dagster_project.reports.sheets import write_atomically
from dagster_project.serving.client import reading

SERIES = ("本院", "全校平均", "全校最高")
UNSAFE_IN_NAMES = re.compile(r'[\\/:*?"<>|\s]+')


@dataclass(frozen=True)
class ReportsWritten:
    year: int
    documents: list[Path]  # .docx, one per college
    pdfs: list[Path]
    archive: Path | None  # the .zip of all colleges (without --college)
    pdf_error: str | None = None  # why there is no PDF (no LibreOffice here)


def report_name(year: int, college_name: str) -> str:
    """File name stem: 2025年度考核反馈报告_计算机学院党委 (no path separators from a name)."""
    safe = UNSAFE_IN_NAMES.sub("_", college_name)
    return f"{int(year)}年度考核反馈报告_{safe}"


def dimension_chart(report: CollegeReport) -> alt.Chart:
    rows = [
        {"维度": d.name, "系列": series, "得分": value, "顺序": i}
        for i, d in enumerate(report.dimensions)
        for series, value in zip(SERIES, (d.score, d.mean, d.best), strict=True)
        if value is not None
    ]
    frame = pl.DataFrame(
        rows, schema={"维度": pl.String, "系列": pl.String, "得分": pl.Float64, "顺序": pl.Int64}
    )
    order = [d.name for d in report.dimensions]
    return (
        alt.Chart(frame)
        .mark_bar(height={"band": 0.9})
        .encode(
            y=alt.Y("维度:N", sort=order, title=None),
            yOffset=alt.YOffset("系列:N", sort=list(SERIES)),
            x=alt.X("得分:Q", scale=alt.Scale(domain=[0, 100]), title="得分"),
            color=alt.Color(
                "系列:N",
                sort=list(SERIES),
                scale=alt.Scale(domain=list(SERIES), range=[OWN_COLOR, MEAN_COLOR, BEST_COLOR]),
                legend=alt.Legend(orient="bottom", title=None),
            ),
        )
        .properties(width=440, height=34 * max(1, len(order)), title="“五个到位”各项得分与全校对照")
    )


def college_report_docx(report: CollegeReport, *, today: dt.date | None = None) -> bytes:
    doc = dx.new_document()
    dx.title(
        doc,
        f"{report.college_name}{report.year}年度基层党建工作考核反馈报告",
        f"{report.issuing_unit}　{dx.chinese_date(today or dt.date.today())}",
    )

    dx.heading(doc, "一、考核结果")
    results = [
        ("综合得分", ft.score(report.composite)),
        ("等次", report.grade or ft.NO_VALUE),
        ("党建工作考核得分", ft.score(report.total)),
        ("星级", ft.stars(report.stars)),
        ("述职评议得分", ft.score(report.evaluation_score)),
        ("全校排名", ft.rank_of(report)),
        ("全校平均综合得分", ft.score(report.composite_mean)),
        ("较上年年终", ft.rank_change(report.year_end_rank_change)),
        ("全校最高综合得分", ft.score(report.composite_best)),
        ("一票否决", f"是（{report.veto_detail or ''}）" if report.veto else "否"),
    ]
    # two pairs a row, so that the result, the dimensions and their chart share the first page
    dx.table(
        doc,
        ("项目", "结果", "项目", "结果"),
        [(*results[i], *results[i + 1]) for i in range(0, len(results), 2)],
        widths_mm=(36, 30, 30, 70),
    )
    dx.paragraph(doc, "党建工作考核得分即“五个到位”总分；综合得分由它与述职评议得分按规则表的权重合成。")

    dx.heading(doc, "二、“五个到位”各项得分")
    dx.table(
        doc,
        ("维度", "本院得分", "全校平均", "全校最高"),
        [(d.name, ft.score(d.score), ft.score(d.mean), ft.score(d.best)) for d in report.dimensions],
        widths_mm=(64, 34, 34, 34),
    )
    dx.picture(doc, chart_png(dimension_chart(report)))

    dx.heading(doc, "三、所属党支部考核结果")
    if report.branches:
        dx.table(
            doc,
            ("党支部", "类别", "总分", "星级", "晋位升级档次", "一票否决"),
            [
                (
                    b.name,
                    b.category or "",
                    ft.score(b.total),
                    ft.stars(b.stars),
                    b.tier or "未定级",
                    "是" if b.veto else "否",
                )
                for b in report.branches
            ],  # fmt: skip
            flagged=[b.veto for b in report.branches],
            widths_mm=(62, 16, 20, 26, 24, 18),
        )
    else:
        dx.paragraph(doc, "本院本年度没有党支部考核结果。")

    dx.heading(doc, "四、述职评议（民主测评）")
    if report.votes is not None:
        v = report.votes
        dx.table(
            doc,
            ("好", "较好", "一般", "差", "合计", "述职评议得分"),
            [(v.good, v.fair_good, v.average, v.poor, v.total, ft.score(report.evaluation_score))],
        )
    else:
        dx.paragraph(doc, "本年度没有本院的述职评议测评票数。")

    dx.heading(doc, "五、考核发现的问题")
    if report.problems:
        dx.table(
            doc,
            ("问题编号", "所在组织", "来源", "严重程度", "问题描述"),
            [(p.problem_id, p.org_name, p.source_name, p.severity, p.description) for p in report.problems],
            widths_mm=(30, 34, 24, 18, 60),
        )
        dx.paragraph(
            doc, "请对照问题编号填写整改台账（可用 dangjian problems 导出预填的台账），限期整改、逐项销号。"
        )
    else:
        dx.paragraph(doc, "本年度考核没有发现问题。")

    dx.heading(doc, f"六、{report.year - 1}年度问题整改情况")
    if report.last_year_problems:
        dx.table(
            doc,
            ("问题编号", "所在组织", "问题描述", "整改状态", "完成日期"),
            [
                (p.problem_id or "自查发现", p.org_name, p.description, p.status, p.completed_on or "")
                for p in report.last_year_problems
            ],
            flagged=[p.status == "逾期" for p in report.last_year_problems],
            widths_mm=(30, 34, 56, 20, 26),
        )
    else:
        dx.paragraph(doc, f"{report.year - 1}年度没有需要整改的问题。")

    dx.heading(doc, "七、主要成绩与存在问题")
    dx.paragraph(doc, ft.achievements(report), lead="主要成绩：")
    dx.paragraph(doc, ft.shortcomings(report), lead="存在问题：")
    return dx.to_bytes(doc)


def write_report_docx(con: duckdb.DuckDBPyConnection, year: int, college: str, folder: Path, today) -> Path:
    report = read_college_report(con, year, college)
    content = college_report_docx(report, today=today)
    path = folder / f"{report_name(year, report.college_name)}.docx"
    write_atomically(path, lambda p: p.write_bytes(content))
    return path


def write_college_reports(
    serving_db: Path,
    year: int,
    out: Path,
    college: str | None = None,
    *,
    today: dt.date | None = None,
    with_pdf: bool = True,
) -> ReportsWritten:
    """With `college`: its report to `out` (a .docx; the PDF next to it). Without: every college's
    report into the folder `out` and a .zip of them all there. ValueError (Chinese) for a year or
    college without Q4 results; FileNotFoundError without a snapshot."""
    out = Path(out)
    with reading(serving_db) as con:
        if college is not None:
            report = read_college_report(con, year, college)
            target = (
                out
                if out.suffix.lower() == ".docx"
                else out / f"{report_name(year, report.college_name)}.docx"
            )
            target.parent.mkdir(parents=True, exist_ok=True)
            content = college_report_docx(report, today=today)
            write_atomically(target, lambda p: p.write_bytes(content))
            documents = [target]
        else:
            colleges = year_end_colleges(con, year)  # a year without Q4 results: refused, nothing made
            out.mkdir(parents=True, exist_ok=True)
            documents = [write_report_docx(con, year, code, out, today) for code, _ in colleges]
    pdfs, error = [], None
    if with_pdf:
        try:
            pdfs = docx_to_pdf(documents, documents[0].parent)
        except (FileNotFoundError, RuntimeError) as exc:
            error = str(exc)
    archive = None
    if college is None:
        archive = out / f"{int(year)}年度考核反馈报告（全部二级党组织）.zip"

        def zip_all(path: Path) -> None:
            with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
                for file in [*documents, *pdfs]:
                    z.write(file, file.name)

        write_atomically(archive, zip_all)
    return ReportsWritten(year=int(year), documents=documents, pdfs=pdfs, archive=archive, pdf_error=error)
