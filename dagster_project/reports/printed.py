"""The year-end result sheet for print: an A4 PDF the 校党委 can hold in its hands.

The spreadsheet (result_sheet.py) is for working with the numbers; scaled to a page it printed at
about 4-point type. This writes the same rows as an HTML document laid out for A4 landscape —
colleges first on their own page(s), branches in their own section, 10.5-point text, long texts
wrapped inside their cells, 差 and 一票否决 rows marked, the issuing unit and date on top, and a
note with the formula, the star and grade rules and the 等次 counts — and prints it to PDF with
Chromium (the browser the project already needs; nothing is fetched from the internet).

Every number comes from the published snapshot's marts as the .xlsx has it; the rules in the note
come from the published rulebook tables (rule_parameters, rule_star_cutoffs, rule_grades).
"""

import datetime as dt
import html
import os
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb

from dagster_project.reports import result_sheet as rs
from dagster_project.reports.sheets import write_atomically
from dagster_project.serving.client import reading

CHROMIUM_ENV = "DANGJIAN_CHROMIUM"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
FONT = '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei", sans-serif'
FLAG_GRADE = "差"
BRANCH_NOTE = "底色标出的行：一票否决。星级按七个有力总分；晋位升级档次只在第四季度评定。"

STYLE = f"""
@page {{ size: A4 landscape; margin: 12mm 10mm 16mm 10mm; }}
body {{ font-family: {FONT}; font-size: 11pt; color: #111; margin: 0; }}
h1 {{ font-size: 16pt; text-align: center; margin: 0 0 2mm; }}
.meta {{ text-align: center; font-size: 11pt; margin-bottom: 4mm; }}
h2 {{ font-size: 13pt; margin: 0 0 2mm; }}
table {{ width: 100%; border-collapse: collapse; table-layout: auto; }}
thead {{ display: table-header-group; }}
tr {{ page-break-inside: avoid; }}
th, td {{ border: 0.6pt solid #444; padding: 1mm 1.2mm; vertical-align: middle; font-size: 11pt; }}
th {{ background: #eee; font-weight: bold; text-align: center; }}
td.num {{ text-align: right; white-space: nowrap; }}
td.mid {{ text-align: center; white-space: nowrap; }}
td.text {{ word-break: break-all; min-width: 18mm; }}
td.name {{ min-width: 32mm; }}
th.num {{ width: 11mm; }}
tr.flag td {{ background: #fde3e0; font-weight: bold; }}
.note {{ margin-top: 4mm; font-size: 11pt; line-height: 1.5; }}
.branches {{ page-break-before: always; }}
"""


def write_result_pdf(serving_db: Path, year: int, out: Path, *, today: dt.date | None = None) -> Path:
    """Write the printable result sheet of `year` to `out` (.pdf). Raises ValueError (Chinese) for a
    year without Q4 results, FileNotFoundError without a snapshot or without Chromium."""
    with reading(serving_db) as con:
        document = result_html(con, year, today=today)
    write_atomically(Path(out), lambda path: print_pdf(document, path))
    return Path(out)


def result_html(con: duckdb.DuckDBPyConnection, year: int, *, today: dt.date | None = None) -> str:
    """The result sheet of `year` as one HTML document laid out for A4 (see the module docstring)."""
    period = f"{int(year)}Q4"
    years = rs.year_end_years(con)
    if int(year) not in years:
        listed = "、".join(str(y) for y in sorted(years)) if years else "（暂无）"
        raise ValueError(f"{year}年度没有年终（第四季度）考核结果。已有年终考核结果的年度：{listed}")
    college_dims = rs.dimension_names(con, "college")
    branch_dims = rs.dimension_names(con, "branch")
    colleges = rs.college_results(con, period, college_dims)
    branches = rs.branch_results(con, period, branch_dims)
    settings = dict(con.execute("select setting, value from marts.rule_report_settings").fetchall())
    unit = settings.get("issuing_unit", "")
    dated = (today or dt.date.today()).strftime("%Y年%m月%d日").replace("年0", "年").replace("月0", "月")

    college_rows = [
        (rs.college_row(r, college_dims), r["grade"] == FLAG_GRADE or bool(r["veto"]))
        for r in colleges.iter_rows(named=True)
    ]
    branch_rows = [(rs.branch_row(r, branch_dims), bool(r["veto"])) for r in branches.iter_rows(named=True)]
    college_headers = (*rs.COLLEGE_LEAD, *college_dims.values(), *rs.COLLEGE_TAIL)
    branch_headers = (*rs.BRANCH_LEAD, *branch_dims.values(), *rs.BRANCH_TAIL)
    grades = [
        g for g, _ in con.execute("select grade, rank_order from marts.rule_grades order by 2").fetchall()
    ]
    counts = {g: sum(1 for r in colleges.iter_rows(named=True) if r["grade"] == g) for g in grades}

    return "".join(
        [
            "<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'>",
            f"<style>{STYLE}</style></head><body>",
            f"<h1>{_e(year)}年度二级党组织党建工作考核结果</h1>",
            f"<div class='meta'>{_e(unit)}　{_e(dated)}</div>",
            _table(college_headers, college_rows),
            f"<div class='note'>{'<br>'.join(_e(line) for line in notes(con, counts))}</div>",
            "<section class='branches'>",
            f"<h1>{_e(year)}年度党支部党建工作考核结果</h1>",
            f"<div class='meta'>{_e(unit)}　{_e(dated)}</div>",
            _table(branch_headers, branch_rows),
            f"<div class='note'>{_e(BRANCH_NOTE)}</div>",
            "</section></body></html>",
        ]
    )


def notes(con: duckdb.DuckDBPyConnection, counts: dict[str, int]) -> list[str]:
    """The lines under the colleges' table: formula, star rule, grade rule, 等次 counts."""
    params = dict(con.execute("select parameter, value from marts.rule_parameters").fetchall())
    assessment = params.get("composite_weight_assessment")
    evaluation = params.get("composite_weight_evaluation")
    stars = con.execute("select stars, min_total from marts.rule_star_cutoffs order by stars desc").fetchall()
    grades = con.execute(
        "select grade, min_composite, max_share from marts.rule_grades order by rank_order"
    ).fetchall()
    lines = []
    if assessment is not None and evaluation is not None:
        lines.append(
            f"计算方法：综合得分 = 党建工作考核得分 × {_pct(assessment)} "
            f"+ 述职评议得分 × {_pct(evaluation)}；"
            "党建工作考核得分为五个到位各维度得分的加权平均，另计加减分。"
        )
    lines.append(
        "星级（按党建工作考核得分）："
        + "，".join(f"{'★' * int(s)} 不低于{_num(m)}分" for s, m in stars)
        + "；一票否决为不定级。"
    )
    lines.append(
        "等次（按综合得分）："
        + "，".join(
            f"{g} 不低于{_num(m)}分" + (f"且不超过{_pct(share)}" if share is not None else "")
            for g, m, share in grades
            if m is not None and m > 0
        )
        + "；一票否决为差。星级与等次的依据不同，★★★★★ 的单位也可能因“好”的比例限制评为较好。"
    )
    lines.append(
        "等次分布："
        + "，".join(f"{g} {n} 个" for g, n in counts.items())
        + "。底色标出的行：等次为差或一票否决。"
    )
    return lines


def print_pdf(document: str, path: Path) -> None:
    """Print `document` to `path` as an A4 landscape PDF with Chromium, page numbers in the footer."""
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    footer = (
        f"<div style='width:100%;text-align:center;font-family:{html.escape(FONT)};font-size:10pt'>"
        "第 <span class='pageNumber'></span> 页，共 <span class='totalPages'></span> 页</div>"
    )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.set_content(document, wait_until="load")
            page.pdf(
                path=str(path),
                format="A4",
                landscape=True,
                print_background=True,
                prefer_css_page_size=True,
                display_header_footer=True,
                header_template="<div></div>",
                footer_template=footer,
                margin={"top": "12mm", "bottom": "16mm", "left": "10mm", "right": "10mm"},
            )
        finally:
            browser.close()


def chromium_path() -> str:
    """The Chromium to print with: `DANGJIAN_CHROMIUM`, else `chromium` on PATH (Debian's package)."""
    found = os.environ.get(CHROMIUM_ENV) or shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        raise FileNotFoundError(
            "未找到 Chromium 浏览器，无法生成 PDF（Excel 版已导出）。请安装 Debian 的 chromium 软件包，"
            f"或用环境变量 {CHROMIUM_ENV} 指明浏览器程序的位置。"
        )
    return found


def _table(headers: Sequence[str], rows: Sequence[tuple[list[Any], bool]]) -> str:
    numeric = {
        h
        for i, h in enumerate(headers)
        if rows
        and all(isinstance(v[i], float) or v[i] is None for v, _ in rows)
        and h not in rs.LAYOUT.max_width
    }
    head = "".join(f"<th class='num'>{_e(h)}</th>" if h in numeric else f"<th>{_e(h)}</th>" for h in headers)
    body = []
    for values, flagged in rows:
        cells = "".join(_cell(h, v) for h, v in zip(headers, values, strict=True))
        body.append(f"<tr class='flag'>{cells}</tr>" if flagged else f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _cell(header: str, value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        text = f"{value:.2f}" if isinstance(value, float) else str(value)
        return f"<td class='num'>{text}</td>"
    kind = "text" if header in rs.LAYOUT.wrapped else "name" if header in rs.LAYOUT.max_width else "mid"
    return f"<td class='{kind}'>{_e('' if value is None else value)}</td>"


def _e(value: Any) -> str:
    return html.escape(str(value))


def _pct(share: float) -> str:
    return f"{share * 100:g}%"


def _num(value: float) -> str:
    return f"{value:g}"
