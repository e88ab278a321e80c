"""The demo university as the generator builds it: people, branches, colleges, the university, and
the books (workbooks) and sheets written from them; with the small date and counting helpers."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, NamedTuple

YEARS = (2023, 2024, 2025)
UNIVERSITY_CODE = "00"
UNIVERSITY_NAME = "华章大学党委"
LEADER_ROLES = ("书记", "副书记", "组织委员", "宣传委员", "纪检委员", "组织员")
COMMITTEE_ROLES = ("书记", "副书记", "组织委员", "宣传委员", "纪检委员")


class MessyRow(NamedTuple):
    """One deliberately bad cell; the reader must send its row to the rejects."""

    file: str  # file name in the inbox
    sheet: str
    row: int  # Excel row number as the user sees it
    column: str  # the column's header
    value: str  # the raw value written ("" = left blank)
    reason: str


@dataclass(eq=False)
class Person:
    key: str
    name: str
    gender: str
    born: date
    id_card: str
    base_category: str  # 教职工 | 学生 | 离退休
    joined: date
    rank: float  # stable seniority draw: lower ranks get branch roles first
    blank_role: bool  # write 党内职务 blank instead of 普通党员
    monthly_due: float
    grad_year: int | None = None  # students: leaves the roster in this year
    retire_year: int | None = None  # staff: moves to a 离退休 branch in this year
    lost: bool = False
    floating: bool = False

    def category(self, year: int) -> str:
        if self.retire_year is not None and self.retire_year <= year:
            return "离退休"
        return self.base_category

    def confirmed(self) -> date:
        return add_years(self.joined, 1)

    def is_full(self, year: int) -> bool:
        return self.confirmed() <= date(year, 12, 31)

    def stays_through_demo(self) -> bool:
        return self.retire_year is None or self.retire_year > YEARS[-1]


@dataclass(eq=False)
class Branch:
    code: str
    name: str
    category: str  # 教工 | 学生 | 机关 | 后勤 | 离退休
    college: str
    size: int
    offset: float  # diligence offset against its college
    term: int | None  # 任期年限 as written (None = blank, default 3)
    elections: list[date]
    dual_leader: bool | None = None  # 教工 branches only
    skip_committee: bool = False
    roster: dict[int, list[Person]] = field(default_factory=dict)
    secretary: dict[int, Person] = field(default_factory=dict)
    roles: dict[int, dict[str, str]] = field(default_factory=dict)  # year -> member key -> role

    def last_election(self, year: int) -> date:
        return max(d for d in self.elections if d <= date(year, 12, 31))


@dataclass(eq=False)
class College:
    code: str
    short: str
    name: str
    org_type: str
    kind: str  # teaching | admin | logistics | retired | direct
    profile: str
    diligence: dict[int, float]
    staff_count: int
    student_count: int
    term: int
    elections: list[date]
    center_group: int
    joint_size: int
    other_heavy: bool = False
    branches: list[Branch] = field(default_factory=list)
    secretary: dict[int, Person] = field(default_factory=dict)
    organizers: dict[int, int] = field(default_factory=dict)

    def last_election(self, year: int) -> date:
        return max(d for d in self.elections if d <= date(year, 12, 31))


@dataclass(eq=False)
class University:
    seed: int
    colleges: list[College]
    secretary: dict[int, Person]
    veto: tuple[int, str]
    overdue_college: str
    oversized: list[str]
    no_committee: list[str]
    not_dual_leader: str
    small: list[str]
    extras: dict[tuple[int, str], list[Person]]  # messy extra members per (year, college)

    def branch_diligence(self, college: College, branch: Branch, year: int) -> float:
        return clip(college.diligence[year] + branch.offset, 0.05, 0.99)


class Messy:
    """A data row whose `column` is written as the raw text `raw` (blank when "")."""

    __slots__ = ("values", "column", "raw", "reason")

    def __init__(self, values: dict[str, Any], column: str, raw: str, reason: str):
        self.values, self.column, self.raw, self.reason = values, column, raw, reason


@dataclass
class Sheet:
    kind: str
    title: str
    rows: list[Any]  # dict[str, Any] | Messy
    filler: str
    auditor: str


@dataclass
class Book:
    file_name: str
    title: str
    sheets: list[Sheet]
    seed_tag: str


def clip(x: float, lo: float, hi: float) -> float:
    return max(lo, min(hi, x))


def add_years(d: date, n: int) -> date:
    try:
        return d.replace(year=d.year + n)
    except ValueError:  # 29 Feb
        return d.replace(year=d.year + n, day=28)


def rand_date(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, max(0, (end - start).days)))


def weekday(d: date) -> date:
    """Move a weekend date to the nearest working day in the same month."""
    if d.weekday() < 5:
        return d
    forward = d + timedelta(days=7 - d.weekday())
    return forward if forward.month == d.month else d - timedelta(days=d.weekday() - 4)


def in_month(rng: random.Random, year: int, month: int, lo: int = 1, hi: int = 28) -> date:
    return weekday(date(year, month, rng.randint(lo, hi)))


def month_end(year: int, month: int) -> date:
    return (date(year + month // 12, month % 12 + 1, 1)) - timedelta(days=1)


def cn(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 20:
        return "十" + (digits[n % 10] if n % 10 else "")
    if n < 100:
        return digits[n // 10] + "十" + (digits[n % 10] if n % 10 else "")
    return str(n)


def n_of(rng: random.Random, required: int, d: float) -> int:
    """How many of `required` yearly meetings a unit of diligence `d` actually holds."""
    if rng.random() < d:
        return required + (1 if rng.random() < 0.15 else 0)
    return max(0, round(required * rng.uniform(0.25, 0.9)))


def spread(rng: random.Random, n: int, slots: int) -> list[int]:
    """`n` distinct slot indexes (0-based) out of `slots`, plus repeats when n > slots."""
    picked = sorted(rng.sample(range(slots), min(n, slots)))
    while len(picked) < n:
        picked.append(rng.randrange(slots))
    return sorted(picked)
