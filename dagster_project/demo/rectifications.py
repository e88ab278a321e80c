"""The demo's 整改台账, sent in with the 组织部's book of year Y: what each college reported about its
problems of Y−1 whose 问题编号 the demo knows because it wrote what they were found in — its own
责任清单自查 answers 否/部分, its tasks overdue (past a dated deadline and not done by it), its 一票否决,
and the 发展党员 faults it planted — and a few problems colleges found themselves in Y (no 问题编号).
Problems the warehouse finds in the scores (软弱涣散, 规范化, indicators below 60) depend on the whole
computation, so the demo does not guess their ids. Own random streams keep the demo's other numbers
where they were. A diligent college closes most problems on time; a lax one leaves many unreported,
late or still 整改中."""

from __future__ import annotations

import hashlib
import random
from datetime import date, timedelta
from typing import Any

from dagster_project.demo.development import _NEEDS, add_months, development_people, development_rows
from dagster_project.demo.model import University
from dagster_project.ingest.deadlines import read_deadlines

SELF_FOUND = ("党员档案材料不全", "支部活动记录不规范", "发展党员公示不及时")


def problem_id(year: int, org_code: str, problem_source: str, source_key: str) -> str:
    """The 问题编号 of a problem, as dbt/models/intermediate/problems/int_problems_computed.sql makes it."""
    digest = hashlib.md5(f"{problem_source}|{source_key}".encode()).hexdigest()[:8].upper()
    return f"{year}-{org_code}-{digest}"


def overdue_tasks(tasks: list[Any], year: int) -> list[tuple[str, str, str]]:
    """(org_code, task_id, task) of the one-college tasks of `year` overdue by its end: a dated
    deadline (read as the pipeline reads it) before December 31 and not completed by it."""
    found = []
    for r in tasks:
        if not isinstance(r, dict) or not r["owners"].isdigit():
            continue  # a messy row, or a seed-style row with several owners
        text = r["deadline"] if isinstance(r["deadline"], str) else r["deadline"].isoformat()
        due = read_deadlines([text], [year])[0]
        if due.on is None or due.ongoing or due.on >= date(year, 12, 31):
            continue
        if r["completed_on"] is None or r["completed_on"] > due.on:
            found.append((r["owners"], r["task_id"], r["task"]))
    return found


def development_faults(uni: University, year: int) -> list[tuple[str, str, str]]:
    """(branch_code, member_key, rule_id) of the planted 发展党员 faults the audit finds at the end of
    `year`: the person is on that year's ledger and has reached the stage the fault needs."""
    found = []
    end = date(year, 12, 31)
    for people in development_people(uni).values():
        on_ledger = {r["member_key"] for r in development_rows(people, year)}
        for p in people:
            if p.fault is None or p.key not in on_ledger:
                continue
            reached = getattr(p, _NEEDS[p.fault])
            if reached is None or reached > end:
                continue
            if p.fault == "D11" and not add_months(p.admitted, 13) < end:
                continue  # the probation (+ 1 month) not over yet
            found.append((p.branch, p.key, p.fault))
    return sorted(found)


def _returned(row: dict[str, Any], rng: random.Random, d: float, deadline: date) -> dict[str, Any] | None:
    """`row` as a college of diligence `d` reports it: closed (most on time), 整改中, or not at all."""
    r = rng.random()
    if r < 0.2 + 0.6 * d:  # closed, most of them on time
        late = rng.random() > 0.3 + 0.6 * d
        done = (
            deadline + timedelta(days=rng.randint(5, 90))
            if late
            else deadline - timedelta(rng.randint(10, 150))
        )
        return {**row, "status": "已完成", "completed_on": done, "evidence": "整改报告及会议记录"}
    if r < 0.45 + 0.4 * d:
        return {**row, "status": "整改中"}
    return None  # not reported: 未整改


def other_returns(uni: University, year: int, last: dict[str, list[Any]]) -> list[dict[str, Any]]:
    """The returns sent in `year` for year − 1's overdue tasks, 一票否决 and 发展党员 faults, from
    `last` (year − 1's 组织部 sheets by kind; empty in the first demo year)."""
    if not last:
        return []
    found_in = year - 1
    rng = random.Random(f"{uni.seed}:rectifications:{year}:other-sources")
    college_of = {b.code: c.code for c in uni.colleges for b in c.branches} | {
        c.code: c.code for c in uni.colleges
    }
    diligence = {c.code: c.diligence[year] for c in uni.colleges}
    deadline = date(year, 6, 30)
    found = [
        (org, "overdue_task", task_id, f"补办逾期任务“{task}”并建立督办台账")
        for org, task_id, task in overdue_tasks(last.get("tasks", []), found_in)
    ]
    found += [
        (r["org_code"], "veto", r["reason"], "召开专题民主生活会，逐项整改并报党委组织部备案")
        for r in last.get("adjustments", [])
        if isinstance(r, dict) and r["adjustment_type"] == "一票否决"
    ]
    found += [
        (branch, "development", f"{key}|{rule}", f"核查{key}的发展程序（{rule}），补正材料并经支部大会说明")
        for branch, key, rule in development_faults(uni, found_in)
    ]
    rows = []
    for org, source, key, measure in found:
        row = {
            "year": found_in,
            "problem_id": problem_id(found_in, org, source, key),
            "org_code": org,
            "measure": measure,
            "responsible_person": None,
            "deadline": f"{year}年6月底前",
        }
        returned = _returned(row, rng, diligence[college_of[org]], deadline)
        if returned is not None:
            rows.append(returned)
    return rows


def rectification_rows(
    uni: University, year: int, last_checklist: list[dict[str, Any]], last: dict[str, list[Any]] | None = None
) -> list[dict[str, Any]]:
    """The 整改台账 rows sent in year `year`: returns for the problems of `last_checklist` (year − 1's
    answers; empty in the first demo year), for the other problems of year − 1 the demo knows
    (`other_returns` of `last`, year − 1's sheets by kind) and the colleges' own problems of `year`."""
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
        returned = _returned(row, rng, d, deadline)
        if returned is not None:  # not reported: 未整改
            rows.append(returned)
    rows += other_returns(uni, year, last or {})
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
