"""经费台账 rows: a branch's grants and spending, a college's 党费返还 and its own spending."""

from __future__ import annotations

import random
from typing import Any

from dagster_project.demo.model import Branch, College, in_month
from dagster_project.demo.vocabulary import FUNDING_PURPOSES

_SPEND = ("实践活动", "学习资料", "教育培训", "表彰奖励", "阵地建设", "困难帮扶")
_SPEND_WEIGHTS = (30, 22, 20, 12, 10, 6)


def branch_funding(rng: random.Random, c: College, b: Branch, year: int, d: float) -> list[dict[str, Any]]:
    roster = b.roster[year]
    standard = sum(200 if p.category(year) == "教职工" else 100 for p in roster)
    factor = rng.uniform(1.0, 1.1) if rng.random() < c.diligence[year] else rng.uniform(0.55, 0.9)
    grant = round(standard * factor)
    rows = []
    first = round(grant * 0.6)
    for amount, month, purpose in (
        (first, 3, "上半年党建活动经费拨款"),
        (grant - first, 9, "下半年党建活动经费拨款"),
    ):
        rows.append(
            {
                "org_code": b.code,
                "booked_on": in_month(rng, year, month, 5, 25),
                "funding_type": "拨款",
                "category": None,
                "amount": float(amount),
                "purpose": purpose,
            }
        )
    spend = grant * (rng.uniform(0.82, 1.0) if rng.random() < d else rng.uniform(0.3, 0.75))
    other_share = (
        rng.uniform(0.18, 0.35) if c.other_heavy else (rng.uniform(0.0, 0.06) if rng.random() < 0.4 else 0)
    )
    parts: list[tuple[str, float]] = []
    if other_share:
        parts.append(("其它", spend * other_share))
    rest = spend * (1 - other_share)
    n = rng.randint(2, 5)
    cuts = sorted(rng.uniform(0.15, 0.85) for _ in range(n - 1))
    shares = [b2 - a for a, b2 in zip([0.0, *cuts], [*cuts, 1.0], strict=True)]
    parts += [(rng.choices(_SPEND, _SPEND_WEIGHTS)[0], rest * s) for s in shares]
    late = 2.0 * (1 - d)
    for category, amount in parts:
        amount = round(amount, 2)
        if amount <= 0:
            continue
        month = min(12, max(1, round(12 * rng.random() ** (1 / (1 + late)))))
        rows.append(
            {
                "org_code": b.code,
                "booked_on": in_month(rng, year, month),
                "funding_type": "支出",
                "category": category,
                "amount": amount,
                "purpose": rng.choice(FUNDING_PURPOSES[category]),
            }
        )
    return rows


def college_funding(rng: random.Random, c: College, year: int, dues_paid: float) -> list[dict[str, Any]]:
    rows = [
        {
            "org_code": c.code,
            "booked_on": in_month(rng, year, 12, 1, 20),
            "funding_type": "党费返还",
            "category": None,
            "amount": round(dues_paid * 0.03, 2) or 100.0,
            "purpose": f"{year}年度党费返还",
        }
    ]
    for month in sorted(rng.sample(range(1, 13), rng.randint(1, 3))):
        category = rng.choice(("教育培训", "学习资料", "表彰奖励"))
        rows.append(
            {
                "org_code": c.code,
                "booked_on": in_month(rng, year, month),
                "funding_type": "支出",
                "category": category,
                "amount": round(rng.uniform(800, 6000), 2),
                "purpose": rng.choice(FUNDING_PURPOSES[category]),
            }
        )
    return rows
