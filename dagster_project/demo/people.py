"""People of the demo university: names, birth dates, ID-card numbers (valid, GB 11643), keys,
joining dates and dues, drawn from the one random stream."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from dagster_project.demo.model import YEARS, Person, add_years, rand_date
from dagster_project.demo.vocabulary import GIVEN_ANY, GIVEN_FEMALE, GIVEN_MALE, ID_WEIGHTS, REGIONS, SURNAMES


def _id_card(rng: random.Random, born: date, gender: str) -> str:
    while True:
        seq = rng.randint(0, 49) * 2 + (1 if gender == "男" else 0)
        body = f"{rng.choice(REGIONS)}{born:%Y%m%d}{rng.randint(0, 9)}{seq:02d}"
        total = sum(int(c) * w for c, w in zip(body, ID_WEIGHTS, strict=True))
        card = body + "10X98765432"[total % 11]
        if not card.endswith("000"):  # would look like a number Excel rounded to 15 digits
            return card


def id_card_valid(value: str) -> bool:
    """GB 11643 check: 17 digits, then the checksum character."""
    if len(value) != 18 or not value[:17].isdigit():
        return False
    total = sum(int(c) * w for c, w in zip(value[:17], ID_WEIGHTS, strict=True))
    return value[17].upper() == "10X98765432"[total % 11]


class People:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.staff_serial = rng.randint(1000, 5000)
        self.student_serial: dict[tuple[int, str], int] = defaultdict(int)

    def _name(self, gender: str) -> str:
        rng = self.rng
        surname = SURNAMES[min(int(rng.expovariate(1 / 25)), len(SURNAMES) - 1)]
        pool = (GIVEN_MALE if gender == "男" else GIVEN_FEMALE) + GIVEN_ANY
        given = rng.choice(pool) + (rng.choice(pool) if rng.random() < 0.7 else "")
        return surname + given

    def _person(self, key: str, category: str, born: date, joined: date, **kw: Any) -> Person:
        rng = self.rng
        gender = "男" if rng.random() < (0.55 if category != "学生" else 0.48) else "女"
        if category == "学生":
            due = 0.2
        elif category == "离退休":
            pension = rng.uniform(4000, 9000)
            due = round(pension * (0.005 if pension <= 5000 else 0.01), 2)
        else:
            salary = rng.uniform(6000, 16000)
            due = round(salary * (0.015 if salary <= 10000 else 0.02), 2)
        floating_p = {"学生": 0.015, "离退休": 0.03}.get(category, 0.008)
        return Person(
            key=key,
            name=self._name(gender),
            gender=gender,
            born=born,
            id_card=_id_card(rng, born, gender),
            base_category=category,
            joined=joined,
            rank=rng.random(),
            blank_role=rng.random() < 0.5,
            monthly_due=due,
            lost=rng.random() < 0.004,
            floating=rng.random() < floating_p,
            **kw,
        )

    def staff(self, born_years: tuple[int, int], join_until: date, *, retiree: bool = False) -> Person:
        rng = self.rng
        born = rand_date(rng, date(born_years[0], 1, 1), date(born_years[1], 12, 31))
        hire_year = min(born.year + rng.randint(23, 30), YEARS[0] - 1)
        self.staff_serial += rng.randint(1, 3)
        key = f"{hire_year % 100:02d}{self.staff_serial:06d}"
        age = 19 + int(rng.expovariate(1 / 4)) if rng.random() < 0.6 else rng.randint(23, 40)
        earliest = add_years(born, 18) + timedelta(days=30)
        joined = add_years(born, age) + timedelta(days=rng.randint(0, 364))
        if not earliest <= joined <= join_until:
            joined = rand_date(rng, earliest, join_until)
        if retiree:
            return self._person(key, "离退休", born, joined)
        return self._person(key, "教职工", born, joined, retire_year=born.year + 60)

    def new_staff(self, year: int) -> Person:
        """A young staff member who joins the Party during `year` (预备党员 at year end)."""
        rng = self.rng
        born = rand_date(rng, date(1988, 1, 1), date(1999, 12, 31))
        self.staff_serial += rng.randint(1, 3)
        key = f"{rng.randint(max(born.year + 23, 2012), year) % 100:02d}{self.staff_serial:06d}"
        joined = rand_date(rng, date(year, 1, 10), date(year, 12, 20))
        return self._person(key, "教职工", born, joined, retire_year=born.year + 60)

    def student(self, college: str, year: int, how: str) -> Person:
        """A student on the roster of `year`. `how`: "new" joins the Party during `year`; "member" joined
        before `year`; "incoming" is a first-year graduate student who joined as an undergraduate."""
        rng = self.rng
        graduate = how == "incoming" or rng.random() < 0.3
        length = 3 if graduate else 4
        if how == "incoming":
            enroll = year
        elif how == "new":
            enroll = rng.randint(year - length + 1, year - (0 if graduate else 1))
        else:
            enroll = rng.randint(year - length + 1, year - (1 if graduate else 2))
        age = (21, 23) if graduate else (18, 19)
        born = rand_date(rng, date(enroll - age[1], 1, 1), date(enroll - age[0], 12, 31))
        serial_key = (enroll, college)
        self.student_serial[serial_key] += rng.randint(1, 4)
        key = f"{enroll}{college}{self.student_serial[serial_key]:04d}"
        if how == "new":
            joined = rand_date(rng, date(year, 3, 1), date(year, 12, 15))
        elif graduate:
            joined = rand_date(rng, add_years(born, 19), min(date(enroll, 6, 30), date(year - 1, 12, 15)))
        else:
            joined = rand_date(rng, date(enroll + 1, 3, 1), date(year - 1, 12, 15))
        joined = max(joined, add_years(born, 18) + timedelta(days=10))
        return self._person(key, "学生", born, joined, grad_year=enroll + length)

    def extra_member(self, year: int) -> Person:
        return self.new_staff(year)
