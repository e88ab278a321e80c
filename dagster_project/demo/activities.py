"""组织生活台账 rows: the meetings of a branch and of a college, as many as its diligence brings."""

from __future__ import annotations

import random
from datetime import date
from typing import Any

from dagster_project.demo.model import COMMITTEE_ROLES, Branch, College, cn, in_month, n_of, spread
from dagster_project.demo.vocabulary import ACTIVITY_TOPICS


def _attendance(rng: random.Random, expected: int, d: float) -> int:
    if expected <= 0:
        return 0
    share = rng.uniform(0.55 + 0.35 * d, 0.8 + 0.2 * d)
    return max(1, min(expected, round(expected * share)))


def branch_activities(rng: random.Random, b: Branch, year: int, d: float) -> list[dict[str, Any]]:
    roster = b.roster[year]
    roles = b.roles[year]
    sec = b.secretary[year]
    full = sum(p.is_full(year) for p in roster)
    committee = [p for p in roster if roles.get(p.key) in COMMITTEE_ROLES]
    rows: list[dict[str, Any]] = []
    used: set[tuple[str, date]] = set()

    def present(day: date) -> int:
        return sum(p.joined <= day for p in roster)

    def add(
        kind: str,
        day: date,
        topic: str,
        expected: int | None = None,
        speaker: str | None = None,
        attended: int | None = None,
    ) -> None:
        while (kind, day) in used:
            day = in_month(rng, year, day.month)
        used.add((kind, day))
        expected = present(day) if expected is None else expected
        rows.append(
            {
                "org_code": b.code,
                "activity_type": kind,
                "held_on": day,
                "expected": expected,
                "attended": _attendance(rng, expected, d) if attended is None else attended,
                "topic": topic,
                "speaker_key": speaker,
            }
        )

    topics = ACTIVITY_TOPICS
    for q in spread(rng, n_of(rng, 4, d), 4):
        m = q * 3 + rng.randint(1, 3) if d > 0.5 else q * 3 + rng.choice((2, 3, 3))
        add(
            "支部党员大会",
            in_month(rng, year, m),
            f"第{cn(q + 1)}季度支部党员大会：{rng.choice(topics['支部党员大会'])}",
        )
    if full >= 7 and not b.skip_committee:
        for m in spread(rng, min(12, n_of(rng, 12, d)), 12):
            add(
                "支部委员会",
                in_month(rng, year, m + 1),
                f"{m + 1}月支委会：{rng.choice(topics['支部委员会'])}",
                expected=len(committee),
            )
    n_lectures = n_of(rng, 4, d)
    secretary_lecture = rng.random() < 0.45 + 0.55 * d
    for i, q in enumerate(spread(rng, n_lectures, 4)):
        speaker = (
            sec.key
            if (i == 0 and secretary_lecture)
            else (rng.choice(roster).key if rng.random() < 0.6 else None)
        )
        who = "书记讲党课" if speaker == sec.key else "专题党课"
        add(
            "党课",
            in_month(rng, year, q * 3 + rng.randint(1, 3)),
            f"{who}：{rng.choice(topics['党课'])}",
            speaker=speaker,
        )
    held_p = d + (1 - d) * 0.45
    for m in range(1, 13):
        if rng.random() < held_p:
            add("主题党日", in_month(rng, year, m), f"{m}月主题党日：{rng.choice(topics['主题党日'])}")
    if len(roster) >= 30:
        for m in spread(rng, rng.randint(3, 6), 12):
            add("党小组会", in_month(rng, year, m + 1), f"{m + 1}月{rng.choice(topics['党小组会'])}")
    if rng.random() < 0.55 + 0.45 * d:
        day = in_month(rng, year, rng.choice((11, 12)))
        add("组织生活会", day, f"{year}年度组织生活会")
    if rng.random() < 0.55 + 0.45 * d:
        day = in_month(rng, year, rng.choice((11, 12)))
        add("民主评议党员", day, f"{year}年度民主评议党员")
    n = len(roster)
    share = rng.uniform(0.5, 0.62) if rng.random() < d else rng.uniform(0.15, 0.4)
    for half, m in enumerate((rng.randint(4, 6), rng.randint(10, 12))):
        add(
            "谈心谈话",
            in_month(rng, year, m),
            topics["谈心谈话"][half],
            expected=n,
            attended=min(n, max(1, round(n * share))),
        )
    for kind in ("志愿服务", "宣传活动"):
        for q in spread(rng, n_of(rng, 4, d), 4):
            add(kind, in_month(rng, year, q * 3 + rng.randint(1, 3)), rng.choice(topics[kind]))
    return rows


def college_activities(rng: random.Random, c: College, year: int) -> list[dict[str, Any]]:
    d = c.diligence[year]
    rows: list[dict[str, Any]] = []
    members = sum(len(b.roster[year]) for b in c.branches)
    for kind, size in (("理论学习中心组", c.center_group), ("党政联席会议", c.joint_size)):
        for m in spread(rng, min(12, n_of(rng, 12, d)), 12):
            rows.append(
                {
                    "org_code": c.code,
                    "activity_type": kind,
                    "held_on": in_month(rng, year, m + 1),
                    "expected": size,
                    "attended": _attendance(rng, size, d),
                    "topic": f"{m + 1}月{kind}：{rng.choice(ACTIVITY_TOPICS[kind])}",
                    "speaker_key": None,
                }
            )
    sec = c.secretary[year]
    for half in spread(rng, min(2, n_of(rng, 2, d)), 2):
        m = rng.randint(4, 6) if half == 0 else rng.randint(10, 12)
        rows.append(
            {
                "org_code": c.code,
                "activity_type": "党课",
                "held_on": in_month(rng, year, m),
                "expected": members,
                "attended": _attendance(rng, members, d),
                "topic": f"党委书记讲党课：{rng.choice(ACTIVITY_TOPICS['党课'])}（{'春秋'[half]}季学期）",
                "speaker_key": sec.key,
            }
        )
    return rows
