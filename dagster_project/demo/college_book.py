"""A college's workbook for a year: 党员花名册, 学习培训台账, 组织生活台账, 经费台账, 党费台账 and
发展党员台账."""

from __future__ import annotations

import random
from typing import Any

from dagster_project.demo.activities import branch_activities, college_activities
from dagster_project.demo.development import development_people, development_rows
from dagster_project.demo.funding import branch_funding, college_funding
from dagster_project.demo.model import LEADER_ROLES, YEARS, Book, College, Person, Sheet, University, in_month
from dagster_project.demo.training import training_rows


def college_book(uni: University, c: College, year: int) -> Book:
    rng = random.Random(f"{uni.seed}:{c.code}:{year}")
    members: list[Any] = []
    training: list[Any] = []
    activities: list[Any] = []
    funding: list[Any] = []
    dues: list[Any] = []
    paid_total = 0.0
    for b in c.branches:
        d = uni.branch_diligence(c, b, year)
        roster = sorted(b.roster[year], key=lambda p: p.key)
        roles = b.roles[year]
        for p in roster:
            members.append(_member_row(p, year, b.code, roles.get(p.key)))
        for p in roster:
            role = roles.get(p.key, "")
            training += training_rows(rng, p, year, d, 56 if role in LEADER_ROLES else 32, c, b)
        for p in roster:
            rows, paid = _dues_rows(rng, p, year, d)
            dues += rows
            paid_total += paid
        activities += branch_activities(rng, b, year, d)
        funding += branch_funding(rng, c, b, year, d)
    activities += college_activities(rng, c, year)
    funding += college_funding(rng, c, year, paid_total)
    activities.sort(key=lambda r: (r["org_code"], r["held_on"], r["activity_type"]))
    funding.sort(key=lambda r: (r["org_code"], r["booked_on"]))
    for p in uni.extras.get((year, c.code), []):
        members.append(_member_row(p, year, c.branches[0].code, None))
    filler = c.branches[0].roster[year][-1].name
    auditor = c.secretary[year].name
    label = f"（{year}年度）"
    sheets = [
        Sheet("members", f"{c.name}党员花名册{label}", members, filler, auditor),
        Sheet("training", f"{c.name}党员学习培训台账{label}", training, filler, auditor),
        Sheet("activities", f"{c.name}组织生活台账{label}", activities, filler, auditor),
        Sheet("funding", f"{c.name}党建经费台账{label}", funding, filler, auditor),
        Sheet("dues", f"{c.name}党费收缴台账{label}", dues, filler, auditor),
    ]
    # a 离退休 college's ledger is empty: the sheet is handed in all the same
    rows = development_rows(development_people(uni).get(c.code, []), year)
    sheets.append(Sheet("development", f"{c.name}发展党员台账{label}", rows, filler, auditor))
    return Book(
        f"{year}_{c.code}_{c.name}.xlsx",
        f"{c.name}{year}年度党建工作台账",
        sheets,
        f"{uni.seed}:{c.code}:{year}:book",
    )


def _member_row(p: Person, year: int, branch_code: str, role: str | None) -> dict[str, Any]:
    full = p.is_full(year)
    return {
        "year": year,
        "member_key": p.key,
        "member_name": p.name,
        "gender": p.gender,
        "born_on": p.born,
        "id_card": p.id_card,
        "category": p.category(year),
        "branch_code": branch_code,
        "status": "正式党员" if full else "预备党员",
        "joined_on": p.joined,
        "confirmed_on": p.confirmed() if full else None,
        "party_role": role or (None if p.blank_role else "普通党员"),
        "lost_contact": "是" if p.lost else "否",
        "floating": "是" if p.floating else "否",
    }


def _dues_rows(rng: random.Random, p: Person, year: int, d: float) -> tuple[list[dict[str, Any]], float]:
    first_month = p.joined.month if p.joined.year == year else 1
    due = round(p.monthly_due * (1.03 ** (year - YEARS[0])), 2) if p.base_category != "学生" else 0.2
    if p.category(year) == "离退休" and p.base_category == "教职工":
        due = round(due * 0.4, 2)
    on_time = 0.72 + 0.27 * d
    unpaid = 0.035 * (1 - d)
    rows = []
    paid_total = 0.0
    for m in range(first_month, 13):
        r = rng.random()
        if p.lost or r < unpaid:
            paid, paid_on = None, None
        elif r < unpaid + on_time:
            paid, paid_on = due, in_month(rng, year, m, 3, 25)
        else:
            nxt_y, nxt_m = (year, m + 1) if m < 12 else (year + 1, 1)
            paid, paid_on = due, in_month(rng, nxt_y, nxt_m, 1, 20)
        if paid is not None:
            paid_total += paid
        rows.append(
            {
                "member_key": p.key,
                "month": f"{year}-{m:02d}",
                "amount_due": due,
                "amount_paid": paid,
                "paid_on": paid_on,
            }
        )
    return rows, paid_total
