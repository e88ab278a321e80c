"""Building the demo university from the seed: colleges with their diligence profiles, branches
with the planted problems, rosters year by year, roles and secretaries."""

from __future__ import annotations

import math
import random
from datetime import date, timedelta

from dagster_project.demo.model import (
    YEARS,
    Branch,
    College,
    Person,
    University,
    add_years,
    clip,
    cn,
    rand_date,
    weekday,
)
from dagster_project.demo.people import People
from dagster_project.demo.vocabulary import (
    ADMIN_BRANCHES,
    LOGISTICS_BRANCHES,
    MESSY,
    OTHER_PROFILES,
    PROFILE_LEVELS,
    TEACHING_COLLEGES,
    TEACHING_PROFILES,
)


def _profiles(rng: random.Random) -> list[str]:
    teaching = list(TEACHING_PROFILES)
    others = list(OTHER_PROFILES)
    rng.shuffle(teaching)
    rng.shuffle(others)
    return teaching + others


def _elections(
    rng: random.Random, term: int, d: float, first: tuple[date, date], overdue: bool
) -> list[date]:
    dates = [weekday(rand_date(rng, *first))]
    if overdue:
        return dates
    while dates[-1] <= date(YEARS[-1], 12, 31):
        due = add_years(dates[-1], term)
        delay = rng.randint(-40, 0) if rng.random() < d else rng.randint(10, 75)
        dates.append(weekday(due + timedelta(days=delay)))
    return dates


def build_university(seed: int, scale: float) -> University:
    rng = random.Random(f"dangjian-demo:{seed}")
    people = People(rng)
    profiles = _profiles(rng)
    colleges: list[College] = []

    def level(profile: str) -> dict[int, float]:
        return {
            y: clip(b + rng.uniform(-0.04, 0.04), 0.05, 0.99)
            for y, b in zip(YEARS, PROFILE_LEVELS[profile], strict=True)
        }

    specs: list[tuple[str, str, str, str]] = [(s, s + "党委", "党委", "teaching") for s in TEACHING_COLLEGES]
    specs += [
        ("机关", "机关党委", "党委", "admin"),
        ("后勤", "后勤党总支", "党总支", "logistics"),
        ("离退休", "离退休党委", "党委", "retired"),
        ("图书馆", "图书馆直属党支部", "直属党支部", "direct"),
    ]
    for i, ((short, name, org_type, kind), profile) in enumerate(zip(specs, profiles, strict=True), start=1):
        dil = level(profile)
        term = 5 if org_type == "党委" else 3
        if kind == "teaching":
            staff, students = rng.randint(70, 220), rng.randint(1500, 4500)
        else:
            staff = {
                "admin": rng.randint(380, 460),
                "logistics": rng.randint(180, 260),
                "retired": rng.randint(850, 1100),
                "direct": rng.randint(45, 70),
            }[kind]
            students = 0
        colleges.append(
            College(
                code=f"{i:02d}",
                short=short,
                name=name,
                org_type=org_type,
                kind=kind,
                profile=profile,
                diligence=dil,
                staff_count=max(1, round(staff * scale)),
                student_count=round(students * scale),
                term=term,
                elections=[],
                center_group=rng.randint(9, 15),
                joint_size=rng.randint(7, 11),
            )
        )

    teaching = [c for c in colleges if c.kind == "teaching"]

    def first(profile: str, skip: tuple[str, ...] = ()) -> College:
        return next(c for c in teaching if c.profile == profile and c.code not in skip)

    overdue = first("lax")
    veto = first("declining")
    no_committee = [first("lax", (overdue.code,)), first("improving")]
    oversized_staff = first("average")
    oversized_student = first("diligent")
    not_dual = first("average", (oversized_staff.code,))
    for c in rng.sample([c for c in colleges if c.profile in ("lax", "declining")], 2):
        c.other_heavy = True

    # Branches, with the planted problems on the first branch of a kind so they survive any scale.
    for c in colleges:
        mean_d = sum(c.diligence.values()) / len(YEARS)
        c.elections = _elections(rng, c.term, mean_d, (date(2019, 6, 1), date(2022, 12, 31)), False)
        plan: list[tuple[str, str, int]] = []  # (category, name, size)
        k = scale
        if c.kind == "teaching":
            total = rng.randint(6, 9)
            n_staff = 3 if total >= 8 else 2
            n_staff_k, n_student_k = max(1, round(n_staff * k)), max(1, round((total - n_staff) * k))
            n_grad = round(n_student_k * 0.3)
            for j in range(n_staff_k):
                size = rng.randint(18, 42)
                if j == 0 and c is oversized_staff:
                    size = 54
                plan.append(("教工", f"{c.short}教工第{cn(j + 1)}党支部", size))
            for j in range(n_student_k):
                size = rng.randint(21, 29)
                if j == 0 and c is oversized_student:
                    size = 34
                if j < n_student_k - n_grad:
                    plan.append(("学生", f"{c.short}本科生第{cn(j + 1)}党支部", size))
                else:
                    plan.append(
                        ("学生", f"{c.short}研究生第{cn(j - (n_student_k - n_grad) + 1)}党支部", size)
                    )
        elif c.kind == "admin":
            for j in range(max(1, round(14 * k))):
                name = ADMIN_BRANCHES[j] if j < len(ADMIN_BRANCHES) else f"机关第{cn(j + 1)}党支部"
                plan.append(("机关", name, rng.randint(12, 34)))
        elif c.kind == "logistics":
            n = max(1, round(6 * k))
            for j in range(n):
                name = LOGISTICS_BRANCHES[j] if j < len(LOGISTICS_BRANCHES) else f"后勤第{cn(j + 1)}党支部"
                plan.append(("后勤", name, 5 if (j == n - 1 and n >= 2) else rng.randint(9, 24)))
        elif c.kind == "retired":
            for j in range(max(1, round(8 * k))):
                plan.append(("离退休", f"离退休第{cn(j + 1)}党支部", 56 if j == 0 else rng.randint(22, 38)))
        else:  # the 直属党支部 is its own (only) branch
            plan.append(("教工", c.name, rng.randint(22, 28)))
        width = 2 if len(plan) < 100 else len(str(len(plan)))
        for j, (category, name, size) in enumerate(plan, start=1):
            code = c.code if c.kind == "direct" else f"{c.code}{j:0{width}d}"
            first_window = (
                (date(2019, 5, 1), date(2020, 6, 30))
                if c is overdue
                else (date(2020, 9, 1), date(2022, 12, 31))
            )
            if c.kind == "direct":
                first_window = (date(2021, 3, 1), date(2022, 12, 31))
            term: int | None = 3
            if c.profile == "average" and rng.random() < 0.3:
                term = None  # blank: the default of 3 applies
            c.branches.append(
                Branch(
                    code=code,
                    name=name,
                    category=category,
                    college=c.code,
                    size=size,
                    offset=clip(rng.gauss(0, 0.06), -0.12, 0.12),
                    term=term,
                    elections=_elections(rng, 3, mean_d, first_window, c is overdue),
                    dual_leader=(True if category == "教工" else None),
                    skip_committee=False,
                )
            )
        staff_branches = [b for b in c.branches if b.category == "教工"]
        if c is not_dual:
            staff_branches[0].dual_leader = False
        if c in no_committee:
            staff_branches[0].skip_committee = True

    _populate(rng, people, colleges)
    uni_sec = _pick_university_secretary(colleges)

    oversized = [
        b.code
        for c in colleges
        for b in c.branches
        if any(len(b.roster[y]) > (30 if b.category == "学生" else 50) for y in YEARS)
    ]
    small = [b.code for c in colleges for b in c.branches if b.size < 7]
    extras: dict[tuple[int, str], list[Person]] = {}
    for year, college, kind, *_ in MESSY:
        if kind == "members":
            extras[(year, college)] = [people.extra_member(year)]
    return University(
        seed=seed,
        colleges=colleges,
        secretary=uni_sec,
        veto=(2024, veto.code),
        overdue_college=overdue.code,
        oversized=oversized,
        no_committee=[next(b for b in c.branches if b.category == "教工").code for c in no_committee],
        not_dual_leader=next(b for b in not_dual.branches if b.category == "教工").code,
        small=small,
        extras=extras,
    )


def _populate(rng: random.Random, people: People, colleges: list[College]) -> None:
    """Rosters for every year: students graduate and join, staff retire into 离退休 branches."""
    y0 = YEARS[0]
    before = date(y0 - 1, 12, 31)
    retired_branches = [b for c in colleges if c.kind == "retired" for b in c.branches]
    for c in colleges:
        for b in c.branches:
            roster: list[Person] = []
            if b.category == "学生":
                counselor = people.staff((1986, 1996), before)
                counselor.rank = -1.0  # the counselor is the student branch's secretary
                roster.append(counselor)
                for _ in range(b.size - 1):
                    how = rng.choices(("member", "new", "incoming"), (70, 20, 10))[0]
                    roster.append(people.student(c.code, y0, how))
            elif b.category == "离退休":
                roster += [people.staff((1936, 1962), before, retiree=True) for _ in range(b.size)]
            else:
                n_new = rng.choice((0, 1, 1))
                roster += [people.staff((1964, 1999), before) for _ in range(b.size - n_new)]
                roster += [people.new_staff(y0) for _ in range(n_new)]
            b.roster[y0] = roster
    for year in YEARS[1:]:
        movers: list[Person] = []
        for c in colleges:
            for b in c.branches:
                if b.category == "离退休":
                    continue
                roster = []
                for p in b.roster[year - 1]:
                    if p.grad_year is not None and p.grad_year <= year:
                        continue
                    if p.retire_year is not None and p.retire_year <= year:
                        movers.append(p)
                        continue
                    roster.append(p)
                if b.category == "学生":
                    target = max(3, b.size + rng.randint(-2, 2))
                    if b.size <= 30:  # only the planted oversized branch breaks the 学生 limit
                        target = min(target, 30)
                    while len(roster) < target:
                        how = "new" if rng.random() < 0.55 else "incoming"
                        roster.append(people.student(c.code, year, how))
                else:
                    roster += [people.new_staff(year) for _ in range(rng.choice((0, 0, 1, 1, 2)))]
                b.roster[year] = roster
        for b in retired_branches:
            b.roster[year] = [
                p for p in b.roster[year - 1] if not (year - p.born.year > 80 and rng.random() < 0.03)
            ]
        for p in movers:
            # a new retiree joins the smallest 离退休 branch, or moves to a community Party organisation
            # (leaves the university's rosters) when every 离退休 branch is full
            home = min(retired_branches[1:] or retired_branches, key=lambda b: len(b.roster[year]))
            if len(home.roster[year]) < 44:
                home.roster[year].append(p)
    for c in colleges:
        for b in c.branches:
            for year in YEARS:
                _assign_roles(b, year)
        _assign_college(rng, c)


def _assign_roles(b: Branch, year: int) -> None:
    roster = b.roster[year]
    prev = b.secretary.get(year - 1)
    eligible = [
        p
        for p in roster
        if p.is_full(year)
        and p.stays_through_demo()
        and (b.category == "离退休" or p.category(year) == "教职工")
    ]
    keep = prev is not None and prev in roster
    sec = prev if keep else min(eligible or roster, key=lambda p: p.rank)
    b.secretary[year] = sec
    roles = {sec.key: "书记"}
    full = sorted((p for p in roster if p.is_full(year) and p is not sec), key=lambda p: p.rank)
    if len(full) + 1 >= 7:
        wanted = ["组织委员", "宣传委员"]
        if len(roster) >= 15:
            wanted.append("纪检委员")
        if len(roster) >= 30:
            wanted += ["副书记", "党小组长", "党小组长"]
        for p, role in zip(full, wanted, strict=False):
            roles[p.key] = role
    b.roles[year] = roles


def _assign_college(rng: random.Random, c: College) -> None:
    home = c.branches[0]
    for year in YEARS:
        required = max(1, math.ceil((c.staff_count + c.student_count) / 1000))
        d = c.diligence[year]
        c.organizers[year] = required if rng.random() < d else max(0, required - rng.randint(1, 2))
        if c.kind == "direct":
            c.secretary[year] = home.secretary[year]
            continue
        prev = c.secretary.get(year - 1)
        roles = home.roles[year]
        if prev is not None and prev in home.roster[year]:
            c.secretary[year] = prev
        else:
            pool = [
                p
                for p in home.roster[year]
                if p.key not in roles
                and p.is_full(year)
                and p.stays_through_demo()
                and (c.kind == "retired" or p.category(year) == "教职工")
            ]
            c.secretary[year] = min(pool or home.roster[year], key=lambda p: p.rank)
        if c.kind == "teaching" and c.organizers[year] >= 1:
            sec = c.secretary[year]
            pool = sorted(
                (
                    p
                    for p in home.roster[year]
                    if p.key not in roles and p is not sec and p.category(year) == "教职工"
                ),
                key=lambda p: p.rank,
            )
            if pool:
                roles[pool[0].key] = "组织员"


def _pick_university_secretary(colleges: list[College]) -> dict[int, Person]:
    admin = next(c for c in colleges if c.kind == "admin")
    home = admin.branches[0]
    out: dict[int, Person] = {}
    for year in YEARS:
        taken = set(home.roles[year]) | {admin.secretary[year].key}
        prev = out.get(year - 1)
        if prev is not None and prev in home.roster[year]:
            out[year] = prev
            continue
        pool = [p for p in home.roster[year] if p.key not in taken and p.stays_through_demo()]
        out[year] = sorted(pool or home.roster[year], key=lambda p: p.rank)[-1]
    return out
