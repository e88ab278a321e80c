"""The 发展党员 audit through the whole graph (ingest → dbt → publish) on a small university whose
findings, stage counts and development_compliance are worked out by hand.

组织架构 2024: 01 计算机学院党委 (0101 教工, 0102 学生), 02 马克思主义学院党总支 (0201 教工).
党员花名册 2024: T1, T2 正式党员 (0101); P1 预备党员 (0102).

发展党员台账 2024 (one person per finding, some clean; nobody is on the 花名册):
- A 0101 教职工: 2024-03-20 接收 after a clean path (公示 Mon 03-04 to Fri 03-08: 5 weekdays)   — clean
- B 0101 教职工: as A, 集中培训 20 学时                                                      — D07
- C 0101 教职工: 接收 2023-05-08, 转正 2024-05-10 (≥ 2024-05-08)                              — clean
- D 0102 学生: applied 2024-02-01, talked 02-20                                              — clean
- E 0102 学生: applied 2023-10-09, activist 2024-03-01 (< 2024-04-09)                        — D03
- F 0102 学生: activist 2024-01-15, 培养联系人 P1 (a 预备党员)                                 — D05
- G 0102 学生: born 2006-05-01, applied 2024-03-01 (aged 17)                                 — D01
- H 0102 学生: 接收 2022-06-06, no 转正: past 2023-07-06 (1 year + 1 month) all year          — D11
- I 0201 教职工: applied 2023-11-06, activist 2024-06-03 (≥ 2024-05-06), 培养联系人 T1        — clean
Rejected, not audited: J (branch 0999 is not in 组织架构), K (申请入党日期 2030: a future date).

Judged at each period end: in 2024Q1 (03-31) C has not been confirmed yet and I is still an applicant
who applied in 2023, so 0201 has nobody entering a stage: its development_compliance is left out.
"""

import datetime as dt
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from tests.support.reconcile import loaded_counts, unplaced_rows
from tests.support.workbooks import write_workbook

D = dt.date


def _org(code, name, org_type, parent=None, category=None):
    return {"year": 2024, "org_code": code, "org_name": name, "org_type": org_type, "parent_code": parent,
            "branch_category": category}  # fmt: skip


ORGS = [
    _org("00", "测试大学党委", "党委"),
    _org("01", "计算机学院党委", "党委", "00"),
    _org("0101", "计算机学院教工党支部", "党支部", "01", "教工"),
    _org("0102", "计算机学院学生党支部", "党支部", "01", "学生"),
    _org("02", "马克思主义学院党总支", "党总支", "00"),
    _org("0201", "马院教工党支部", "党支部", "02", "教工"),
]


def _member(key, branch, category, status, joined):
    return {"year": 2024, "member_key": key, "member_name": f"党员{key}", "category": category,
            "branch_code": branch, "status": status, "joined_on": joined}  # fmt: skip


MEMBERS = [
    _member("T1", "0101", "教职工", "正式党员", D(2010, 7, 1)),
    _member("T2", "0101", "教职工", "正式党员", D(2012, 7, 1)),
    _member("P1", "0102", "学生", "预备党员", D(2024, 3, 1)),
]


def _person(key, branch, category, **dates):
    row = {"year": 2024, "member_key": key, "person_name": f"发展{key}", "born_on": D(1990, 1, 1),
           "category": category, "branch_code": branch}  # fmt: skip
    row.update(dates)
    return row


def _admitted(admitted, approved, notice_from, notice_to, **more):
    """A clean path from 2021-03-01 up to 接收 on `admitted`."""
    path = {"applied_on": D(2021, 3, 1), "talked_on": D(2021, 3, 15), "activist_on": D(2021, 9, 1),
            "contacts": "T1", "candidate_on": D(2022, 9, 5), "vetting": "合格", "training_hours": 24,
            "notice_from": notice_from, "notice_to": notice_to, "admitted_on": admitted,
            "approved_on": approved}  # fmt: skip
    return {**path, **more}


ADMITTED_2024 = _admitted(D(2024, 3, 20), D(2024, 4, 15), D(2024, 3, 4), D(2024, 3, 8))
DEVELOPMENT_01 = [
    _person("A", "0101", "教职工", **ADMITTED_2024),
    _person("B", "0101", "教职工", **{**ADMITTED_2024, "training_hours": 20}),
    _person(
        "C",
        "0101",
        "教职工",
        **_admitted(
            D(2023, 5, 8),
            D(2023, 6, 1),
            D(2023, 4, 17),
            D(2023, 4, 21),
            confirmed_on=D(2024, 5, 10),
            contacts="T2",
        ),
    ),  # fmt: skip
    _person("D", "0102", "学生", applied_on=D(2024, 2, 1), talked_on=D(2024, 2, 20)),
    _person(
        "E",
        "0102",
        "学生",
        applied_on=D(2023, 10, 9),
        talked_on=D(2023, 10, 20),
        activist_on=D(2024, 3, 1),
        contacts="T1",
    ),  # fmt: skip
    _person(
        "F",
        "0102",
        "学生",
        applied_on=D(2023, 1, 9),
        talked_on=D(2023, 1, 20),
        activist_on=D(2024, 1, 15),
        contacts="P1",
    ),  # fmt: skip
    _person("G", "0102", "学生", born_on=D(2006, 5, 1), applied_on=D(2024, 3, 1), talked_on=D(2024, 3, 10)),
    _person(
        "H",
        "0102",
        "学生",
        **{
            **_admitted(D(2022, 6, 6), D(2022, 7, 1), D(2022, 5, 16), D(2022, 5, 20)),
            "applied_on": D(2020, 3, 2),
            "talked_on": D(2020, 3, 10),
            "activist_on": D(2020, 9, 7),
            "candidate_on": D(2021, 9, 13),
        },
    ),  # fmt: skip
    _person("J", "0999", "学生", applied_on=D(2024, 3, 1)),
    _person("K", "0102", "学生", applied_on=D(2030, 1, 1)),
]
DEVELOPMENT_02 = [
    _person(
        "I",
        "0201",
        "教职工",
        applied_on=D(2023, 11, 6),
        talked_on=D(2023, 11, 20),
        activist_on=D(2024, 6, 3),
        contacts="T1",
    ),  # fmt: skip
]


@pytest.fixture(scope="module")
def built(tmp_path_factory, dbt_manifest) -> Path:
    home = tmp_path_factory.mktemp("development_home")
    inbox = home / "inbox"
    inbox.mkdir()
    write_workbook(inbox / "2024_组织架构.xlsx", {"组织架构": ("orgs", ORGS)})
    write_workbook(
        inbox / "2024_01_计算机学院.xlsx",
        {"党员花名册": ("members", MEMBERS), "发展党员台账": ("development", DEVELOPMENT_01)},
    )
    write_workbook(inbox / "2024_02_马院.xlsx", {"发展党员台账": ("development", DEVELOPMENT_02)})
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DANGJIAN_HOME", str(home))
        from dagster_project.definitions import defs

        d = defs()
        assert dg.materialize(list(d.assets), resources=d.resources).success
    return home


def _rows(home: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(home / "serving.duckdb"), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_unknown_branch_and_future_date_are_rejects_and_nothing_else_is(built):
    rejects = _rows(
        built,
        "select row_values, reason from marts.rejects where kind = 'development' order by reason",
    )
    assert len(rejects) == 2
    assert any("0999" in reason and "组织架构" in reason for _, reason in rejects)
    assert any("申请入党日期" in reason and "晚于今天" in reason for _, reason in rejects)
    # a 培养联系人 who is a 预备党员 (F), a short interval (E), an under-age applicant (G) all load
    loaded = _rows(built, "select distinct member_key from marts.development_records order by 1")
    assert [k for (k,) in loaded] == ["A", "B", "C", "D", "E", "F", "G", "H", "I"]


def test_the_findings_of_each_period_are_the_hand_listed_ones(built):
    rows = _rows(
        built,
        "select period, member_key, rule_id, branch_code, college_code from marts.development_issues "
        "where period in ('2024Q1', '2024Q4') order by 1, 2, 3",
    )
    # Q1: B's training, E's activist date, F's contact, G's age, H's overdue 转正 — A's approval is not
    # late yet (due 06-20), C is a 预备党员 whose year is not over (due 2024-06-08)
    q1 = [
        ("B", "D07", "0101"),
        ("E", "D03", "0102"),
        ("F", "D05", "0102"),
        ("G", "D01", "0102"),
        ("H", "D11", "0102"),
    ]
    assert rows == [("2024Q1", k, r, b, "01") for k, r, b in q1] + [
        ("2024Q4", k, r, b, "01") for k, r, b in q1
    ]
    details = dict(
        _rows(built, "select member_key, detail from marts.development_issues where period = '2024Q4'")
    )
    assert details["F"] == "培养联系人不是当年花名册上的正式党员：P1（预备党员）"
    assert details["E"] == "申请后不足6个月即确定为积极分子（最早 2024-04-09）"
    assert details["H"] == "预备期满且已过宽限（2023-07-06）仍未转正"


def test_stages_at_the_period_end(built):
    stages = _rows(
        built,
        "select period, member_key, stage, entered_in_year, findings from marts.development_records "
        "where period in ('2024Q1', '2024Q4') order by 1, 2",
    )
    assert stages == [
        ("2024Q1", "A", "预备党员", True, 0),
        ("2024Q1", "B", "预备党员", True, 1),
        ("2024Q1", "C", "预备党员", False, 0),  # 转正 on 05-10 has not happened by 03-31
        ("2024Q1", "D", "申请人", True, 0),
        ("2024Q1", "E", "积极分子", True, 1),
        ("2024Q1", "F", "积极分子", True, 1),
        ("2024Q1", "G", "申请人", True, 1),
        ("2024Q1", "H", "预备党员", False, 1),
        ("2024Q1", "I", "申请人", False, 0),  # applied in 2023; activist only on 06-03
        ("2024Q4", "A", "预备党员", True, 0),
        ("2024Q4", "B", "预备党员", True, 1),
        ("2024Q4", "C", "正式党员", True, 0),
        ("2024Q4", "D", "申请人", True, 0),
        ("2024Q4", "E", "积极分子", True, 1),
        ("2024Q4", "F", "积极分子", True, 1),
        ("2024Q4", "G", "申请人", True, 1),
        ("2024Q4", "H", "预备党员", False, 1),
        ("2024Q4", "I", "积极分子", True, 0),
    ]


def test_the_pipeline_counts_people_in_and_entering_each_stage(built):
    rows = _rows(
        built,
        "select branch_code, stage, people, entered, students, staff from marts.development_pipeline "
        "where period = '2024Q4' order by branch_code, stage_order",
    )
    assert rows == [
        ("0101", "预备党员", 2, 2, 0, 2),  # A, B admitted 03-20
        ("0101", "正式党员", 1, 1, 0, 1),  # C confirmed 05-10
        ("0102", "申请人", 2, 2, 2, 0),  # D, G applied in 2024
        ("0102", "积极分子", 2, 2, 2, 0),  # E, F
        ("0102", "预备党员", 1, 0, 1, 0),  # H, admitted in 2022
        ("0201", "积极分子", 1, 1, 0, 1),  # I; his application (2023) is no entry of 2024
    ]
    q1_0201 = _rows(
        built,
        "select stage, people, entered, staff from marts.development_pipeline "
        "where period = '2024Q1' and branch_code = '0201'",
    )
    assert q1_0201 == [("申请人", 1, 0, 1)]


def test_development_compliance_per_branch_and_college(built):
    branches = _rows(
        built,
        "select period, org_code, dimension, value, target, score from marts.branch_indicators "
        "where indicator = 'development_compliance' and period in ('2024Q1', '2024Q4') order by 1, 2",
    )
    assert branches == [
        ("2024Q1", "0101", "B2", 1.0, 2.0, 50.0),  # A clean of A, B
        ("2024Q1", "0102", "B2", 1.0, 4.0, 25.0),  # D clean of D, E, F, G (H entered nothing)
        # 0201: nobody entered a stage by 03-31 → left out
        ("2024Q4", "0101", "B2", 2.0, 3.0, 66.67),  # A, C clean of A, B, C
        ("2024Q4", "0102", "B2", 1.0, 4.0, 25.0),
        ("2024Q4", "0201", "B2", 1.0, 1.0, 100.0),  # I
    ]
    colleges = _rows(
        built,
        "select period, org_code, dimension, value, target, score from marts.college_indicators "
        "where indicator = 'development_compliance' order by 1, 2",
    )
    q = [("01", "C4", 3.0, 7.0, 42.86), ("02", "C4", 1.0, 1.0, 100.0)]  # (2 + 1) / (3 + 4); 1 / 1
    assert colleges == [("2024Q1", "01", "C4", 2.0, 6.0, 33.33)] + [
        (f"2024Q{n}", *row) for n in (2, 3, 4) for row in q
    ]


def test_every_loaded_development_row_reaches_a_mart(built):
    with duckdb.connect(str(built / "warehouse.duckdb"), read_only=True) as con:
        assert loaded_counts(con)["development"] == 9  # J and K rejected
        assert unplaced_rows(con) == {}
