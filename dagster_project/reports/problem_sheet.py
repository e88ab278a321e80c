"""The 问题清单 of a year as a pre-filled 整改台账 workbook (`dangjian problems`, the 整改跟踪 page's
download): one row per problem with 年度 (the year the problem was found), 问题编号, 组织编码, 问题描述 and,
where a college already reported, its latest measure, owner, deadline, status and 完成日期. The headers
are the 整改台账 contract's, each with a note saying how to fill it, so the workbook loads back as it
comes back; a row left without measure and status loads as 未整改."""

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

import duckdb
import xlsxwriter

from dagster_project.contracts import KINDS
from dagster_project.contracts.explain import header_note
from dagster_project.reports.sheets import Layout, Styles, new_workbook, write_atomically, write_table
from dagster_project.serving.client import reading

KIND = KINDS["rectifications"]
SHEET_NAME = KIND.title

PROBLEMS_SQL = """
select
    p.year, p.problem_id, p.org_code, p.description,
    r.measure, r.responsible_person, r.deadline_text, r.deadline, r.reported_status, r.completed_on
from marts.problems as p
left join marts.rectifications as r
    on r.problem_id = p.problem_id and r.year = p.year
-- within an org, the gravest sources first, in the rulebook's order (as on the 整改跟踪 page)
left join marts.rule_problem_sources as s
    on s.problem_source = p.problem_source
where p.year = ? and (? is null or p.college_code = ?)
order by p.college_code, p.org_code, s.sort_order nulls last, p.source_key
"""


@dataclass(frozen=True)
class ProblemSheet:
    """What `write_problem_sheet` wrote: the workbook, the year, the college (None: all) and its rows."""

    path: Path | None
    year: int
    college: str | None
    problems: int


def _rows(con: duckdb.DuckDBPyConnection, year: int, college: str | None) -> list[list[object]]:
    rows = []
    for r in con.execute(PROBLEMS_SQL, [year, college, college]).fetchall():
        year_, problem_id, org_code, description, measure, person, deadline_text, deadline, status, done = r
        by_column = {
            "year": year_,
            "problem_id": problem_id,
            "org_code": org_code,
            "description": description,
            "measure": measure,
            "responsible_person": person,
            "deadline": deadline_text or (deadline.isoformat() if deadline else None),
            "status": status,
            "completed_on": dt.datetime.combine(done, dt.time()) if done else None,
        }
        rows.append([by_column.get(c.name) for c in KIND.columns])
    return rows


def _styles(wb: xlsxwriter.Workbook) -> Styles:
    text = wb.add_format({"valign": "top", "num_format": "@"})
    return Styles(
        header=wb.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1, "align": "center"}),
        text=text,
        wrap=wb.add_format({"valign": "top", "text_wrap": True}),
        center=text,
        blank=text,
        integer=wb.add_format({"valign": "top", "num_format": "0"}),
        decimal=wb.add_format({"valign": "top", "num_format": "0.00"}),
        datetime=wb.add_format({"valign": "top", "num_format": "yyyy-mm-dd"}),
        title=wb.add_format({"bold": True, "font_size": 14, "align": "center", "valign": "vcenter"}),
    )


def _write(target: Path | io.BytesIO, year: int, college: str | None, rows: list[list[object]]) -> None:
    wb = new_workbook(target)
    headers = [c.header for c in KIND.columns]
    title = f"{college + ' ' if college else ''}{year}年度问题清单整改台账（填写整改措施、整改状态后报送）"
    ws = write_table(
        wb, SHEET_NAME, headers, rows, _styles(wb),
        Layout(max_width={"问题描述": 60, "整改措施": 40}, wrapped=frozenset({"问题描述"})), title=title,
    )  # fmt: skip
    # the notes explain each column where the college fills it in, on the header row itself
    for c, column in enumerate(KIND.columns):
        ws.write_comment(1, c, header_note(column), {"x_scale": 2.5, "y_scale": 2})
    wb.close()


def write_problem_sheet_from(
    con: duckdb.DuckDBPyConnection, year: int, out: Path | io.BytesIO, college: str | None = None
) -> ProblemSheet:
    """Write year's problems (of `college` and its branches, or all) from `con`'s `marts` to `out`.
    ValueError (in Chinese, with the years that have problems) for a year without any."""
    rows = _rows(con, int(year), college)
    if not rows:
        years = [y for (y,) in con.execute("select distinct year from marts.problems order by 1").fetchall()]
        listed = "、".join(str(y) for y in years) or "（暂无）"
        where = f"二级党组织 {college} " if college else ""
        raise ValueError(f"{where}{year} 年度没有问题清单；有问题清单的年度：{listed}")
    if isinstance(out, io.BytesIO):
        _write(out, int(year), college, rows)
        path = None
    else:
        path = Path(out)
        write_atomically(path, lambda tmp: _write(tmp, int(year), college, rows))
    return ProblemSheet(path, int(year), college, len(rows))


def write_problem_sheet(serving_db: Path, year: int, out: Path, college: str | None = None) -> ProblemSheet:
    """`write_problem_sheet_from` on the published snapshot (FileNotFoundError when there is none)."""
    with reading(serving_db) as con:
        return write_problem_sheet_from(con, year, out, college)


def problem_sheet_xlsx(con: duckdb.DuckDBPyConnection, year: int, college: str | None = None) -> bytes:
    """The pre-filled workbook as bytes (the page's download)."""
    buffer = io.BytesIO()
    write_problem_sheet_from(con, year, buffer, college)
    return buffer.getvalue()
