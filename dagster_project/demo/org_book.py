"""The 组织部's workbook for a year: 组织架构, 任务清单, 述职评议, 加减分, 责任清单自查 and the 整改台账 of
the year's 自查 problems."""

from __future__ import annotations

import random
from datetime import date
from typing import Any

from dagster_project.demo.model import UNIVERSITY_CODE, UNIVERSITY_NAME, YEARS, Book, Sheet, University
from dagster_project.demo.rectifications import rectification_rows
from dagster_project.demo.tasks import seed_style_task_rows, task_rows
from dagster_project.demo.vocabulary import BONUSES, PENALTIES, TASKS, VETO


def org_book(uni: University, year: int, with_returns: bool = True) -> Book:
    """The book of `year`; with_returns: with the 整改台账 of last year's problems (read off last year's
    book, whose 自查 answers they are)."""
    rng = random.Random(f"{uni.seed}:org:{year}")
    colleges = uni.colleges
    usec = uni.secretary[year]
    orgs: list[Any] = [
        {
            "year": year,
            "org_code": UNIVERSITY_CODE,
            "org_name": UNIVERSITY_NAME,
            "org_type": "党委",
            "parent_code": None,
            "secretary_key": usec.key,
            "secretary_name": usec.name,
            "last_election_on": date(2021, 12, 17),
            "term_years": 5,
            "staff_count": sum(c.staff_count for c in colleges if c.kind != "retired"),
            "student_count": sum(c.student_count for c in colleges),
        }
    ]
    for c in colleges:
        sec = c.secretary[year]
        row = {
            "year": year,
            "org_code": c.code,
            "org_name": c.name,
            "org_type": c.org_type,
            "parent_code": UNIVERSITY_CODE,
            "secretary_key": sec.key,
            "secretary_name": sec.name,
            "last_election_on": c.last_election(year),
            "term_years": c.term,
            "staff_count": c.staff_count,
            "student_count": c.student_count,
            "organizer_count": c.organizers[year],
        }
        if c.kind == "direct":
            b = c.branches[0]
            row.update(
                branch_category="教工",
                secretary_dual_leader="是",
                last_election_on=b.last_election(year),
                term_years=3,
            )
        orgs.append(row)
    for c in colleges:
        if c.kind == "direct":
            continue
        for b in c.branches:
            sec = b.secretary[year]
            dual = None if b.dual_leader is None else ("是" if b.dual_leader else "否")
            orgs.append(
                {
                    "year": year,
                    "org_code": b.code,
                    "org_name": b.name,
                    "org_type": "党支部",
                    "parent_code": c.code,
                    "branch_category": b.category,
                    "secretary_key": sec.key,
                    "secretary_name": sec.name,
                    "secretary_dual_leader": dual,
                    "last_election_on": b.last_election(year),
                    "term_years": b.term,
                }
            )
    tasks = task_rows(rng, uni, year)
    tasks += seed_style_task_rows(uni, year, first_number=len(TASKS) + 2)
    evaluations: list[Any] = []
    for c in colleges:
        evaluations.append(_votes(rng, year, c.code, rng.randint(60, 160), c.diligence[year]))
    for c in colleges:
        if c.kind == "direct":
            continue
        for b in c.branches:
            n = len(b.roster[year])
            evaluations.append(
                _votes(
                    rng,
                    year,
                    b.code,
                    max(3, round(n * rng.uniform(0.8, 1.0))),
                    uni.branch_diligence(c, b, year),
                )
            )
    adjustments = _adjustments(rng, uni, year)
    checklist: list[Any] = []
    for c in colleges:
        d = c.diligence[year]
        for q in range(1, 37):
            r = rng.random()
            answer = (
                "是"
                if r < 0.1 + 0.88 * d
                else ("部分" if r < 0.1 + 0.88 * d + 0.7 * (0.9 - 0.88 * d) else "否")
            )
            checklist.append({"year": year, "org_code": c.code, "question_no": q, "answer": answer})
    admin = next(c for c in colleges if c.kind == "admin").branches[0].roster[year]
    filler, auditor = admin[1].name, admin[2].name
    sheets = [
        Sheet("orgs", f"华章大学党组织架构（{year}年度）", orgs, filler, auditor),
        Sheet("tasks", f"{year}年度基层党建重点工作任务清单", tasks, filler, auditor),
        Sheet("evaluations", f"{year}年度党组织书记抓党建述职评议测评汇总", evaluations, filler, auditor),
        Sheet("adjustments", f"{year}年度党建考核加减分汇总", adjustments, filler, auditor),
        Sheet("checklist", f"{year}年度党建工作责任清单和问题清单自查汇总", checklist, filler, auditor),
    ]
    if with_returns:
        last = org_book(uni, year - 1, with_returns=False).sheets if year - 1 in YEARS else []
        answers = next((s.rows for s in last if s.kind == "checklist"), [])
        rectifications = rectification_rows(uni, year, answers, {s.kind: s.rows for s in last})
        sheets.append(Sheet("rectifications", f"{year}年度问题清单整改台账", rectifications, filler, auditor))
    return Book(
        f"{year}_组织部_考核汇总.xlsx",
        f"华章大学{year}年度党建工作考核汇总",
        sheets,
        f"{uni.seed}:org:{year}:book",
    )


def _votes(rng: random.Random, year: int, code: str, voters: int, d: float) -> dict[str, Any]:
    p_good = 0.3 + 0.6 * d
    p_fair = (1 - p_good) * 0.7
    p_avg = (1 - p_good - p_fair) * (0.85 if d > 0.5 else 0.6)
    counts = [0, 0, 0, 0]
    for _ in range(voters):
        r = rng.random()
        counts[
            0 if r < p_good else 1 if r < p_good + p_fair else 2 if r < p_good + p_fair + p_avg else 3
        ] += 1
    return {
        "year": year,
        "org_code": code,
        "votes_good": counts[0],
        "votes_fair_good": counts[1],
        "votes_average": counts[2],
        "votes_poor": counts[3],
    }


def _adjustments(rng: random.Random, uni: University, year: int) -> list[Any]:
    rows: list[Any] = []
    seen: set[tuple[str, str]] = set()
    ranked = sorted(uni.colleges, key=lambda c: (-c.diligence[year], c.code))
    for kind, pool, items, points in (
        ("加分", ranked[:8], BONUSES, (1, 2, 3)),
        ("扣分", ranked[-8:], PENALTIES, (1, 2, 3, 5)),
    ):
        for _ in range(rng.randint(3, 5)):
            c = rng.choice(pool)
            target = c.code
            if c.kind != "direct" and rng.random() < 0.5:
                target = rng.choice(c.branches).code
            reason, basis = rng.choice(items)
            if (target, reason) in seen:
                continue
            seen.add((target, reason))
            rows.append(
                {
                    "year": year,
                    "org_code": target,
                    "adjustment_type": kind,
                    "points": float(rng.choice(points)),
                    "reason": reason,
                    "basis": basis,
                }
            )
    if year == uni.veto[0]:
        rows.append(
            {
                "year": year,
                "org_code": uni.veto[1],
                "adjustment_type": "一票否决",
                "points": None,
                "reason": VETO[0],
                "basis": VETO[1],
            }
        )
    rows.sort(key=lambda r: (r["org_code"], r["adjustment_type"]))
    return rows
