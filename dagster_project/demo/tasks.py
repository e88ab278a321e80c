"""任务清单 rows: the tasks of each college, and rows written as the source documents write them."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from dagster_project.demo.model import University, month_end, weekday
from dagster_project.demo.vocabulary import SEED_STYLE_TASKS, TASK_SOURCES, TASKS, TASKS_BY_YEAR
from dagster_project.ingest.deadlines import read_deadlines


def _deadline(rng: random.Random, year: int) -> tuple[date | str, date]:
    """A 完成时限 as written, and the date it means."""
    style = rng.choices(range(7), (25, 20, 20, 10, 10, 8, 7))[0]
    m = rng.randint(3, 12)
    if style == 0:
        day = month_end(year, m)
        return day, day
    if style == 1:
        return f"{year}年{m}月底前", month_end(year, m)
    if style == 2:
        return f"{m}月底前", month_end(year, m)
    if style == 3:
        m1 = rng.randint(3, 8)
        m2 = rng.randint(m1 + 1, 12)
        return f"{year}年{m1}月-{m2}月", month_end(year, m2)
    if style == 4:
        return f"{m}月中旬前", date(year, m, 20)
    return ("常态化推进" if style == 5 else "长期坚持"), date(year, 12, 31)


def task_rows(rng: random.Random, uni: University, year: int) -> list[Any]:
    rows: list[Any] = []
    colleges = uni.colleges
    by_kind = defaultdict(list)
    for c in colleges:
        by_kind[c.kind].append(c)
    catalog = [*TASKS, TASKS_BY_YEAR[year]]
    for n, (task, scope) in enumerate(catalog, start=1):
        if scope == "all":
            owners = colleges
        elif scope == "teaching":
            owners = by_kind["teaching"]
        elif scope == "some":
            owners = sorted(rng.sample(colleges, rng.randint(3, 7)), key=lambda c: c.code)
        else:
            owners = by_kind[scope]
        deadline, due = _deadline(rng, year)
        ongoing = isinstance(deadline, str) and deadline in ("常态化推进", "长期坚持")
        source = rng.choice(TASK_SOURCES).format(y=year)
        points = float(rng.choice((2, 3, 3, 5)))
        for c in owners:
            d = c.diligence[year]
            status, done = "推进中", None
            if rng.random() < 0.5 + 0.48 * d:
                on_time = rng.random() < 0.45 + 0.55 * d
                if on_time:
                    done = weekday(max(date(year, 1, 15), due - timedelta(days=rng.randint(0, 45))))
                    done = min(done, due)
                elif due + timedelta(days=5) <= date(year, 12, 31) and not ongoing:
                    done = weekday(min(date(year, 12, 31), due + timedelta(days=rng.randint(5, 60))))
                    if done <= due:
                        done = None
                if done is not None:
                    status = "已完成"
            elif rng.random() > d:
                status = "未启动" if not ongoing else "推进中"
            rows.append(
                {
                    "year": year,
                    "task_id": f"{year}-{n:02d}",
                    "task": task,
                    "task_source": source,
                    "owners": c.code,
                    "deadline": deadline,
                    "status": status,
                    "completed_on": done,
                    "points": points,
                }
            )
    return rows


def seed_style_task_rows(uni: University, year: int, first_number: int) -> list[Any]:
    """Rows written the way the seed's task list writes them (辽宁科技学院《…实施方案》附件2): several
    owners in one cell, functional departments, a 责任人, compound and vague deadlines. They come from
    their own random stream, after the per-college rows, so every other number of the demo stays."""
    rng = random.Random(f"{uni.seed}:seed-style-tasks:{year}")
    rows: list[Any] = []
    for n, (task, owners, deadline, person) in enumerate(SEED_STYLE_TASKS, start=first_number):
        text = deadline.format(y=year)
        due = read_deadlines([text], [year])[0].on
        status, done = rng.choice(("推进中", "推进中", "已完成", "已完成", "已完成", "未启动")), None
        if status == "已完成":
            latest = min(due or date(year, 12, 20), date(year, 12, 20))
            done = weekday(max(date(year, 1, 15), latest - timedelta(days=rng.randint(0, 40))))
        rows.append(
            {
                "year": year,
                "task_id": f"{year}-{n:02d}",
                "task": task,
                "task_source": f"{year}年基层党建重点工作任务清单",
                "owners": owners,
                "responsible_person": person,
                "deadline": text,
                "status": status,
                "completed_on": done,
                "points": 3.0 if "各党总支" in owners else None,
            }
        )
    return rows
