"""发展党员台账 rows: the people of each branch (but the 离退休 ones) on their way into the Party, and
the date of each step, as the college's ledger stands at the end of a year.

Everything here draws from its own random streams (per college, not per year, so a person is the same
person in every year's ledger), so adding the sheet moves no other number of the demo. Most people
follow 《中国共产党发展党员工作细则》 with some slack; a handful carry one planted fault each (PLANTED),
which the audit must find.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from dagster_project.demo.model import YEARS, Branch, College, University, add_years, weekday
from dagster_project.demo.vocabulary import GIVEN_ANY, GIVEN_FEMALE, GIVEN_MALE, SURNAMES

# The audit rule each planted fault breaks, in the order they are planted (one person each, per round).
PLANTED = ("D01", "D02", "D03", "D04", "D05", "D06", "D07", "D08", "D09", "D10", "D11", "D12")
# Rounds of planting: one person per rule in a small demo, two from this many people on (scale 1).
TWO_ROUNDS_FROM = 200
NOT_ON_ANY_ROSTER = "99990001"


@dataclass
class Candidate:
    key: str
    name: str
    gender: str
    born: date
    category: str  # 教职工 | 学生
    branch: str
    applied: date
    talked: date | None = None
    activist: date | None = None
    contacts: list[str] = field(default_factory=list)
    candidate: date | None = None
    vetting: str | None = None
    hours: float | None = None
    notice_from: date | None = None
    notice_to: date | None = None
    admitted: date | None = None
    approved: date | None = None
    confirmed: date | None = None
    extended: bool = False
    fault: str | None = None


def add_months(d: date, n: int) -> date:
    y, m = divmod(d.month - 1 + n, 12)
    year, month = d.year + y, m + 1
    last = (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day
    return date(year, month, min(d.day, last))


def _monday_after(d: date) -> date:
    return d + timedelta(days=(7 - d.weekday()) % 7 or 7)


def _contacts_pool(b: Branch) -> list[str]:
    """正式党员 on the branch's roster in every demo year: contacts who stay valid throughout."""
    keys = None
    for year in YEARS:
        full = {p.key for p in b.roster[year] if p.is_full(year)}
        keys = full if keys is None else keys & full
    return sorted(keys or ())


def _person(rng: random.Random, c: College, b: Branch, serial: int, pool: list[str]) -> Candidate:
    student = b.category == "学生"
    gender = "男" if rng.random() < (0.48 if student else 0.55) else "女"
    names = (GIVEN_MALE if gender == "男" else GIVEN_FEMALE) + GIVEN_ANY
    name = SURNAMES[min(int(rng.expovariate(1 / 25)), len(SURNAMES) - 1)] + rng.choice(names)
    applied = weekday(date(2020, 9, 1) + timedelta(days=rng.randint(0, 5 * 365)))
    age = rng.randint(18, 21) if student else rng.randint(25, 42)
    born = add_years(applied, -age) - timedelta(days=rng.randint(1, 300))
    if student:
        key = f"{applied.year % 100:02d}{c.code}{b.code[-2:]}{serial:03d}"
    else:
        key = f"5{c.code}{serial:05d}"
    p = Candidate(key, name, gender, born, "学生" if student else "教职工", b.code, applied)
    # how far this person gets, whatever the years: some stay applicants, activists or candidates for
    # good; whoever is admitted is confirmed on time (the dates past the demo's last year are not seen)
    reach = rng.choices((1, 2, 3, 5), (10, 15, 15, 60))[0]
    p.talked = applied + timedelta(days=rng.randint(5, 25))
    if reach >= 2:
        p.activist = weekday(add_months(applied, 6) + timedelta(days=rng.randint(3, 120)))
        p.contacts = rng.sample(pool, min(len(pool), rng.choice((1, 2, 2))))
    if reach >= 3:
        p.candidate = weekday(add_months(p.activist, 12) + timedelta(days=rng.randint(3, 90)))
        p.hours = float(rng.choice((24, 24, 28, 32)))
        p.vetting = "合格"
    if reach >= 4:
        p.notice_from = _monday_after(p.candidate + timedelta(days=rng.randint(30, 120)))
        p.notice_to = p.notice_from + timedelta(days=rng.choice((4, 4, 7, 11)))
        p.admitted = weekday(p.notice_to + timedelta(days=rng.randint(3, 20)))
        p.approved = weekday(p.admitted + timedelta(days=rng.randint(10, 60)))
    if reach >= 5:
        p.confirmed = weekday(add_months(p.admitted, 12) + timedelta(days=rng.randint(2, 20)))
    return p


def _plant(p: Candidate, rule: str) -> Candidate:
    """One fault, breaking `rule` and no other (dates later in the chain are left as they were)."""
    changes: dict[str, Any] = {
        "D01": {"born": add_years(p.applied, -17)},
        "D02": {"talked": p.applied + timedelta(days=45)},
        "D03": {"activist": add_months(p.applied, 4)} if p.activist else {},
        "D04": {"candidate": add_months(p.activist, 10)} if p.activist and p.candidate else {},
        "D05": {"contacts": [NOT_ON_ANY_ROSTER]},
        "D06": {"vetting": None},
        "D07": {"hours": 16.0},
        "D08": {"notice_to": p.notice_from + timedelta(days=2)} if p.notice_from else {},
        "D09": {"approved": add_months(p.admitted, 4)} if p.admitted else {},
        "D10": {"confirmed": add_months(p.admitted, 10)} if p.admitted else {},
        "D11": {"confirmed": None},
        "D12": {"admitted": p.candidate - timedelta(days=3)} if p.candidate else {},
    }[rule]
    if rule == "D12":
        # the whole 接收 block moves with it, so that only the order is wrong
        changes.update(notice_from=p.notice_from - (p.admitted - changes["admitted"]))
        changes.update(notice_to=p.notice_to - (p.admitted - changes["admitted"]))
        changes.update(approved=p.approved - (p.admitted - changes["admitted"]))
        changes.update(confirmed=p.confirmed - (p.admitted - changes["admitted"]) if p.confirmed else None)
    return replace(p, fault=rule, **changes)


# What a person must have reached for a fault of each rule to show (and to be judged in the demo years).
_NEEDS = {
    "D01": "applied",
    "D02": "activist",
    "D03": "activist",
    "D04": "candidate",
    "D05": "activist",
    "D06": "admitted",
    "D07": "admitted",
    "D08": "admitted",
    "D09": "approved",
    "D10": "confirmed",
    "D11": "admitted",
    "D12": "admitted",
}


def development_people(uni: University) -> dict[str, list[Candidate]]:
    """college code -> its people in the pipeline (every year's ledger is cut from these)."""
    out: dict[str, list[Candidate]] = {}
    for c in uni.colleges:
        rng = random.Random(f"{uni.seed}:development:{c.code}")
        people = []
        for b in c.branches:
            pool = _contacts_pool(b)
            if b.category == "离退休" or not pool:
                continue
            share = 0.15 if b.category == "学生" else 0.05
            for _ in range(max(1, round(b.size * share))):
                people.append(_person(rng, c, b, len(people) + 1, pool))
        out[c.code] = people
    _plant_faults(uni, out)
    return out


def _plant_faults(uni: University, people: dict[str, list[Candidate]]) -> None:
    rng = random.Random(f"{uni.seed}:development:faults")
    everyone = [(code, i) for code, ps in sorted(people.items()) for i in range(len(ps))]
    rounds = 2 if len(everyone) >= TWO_ROUNDS_FROM else 1
    end = date(YEARS[-1], 12, 31)
    for _ in range(rounds):
        for rule in PLANTED:
            fits = [
                (code, i)
                for code, i in everyone
                if people[code][i].fault is None
                and getattr(people[code][i], _NEEDS[rule]) is not None
                and date(YEARS[0], 1, 1) <= getattr(people[code][i], _NEEDS[rule]) <= end
                # a missing 转正 shows only once the probation (+1 month) is over by the last year's end
                and (rule != "D11" or add_months(people[code][i].admitted, 13) < end)
                # a 转正 moved two months earlier must still fall in the demo years
                and (rule != "D10" or add_months(people[code][i].admitted, 10) >= date(YEARS[0], 1, 1))
            ]
            if fits:
                code, i = rng.choice(fits)
                people[code][i] = _plant(people[code][i], rule)


def development_rows(people: list[Candidate], year: int) -> list[dict[str, Any]]:
    """The ledger a college hands in for `year`: everyone who had applied by the year's end and was not
    yet a full member at its start, with the dates that had happened by then."""
    end = date(year, 12, 31)
    rows = []
    for p in sorted(people, key=lambda p: (p.branch, p.applied, p.key)):
        if p.applied > end or (p.confirmed is not None and p.confirmed < date(year, 1, 1)):
            continue

        def seen(d: date | None) -> date | None:
            return d if d is not None and d <= end else None

        admitted = seen(p.admitted)
        rows.append(
            {
                "year": year,
                "member_key": p.key,
                "person_name": p.name,
                "gender": p.gender,
                "born_on": p.born,
                "category": p.category,
                "branch_code": p.branch,
                "applied_on": p.applied,
                "talked_on": seen(p.talked),
                "activist_on": seen(p.activist),
                "contacts": "、".join(p.contacts) if seen(p.activist) else None,
                "candidate_on": seen(p.candidate),
                "vetting": p.vetting if admitted or seen(p.candidate) else None,
                "training_hours": p.hours if admitted else None,
                "notice_from": seen(p.notice_from),
                "notice_to": seen(p.notice_to),
                "admitted_on": admitted,
                "approved_on": seen(p.approved),
                "confirmed_on": seen(p.confirmed),
                "extended": "是" if p.extended else "否",
            }
        )
    return rows
