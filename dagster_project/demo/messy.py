"""The messy cells the reader must reject, planted into the books (vocabulary.MESSY)."""

from __future__ import annotations

import random
from datetime import date

from dagster_project.demo.model import Book, Messy, University
from dagster_project.demo.vocabulary import MESSY


def plant_messy(uni: University, year: int, where: str, book: Book) -> None:
    rng = random.Random(f"{uni.seed}:messy:{year}:{where}")
    for m_year, m_where, kind, column, raw, reason in MESSY:
        if (m_year, m_where) != (year, where):
            continue
        sheet = next(s for s in book.sheets if s.kind == kind)
        plain = [i for i, r in enumerate(sheet.rows) if isinstance(r, dict)]
        if kind == "members":
            # the college's extra member (last row) is the messy one, moved into the middle
            values = sheet.rows.pop()
            if column == "branch_code":
                values["branch_code"] = raw
            sheet.rows.insert(rng.randint(1, len(sheet.rows) - 1), Messy(values, column, raw, reason))
        elif kind == "tasks":
            # among the one-college rows only: the seed-style rows came later, and leaving them out
            # keeps the messy cell where it always was
            done = [
                i for i in plain if sheet.rows[i]["status"] == "已完成" and sheet.rows[i]["owners"].isdigit()
            ]
            i = rng.choice(done)
            sheet.rows[i] = Messy(sheet.rows[i], column, raw, reason)
        else:
            template = dict(sheet.rows[rng.choice(plain)])
            if kind == "training":
                template.update(course="党员冬训补录", started_on=date(year, 3, 5))
            elif kind == "activities":
                template.update(topic="补录：主题党日", activity_type="主题党日")
            elif kind == "funding":
                template.update(funding_type="支出", category="学习资料", purpose="补录：购买学习资料")
            sheet.rows.insert(rng.randint(1, len(sheet.rows) - 1), Messy(template, column, raw, reason))
