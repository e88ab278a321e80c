"""The draft of the year's 考核结果通报: a .docx the 组织部 edits rather than writes.

It lists the colleges of the best grade and of the worst grade, the 一票否决 with their reasons (of
colleges and of branches), the branches of the two highest 晋位升级 tiers and the 等次 distribution.
Grade and tier words and their order come from the published rulebook (marts.rule_grades,
marts.rule_tiers); the issuing unit from marts.rule_report_settings; every name and number from
marts.college_scores and marts.branch_scores of the year's Q4.
"""

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

from dagster_project.reports import docx_base as dx
from dagster_project.reports.feedback_data import year_end_colleges
from dagster_project.reports.feedback_text import score
from dagster_project.reports.result_sheet import branch_veto_reasons
from dagster_project.reports.sheets import write_atomically
from dagster_project.serving.client import reading

# The 晋位升级 tiers named branch by branch (the rest are counted): 红旗 and 示范性 in today's rulebook.
NAMED_TIERS = 2


@dataclass(frozen=True)
class BulletinWritten:
    path: Path
    year: int
    best: list[str]  # college names of the best grade
    worst: list[str]
    vetoed: list[str]


def _grades(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r[0] for r in con.execute("select grade from marts.rule_grades order by rank_order").fetchall()]


def _tiers(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r[0] for r in con.execute("select tier from marts.rule_tiers order by rank_order").fetchall()]


def _colleges(con: duckdb.DuckDBPyConnection, period: str) -> list[dict]:
    frame = con.sql(
        "select rank, coalesce(college_name, college_code) as name, composite, grade, "
        "coalesce(veto, false) as veto, veto_detail from marts.college_scores "
        "where period = ? order by rank nulls last, college_code",
        params=[period],
    ).pl()
    return frame.to_dicts()


def _branches(con: duckdb.DuckDBPyConnection, period: str) -> list[dict]:
    frame = con.sql(
        "select coalesce(branch_name, branch_code) as name, coalesce(college_name, college_code) as college, "
        "total, stars, tier, coalesce(veto, false) as veto, adjustment_detail from marts.branch_scores "
        "where period = ? order by rank_overall nulls last, branch_code",
        params=[period],
    ).pl()
    return frame.to_dicts()


def _source(con: duckdb.DuckDBPyConnection) -> str:
    """The 述职评议 rule's document, as the rulebook cites it (rule_grades.source, first title)."""
    row = con.execute("select source from marts.rule_grades order by rank_order limit 1").fetchone()
    found = re.search(r"《[^》]+》", (row[0] if row else "") or "")
    return found.group(0) if found else "有关考核办法"


def bulletin_docx(
    con: duckdb.DuckDBPyConnection, year: int, *, today: dt.date | None = None
) -> tuple[bytes, dict]:
    """(.docx bytes, {best, worst, vetoed: [college names]}) of the 通报 draft of `year`."""
    year = int(year)
    year_end_colleges(con, year)  # ValueError for a year without Q4 results
    period = f"{year}Q4"
    grades, tiers = _grades(con), _tiers(con)
    best_grade, worst_grade = grades[0], grades[-1]
    colleges = _colleges(con, period)
    branches = _branches(con, period)
    settings = dict(con.execute("select setting, value from marts.rule_report_settings").fetchall())
    unit = settings.get("issuing_unit", "")
    dated = dx.chinese_date(today or dt.date.today())

    best = [c for c in colleges if c["grade"] == best_grade]
    worst = [c for c in colleges if c["grade"] == worst_grade]
    vetoed = [c for c in colleges if c["veto"]]
    vetoed_branches = [b for b in branches if b["veto"]]

    doc = dx.new_document()
    dx.title(doc, f"关于{year}年度基层党建工作考核结果的通报（草稿）", f"{unit}　{dated}")
    doc.add_paragraph("各二级党组织：")
    counts = {g: sum(1 for c in colleges if c["grade"] == g) for g in grades}
    distribution = "、".join(f"“{g}”{n}个" for g, n in counts.items())
    dx.paragraph(
        doc,
        f"根据{_source(con)}和学校基层党建工作考核有关规定，校党委组织开展了{year}年度基层党建工作考核和"
        f"党组织书记抓基层党建工作述职评议考核。全校{len(colleges)}个二级党组织参加考核，其中{distribution}。"
        "现将考核结果通报如下。",
    )

    dx.heading(doc, f"一、考核等次为“{best_grade}”的二级党组织（{len(best)}个）")
    _college_table(doc, best, f"本年度没有考核等次为“{best_grade}”的二级党组织。")
    dx.heading(doc, f"二、考核等次为“{worst_grade}”的二级党组织（{len(worst)}个）")
    _college_table(doc, worst, f"本年度没有考核等次为“{worst_grade}”的二级党组织。")

    dx.heading(doc, "三、一票否决")
    rows = [(c["name"], "二级党组织", c["veto_detail"] or "") for c in vetoed]
    rows += [
        (b["name"], b["college"], "；".join(branch_veto_reasons(b["adjustment_detail"])))
        for b in vetoed_branches
    ]
    if rows:
        dx.table(doc, ("组织", "所属", "否决事由"), rows, widths_mm=(50, 40, 76))
    else:
        dx.paragraph(doc, "本年度没有一票否决的党组织。")

    dx.heading(doc, "四、党支部晋位升级")
    tier_counts = "、".join(f"“{t}”{sum(1 for b in branches if b['tier'] == t)}个" for t in tiers)
    dx.paragraph(doc, f"全校{len(branches)}个党支部参加考核，评定{tier_counts}。")
    for tier in tiers[:NAMED_TIERS]:
        named = [b for b in branches if b["tier"] == tier]
        doc.add_paragraph(f"“{tier}”党支部（{len(named)}个）", style="Heading 2")
        if named:
            dx.table(
                doc,
                ("党支部", "所属二级党组织", "总分"),
                [(b["name"], b["college"], score(b["total"])) for b in named],
                widths_mm=(66, 66, 34),
            )
        else:
            dx.paragraph(doc, f"本年度没有“{tier}”党支部。")

    dx.heading(doc, "五、有关要求")
    dx.paragraph(
        doc,
        f"考核等次为“{best_grade}”的二级党组织要总结经验、发挥示范作用；考核等次为“{worst_grade}”和被一票否决的党组织"
        "要认真查找原因，对照考核反馈报告列出的问题清单制定整改措施，限期整改、逐项销号，整改情况报校党委组织部。",
    )
    signature = doc.add_paragraph(f"{unit}\n{dated}")
    signature.alignment = 2  # right
    names = {
        "best": [c["name"] for c in best],
        "worst": [c["name"] for c in worst],
        "vetoed": [c["name"] for c in vetoed],
    }
    return dx.to_bytes(doc), names


def _college_table(doc, colleges: list[dict], empty: str) -> None:
    if not colleges:
        dx.paragraph(doc, empty)
        return
    dx.table(
        doc,
        ("名次", "二级党组织", "综合得分", "一票否决"),
        [(c["rank"], c["name"], score(c["composite"]), "是" if c["veto"] else "否") for c in colleges],
        widths_mm=(18, 80, 34, 34),
    )


def write_bulletin(
    serving_db: Path, year: int, out: Path, *, today: dt.date | None = None
) -> BulletinWritten:
    with reading(serving_db) as con:
        content, names = bulletin_docx(con, year, today=today)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(out, lambda p: p.write_bytes(content))
    return BulletinWritten(path=out, year=int(year), **names)
