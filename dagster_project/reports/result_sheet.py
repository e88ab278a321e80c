"""The official year-end result sheet (`dangjian export`, and the 年终考核 page's download).

`write_result_sheet` writes one .xlsx with two sheets in Chinese: 二级党组织考核结果 (one row per
二级党组织 of the year's Q4, by 名次) and 党支部考核结果 (one row per 党支部, by 全校排名). Every number
comes from `marts.college_scores` / `marts.branch_scores` as published; this module selects and
formats them and computes nothing.

Only the published `serving.duckdb` is read (short-lived, read-only, parameterised queries); the
workbook is written to a temporary file next to `out` and renamed into place.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from dagster_project.reports.sheets import (
    NO,
    YES,
    Layout,
    Styles,
    new_workbook,
    write_atomically,
    write_table,
)
from dagster_project.serving.client import reading

COLLEGE_SHEET = "二级党组织考核结果"
BRANCH_SHEET = "党支部考核结果"

NO_STARS = "不定级"
NO_TIER = "未定级"
VETO_PREFIX = "一票否决："
DETAIL_SEPARATOR = "；"


COLLEGE_LEAD = ("名次", "二级党组织", "组织类型")
COLLEGE_TAIL = ("党建工作考核得分", "述职评议得分", "综合得分", "等次", "星级", "一票否决", "加减分说明")
BRANCH_LEAD = ("名次", "党支部", "所属二级党组织", "支部类别")
BRANCH_TAIL = ("总分", "星级", "晋位升级", "一票否决")

LAYOUT = Layout(
    max_width={"二级党组织": 30, "党支部": 36, "所属二级党组织": 30, "一票否决": 40, "加减分说明": 50},
    wrapped=frozenset({"一票否决", "加减分说明"}),
    centered=frozenset({"组织类型", "支部类别", "等次", "星级", "晋位升级"}),
)


@dataclass(frozen=True)
class ResultSheet:
    """What `write_result_sheet` wrote: the workbook, the year and the rows of each sheet."""

    path: Path
    year: int
    colleges: int
    branches: int


def write_result_sheet(serving_db: Path, year: int, out: Path) -> ResultSheet:
    """Write the year-end result sheet of `year` (period f"{year}Q4") to `out` as an .xlsx.

    Raises `FileNotFoundError` when there is no published snapshot and `ValueError` (Chinese message
    listing the years that have results) when `year` has no Q4 results.
    """
    with reading(serving_db) as con:
        return write_result_sheet_from(con, year, out)


def write_result_sheet_from(con: duckdb.DuckDBPyConnection, year: int, out: Path) -> ResultSheet:
    """`write_result_sheet` from an open connection whose `marts` is a snapshot's (or the part of one
    a dashboard viewer may see: dashboards/scoping.py)."""
    out = Path(out)
    period = f"{int(year)}Q4"
    years = year_end_years(con)
    if int(year) not in years:
        listed = "、".join(str(y) for y in sorted(years)) if years else "（暂无）"
        raise ValueError(f"{year}年度没有年终（第四季度）考核结果。已有年终考核结果的年度：{listed}")
    college_dims = dimension_names(con, "college")
    branch_dims = dimension_names(con, "branch")
    colleges = college_results(con, period, college_dims)
    branches = branch_results(con, period, branch_dims)
    college_headers = (*COLLEGE_LEAD, *college_dims.values(), *COLLEGE_TAIL)
    branch_headers = (*BRANCH_LEAD, *branch_dims.values(), *BRANCH_TAIL)
    college_rows = [college_row(r, college_dims) for r in colleges.iter_rows(named=True)]
    branch_rows = [branch_row(r, branch_dims) for r in branches.iter_rows(named=True)]

    def write(path: Path) -> None:
        wb = new_workbook(path)
        try:
            wb.set_properties({"title": f"{year}年度党建工作考核结果", "subject": "党建工作考核"})
            styles = _styles(wb)
            college_title = f"{year}年度二级党组织党建工作考核结果"
            first = write_table(
                wb, COLLEGE_SHEET, college_headers, college_rows, styles, LAYOUT, title=college_title
            )
            _for_printing(first)
            branch_title = f"{year}年度党支部党建工作考核结果"
            _for_printing(
                write_table(wb, BRANCH_SHEET, branch_headers, branch_rows, styles, LAYOUT, title=branch_title)
            )
            first.activate()
        finally:
            wb.close()

    write_atomically(out, write)
    return ResultSheet(path=out, year=int(year), colleges=len(college_rows), branches=len(branch_rows))


# --- reading -----------------------------------------------------------------------------------


def year_end_years(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Years with Q4 results in `marts.college_scores`, newest first."""
    rows = con.execute(
        "select distinct year from marts.college_scores where quarter = 4 order by year desc"
    ).fetchall()
    return [int(r[0]) for r in rows]


def _score_columns(dims: dict[str, str]) -> str:
    return ", ".join(f'"{code}"' for code in dims)


def college_results(con: duckdb.DuckDBPyConnection, period: str, dims: dict[str, str]) -> pl.DataFrame:
    """One row per 二级党组织 of `period`, by rank (ties by code), with the score columns of `dims`."""
    return con.sql(
        f"""
        select rank, college_code, college_name, org_type, {_score_columns(dims)},
               total, evaluation_score, composite, grade, stars, veto, veto_detail, adjustment_detail
        from marts.college_scores
        where period = ?
        order by rank nulls last, college_code
        """,
        params=[period],
    ).pl()


def branch_results(con: duckdb.DuckDBPyConnection, period: str, dims: dict[str, str]) -> pl.DataFrame:
    """One row per 党支部 of `period`, by 全校排名 (ties by code), with the score columns of `dims`."""
    return con.sql(
        f"""
        select rank_overall, branch_code, branch_name, college_name, branch_category,
               {_score_columns(dims)}, total, stars, tier, veto, adjustment_detail
        from marts.branch_scores
        where period = ?
        order by rank_overall nulls last, branch_code
        """,
        params=[period],
    ).pl()


def dimension_names(con: duckdb.DuckDBPyConnection, level: str) -> dict[str, str]:
    """{score column: dimension name} of `level` ("college" 五个到位 / "branch" 七个有力), in the
    rulebook's order, from the snapshot's published rulebook (marts.rule_dimensions): a dimension
    added to the rulebook is a column of the result sheet with no change here."""
    rows = con.execute(
        "select score_column, dimension_name from marts.rule_dimensions where level = ? order by sort_order",
        [level],
    ).fetchall()
    if not rows:
        raise ValueError("数据快照中没有规则表 rule_dimensions（维度名称），请先运行 dangjian run 重新发布")
    return dict(rows)


# --- formatting --------------------------------------------------------------------------------


def stars_text(stars: int | None) -> str:
    """4 -> "★★★★"; 0 (一票否决) -> "不定级"; NULL -> ""."""
    if stars is None:
        return ""
    return "★" * int(stars) if int(stars) > 0 else NO_STARS


def college_veto_text(veto: bool | None, veto_detail: str | None) -> str:
    """ "否", or "是（组织：事由；…）" from `veto_detail`."""
    if not veto:
        return NO
    detail = (veto_detail or "").strip()
    return f"{YES}（{detail}）" if detail else YES


def branch_veto_reasons(adjustment_detail: str | None) -> list[str]:
    """The 一票否决 reasons in a branch's `adjustment_detail` ("加分：…；一票否决：…")."""
    parts = (adjustment_detail or "").split(DETAIL_SEPARATOR)
    return [p.strip()[len(VETO_PREFIX) :] for p in parts if p.strip().startswith(VETO_PREFIX)]


def branch_veto_text(veto: bool | None, adjustment_detail: str | None) -> str:
    if not veto:
        return NO
    reasons = DETAIL_SEPARATOR.join(branch_veto_reasons(adjustment_detail))
    return f"{YES}（{reasons}）" if reasons else YES


def college_row(r: dict[str, Any], dims: dict[str, str]) -> list[Any]:
    return [
        r["rank"],
        r["college_name"] or r["college_code"],
        r["org_type"] or "",
        *[r[code] for code in dims],
        r["total"],
        r["evaluation_score"],
        r["composite"],
        r["grade"] or "",
        stars_text(r["stars"]),
        college_veto_text(r["veto"], r["veto_detail"]),
        r["adjustment_detail"] or "",
    ]


def branch_row(r: dict[str, Any], dims: dict[str, str]) -> list[Any]:
    return [
        r["rank_overall"],
        r["branch_name"] or r["branch_code"],
        r["college_name"] or "",
        r["branch_category"] or "",
        *[r[code] for code in dims],
        r["total"],
        stars_text(r["stars"]),
        r["tier"] or NO_TIER,
        branch_veto_text(r["veto"], r["adjustment_detail"]),
    ]


# --- writing -----------------------------------------------------------------------------------


def _styles(wb: xlsxwriter.Workbook) -> Styles:
    base = {"valign": "vcenter", "border": 1}
    score = wb.add_format({**base, "num_format": "0.00"})
    return Styles(
        title=wb.add_format({"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"}),
        header=wb.add_format(
            {**base, "bold": True, "bg_color": "#F2DCDB", "align": "center", "text_wrap": True}
        ),
        text=wb.add_format(base),
        center=wb.add_format({**base, "align": "center"}),
        wrap=wb.add_format({**base, "text_wrap": True}),
        integer=wb.add_format({**base, "align": "center", "num_format": "0"}),
        decimal=score,
        blank=score,
    )


def _for_printing(ws: Worksheet) -> None:
    """Landscape A4, one page wide, title and header repeated on every page."""
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0, 1)
    ws.center_horizontally()
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
    ws.set_footer("&C第 &P 页，共 &N 页")
