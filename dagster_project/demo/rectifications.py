"""The demo's 整改台账, sent in with the 组织部's book of year Y: what each college reported about its
own 责任清单自查 problems of Y−1 (the answers 否/部分 it gave; the demo knows them, so it knows their
问题编号), and a few problems colleges found themselves in Y (no 问题编号). Its own random stream keeps
the demo's other numbers where they were. A diligent college closes most problems on time; a lax one
leaves many unreported, late or still 整改中."""

from __future__ import annotations

import hashlib
import random
from datetime import date, timedelta
from typing import Any

from dagster_project.demo.model import University

SELF_FOUND = ("党员档案材料不全", "支部活动记录不规范", "发展党员公示不及时")


def problem_id(year: int, org_code: str, problem_source: str, source_key: str) -> str:
    """The 问题编号 of a problem, as dbt/models/intermediate/problems/int_problems_listed.sql composes it."""
    digest = hashlib.md5(f"{problem_source}|{source_key}".encode()).hexdigest()[:8].upper()
    return f"{year}-{org_code}-{digest}"


def rectification_rows(
    uni: University, year: int, last_checklist: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The 整改台账 rows sent in year `year`: returns for the problems of `last_checklist` (year − 1's
    answers; empty in the first demo year) and the colleges' own problems of `year`."""
    rng = random.Random(f"{uni.seed}:rectifications:{year}")
    diligence = {c.code: c.diligence[year] for c in uni.colleges}
    deadline = date(year, 6, 30)
    rows: list[dict[str, Any]] = []
    for answer in last_checklist:
        if answer["answer"] not in ("否", "部分"):
            continue
        d = diligence[answer["org_code"]]
        source = "checklist_no" if answer["answer"] == "否" else "checklist_partial"
        row = {
            "year": answer["year"],
            "problem_id": problem_id(answer["year"], answer["org_code"], source, str(answer["question_no"])),
            "org_code": answer["org_code"],
            "measure": f"对照责任清单第{answer['question_no']}题制定整改措施并落实",
            "responsible_person": None,
            "deadline": f"{year}年6月底前",
        }
        r = rng.random()
        if r < 0.2 + 0.6 * d:  # closed, most of them on time
            late = rng.random() > 0.3 + 0.6 * d
            done = (
                deadline + timedelta(days=rng.randint(5, 90))
                if late
                else deadline - timedelta(rng.randint(10, 150))
            )
            row.update(status="已完成", completed_on=done, evidence="整改报告及会议记录")
        elif r < 0.45 + 0.4 * d:
            row.update(status="整改中")
        else:
            continue  # not reported: 未整改
        rows.append(row)
    for c in uni.colleges:
        if rng.random() < 0.3:
            rows.append(
                {
                    "year": year,
                    "org_code": c.code,
                    "description": rng.choice(SELF_FOUND),
                    "measure": "逐项核对补齐，建立台账",
                    "deadline": f"{year}年12月底前",
                    "status": "已完成",
                    "completed_on": date(year, 11, rng.randint(1, 28)),
                }
            )
    return rows
