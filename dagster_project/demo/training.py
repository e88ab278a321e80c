"""学习培训台账 rows: each member's training over the year, as diligent as the branch."""

from __future__ import annotations

import math
import random
from datetime import date, timedelta
from typing import Any

from dagster_project.demo.model import Branch, College, Person, in_month
from dagster_project.demo.vocabulary import COURSES_BY_YEAR, LECTURES, ONLINE, PRACTICE, STUDY_TOPICS

_FORMS = ("支部学习", "专题讲座", "网络学习", "集中培训", "主题实践")
_FORM_WEIGHTS = (35, 25, 20, 10, 10)


def training_rows(
    rng: random.Random, p: Person, year: int, d: float, required: int, c: College, b: Branch
) -> list[dict[str, Any]]:
    if p.lost:
        return []
    meets = rng.random() < min(0.98, 1.1 * d**1.5)
    target = required * (rng.uniform(1.0, 1.3) if meets else rng.uniform(0.25, 0.92))
    first_month = p.joined.month if p.joined.year == year else 1
    months = list(range(first_month, 13))
    k = 2.6 * (1 - d)  # lax units train late in the year
    weights = [((m - 0.5) / 12) ** k for m in months]
    rows: list[dict[str, Any]] = []
    seen: set[tuple[str, date]] = set()
    total = 0.0
    leader = required > 32
    year_courses = COURSES_BY_YEAR[year]
    for _ in range(80):
        if total >= target or len(rows) >= 40:
            break
        form = rng.choices(_FORMS, _FORM_WEIGHTS)[0]
        month = rng.choices(months, weights)[0]
        start = in_month(rng, year, month)
        if p.joined > start:
            start = min(p.joined + timedelta(days=rng.randint(1, 20)), date(year, 12, 30))
        end: date | None = start
        if form == "支部学习":
            hours = rng.choice((2, 2, 2.5, 3))
            topic = STUDY_TOPICS[(start.month + len(b.code)) % len(STUDY_TOPICS)]
            course = f"{start.month}月支部集中学习：{topic}"
            organizer = b.name
            end = None if rng.random() < 0.5 else start
        elif form == "专题讲座":
            hours = rng.choice((2, 3, 3, 4))
            course = rng.choice(LECTURES)
            organizer = rng.choice(("党委宣传部", "党委组织部", c.name))
        elif form == "网络学习":
            hours = rng.choice((4, 6, 8, 10, 12))
            organizer, course = rng.choice(ONLINE)
            end = min(start + timedelta(days=rng.randint(7, 40)), date(year, 12, 31))
        elif form == "集中培训":
            if leader and rng.random() < 0.5:
                course = "党支部书记和支委能力提升培训班"
                hours = rng.choice((16, 24))
            else:
                course = rng.choice(year_courses)
                hours = rng.choice((8, 12, 16))
            organizer = rng.choice(("党委组织部", "党委党校"))
            end = min(start + timedelta(days=max(0, math.ceil(hours / 8) - 1)), date(year, 12, 31))
        else:
            hours = rng.choice((4, 6, 8))
            course = rng.choice(PRACTICE)
            organizer = c.name
        if not meets and total + hours >= required:
            break
        if (course, start) in seen:
            continue
        seen.add((course, start))
        total += hours
        rows.append(
            {
                "member_key": p.key,
                "member_name": p.name,
                "course": course,
                "form": form,
                "started_on": start,
                "ended_on": end,
                "hours": hours,
                "organizer": organizer,
            }
        )
    rows.sort(key=lambda r: r["started_on"])
    return rows
