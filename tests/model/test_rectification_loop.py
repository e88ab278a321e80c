"""问题清单 → 整改 → 销号 through the whole graph (ingest → dbt → publish) on a mini-university whose
problems are worked out by hand, then the loop closed in Excel: the pre-filled 整改台账 that
`dangjian problems` writes goes back into the inbox unchanged (every problem 未整改, nothing rejected),
then with two rows filled in with openpyxl (one 已完成 with its date, one 整改中), and the next
year's rectification_rate follows.

The university (the same 组织架构 in 2024 and 2025): 00 校党委; 01 计算机学院党委 (secretary S001);
its one branch 0101 教工 (secretary T001, 换届 2023-06-01, term 3 years: not overdue). No roster, no
activities. 2024 files:
- 责任清单自查 of 01: q1 否, q2 部分, q3 是;
- 加减分: 0101 一票否决「违反政治纪律」;
- 任务清单: T1 owned by 0101, 3月底前 (2024-03-31), 推进中 → overdue from Q2 (at Q1's end it is due
  that very day).
"""

import datetime as dt
import hashlib
from pathlib import Path

import dagster as dg
import duckdb
import openpyxl
import pytest

from dagster_project.contracts import KINDS
from dagster_project.reports.problem_sheet import write_problem_sheet
from tests.support.workbooks import write_workbook

D = dt.date


def _org(year, code, name, org_type, parent=None, secretary=None, category=None, election=None, term=None):
    return {
        "year": year, "org_code": code, "org_name": name, "org_type": org_type, "parent_code": parent,
        "secretary_key": secretary, "branch_category": category, "last_election_on": election, "term_years": term,
    }  # fmt: skip


ORGS = [
    row
    for year in (2024, 2025)
    for row in (
        _org(year, "00", "测试大学党委", "党委"),
        _org(year, "01", "计算机学院党委", "党委", "00", "S001"),
        _org(year, "0101", "计算机学院教工党支部", "党支部", "01", "T001", "教工", D(2023, 6, 1), 3),
    )
]
CHECKLIST = [
    {"year": 2024, "org_code": "01", "question_no": 1, "answer": "否"},
    {"year": 2024, "org_code": "01", "question_no": 2, "answer": "部分"},
    {"year": 2024, "org_code": "01", "question_no": 3, "answer": "是"},
]
VETO = [{"year": 2024, "org_code": "0101", "adjustment_type": "一票否决", "reason": "违反政治纪律"}]
TASKS = [
    {
        "year": 2024,
        "task_id": "T1",
        "task": "规范支部工作",
        "owners": "0101",
        "deadline": "3月底前",
        "status": "推进中",
    }
]

PROBLEMS_SQL = """
select org_code, problem_source, source_key, period, severity, description
from marts.problems where year = 2024 order by all
"""


def _build(home: Path) -> None:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DANGJIAN_HOME", str(home))
        from dagster_project.definitions import defs

        d = defs()
        assert dg.materialize(list(d.assets), resources=d.resources).success


def _rows(home: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(home / "serving.duckdb"), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


VETO_ID_SQL = "select problem_id from marts.problems where problem_source = 'veto'"
CHECKLIST_NO_ID_SQL = "select problem_id from marts.problems where problem_source = 'checklist_no'"
STATUS_SQL = """
select p.problem_source, p.source_key, r.status, r.measure, r.deadline, r.completed_on, r.completed_on_time,
    r.source_file
from marts.rectifications r join marts.problems p using (problem_id, year)
where r.year = 2024 order by all
"""
RATE_SQL = """
select period, value, target, score from marts.college_indicators
where indicator = 'rectification_rate' and org_code = '01' order by period
"""


def _fill(path: Path, filled: dict[str, dict[str, object]]) -> None:
    """Fill the rows of the given 问题编号 as a college would, in Excel (openpyxl), and save in place."""
    wb = openpyxl.load_workbook(path)
    ws = wb["整改台账"]
    header = {cell.value: cell.column for cell in ws[2]}
    for row in ws.iter_rows(min_row=3):
        values = filled.get(row[header["问题编号"] - 1].value)
        for name, value in (values or {}).items():
            ws.cell(row=row[0].row, column=header[name], value=value)
    wb.save(path)


@pytest.fixture(scope="module")
def loop(tmp_path_factory, dbt_manifest) -> dict:
    home = tmp_path_factory.mktemp("loop_home")
    inbox = home / "inbox"
    inbox.mkdir()
    write_workbook(inbox / "组织架构.xlsx", {"组织架构": ("orgs", ORGS)})
    write_workbook(inbox / "2024_自查.xlsx", {"自查": ("checklist", CHECKLIST)})
    write_workbook(inbox / "2024_加减分.xlsx", {"加减分": ("adjustments", VETO)})
    write_workbook(inbox / "2024_任务清单.xlsx", {"任务清单": ("tasks", TASKS)})
    _build(home)
    seen: dict = {"first": _rows(home, PROBLEMS_SQL), "rate_before": _rows(home, RATE_SQL)}
    seen["ids"] = _rows(
        home, "select problem_id, org_code, problem_source, source_key from marts.problems order by all"
    )
    seen["low"] = _rows(
        home,
        "select org_code, indicator from marts.branch_indicators where year = 2024 and quarter = 4 and score < 60 "
        "union all select org_code, indicator from marts.college_indicators "
        "where year = 2024 and quarter = 4 and score < 60 order by all",
    )
    # the pre-filled workbook goes out and comes back untouched
    workbook = inbox / "2024_整改台账_01.xlsx"
    seen["sheet"] = write_problem_sheet(home / "serving.duckdb", 2024, workbook, college="01")
    seen["headers"] = [c.value for c in openpyxl.load_workbook(workbook)["整改台账"][2]]
    _build(home)
    seen["untouched"] = _rows(home, STATUS_SQL)
    seen["untouched_load"] = _rows(
        home, "select rows_read, rows_loaded, rows_rejected from marts.load_summary where source_file = ?",
        [workbook.name],
    )  # fmt: skip
    # two rows filled in; the 自查 file corrected (a fourth answer); a 问题编号 nobody issued, in its own file
    veto_id, checklist_id = _rows(home, VETO_ID_SQL)[0][0], _rows(home, CHECKLIST_NO_ID_SQL)[0][0]
    _fill(
        workbook,
        {
            veto_id: {"整改措施": "开展专题教育", "整改时限": "2025年3月底前", "整改状态": "已完成",
                      "完成日期": dt.datetime(2025, 2, 15)},
            checklist_id: {"整改措施": "制定年度计划", "整改时限": "2040年12月底前", "整改状态": "整改中"},
        },
    )  # fmt: skip
    write_workbook(
        inbox / "2024_自查.xlsx", {"自查": ("checklist", [*CHECKLIST, {**CHECKLIST[2], "question_no": 4}])}
    )
    unknown = {"year": 2024, "problem_id": "2024-0101-DEADBEEF", "org_code": "0101", "measure": "整改",
               "deadline": "2025年6月底前", "status": "整改中"}  # fmt: skip
    write_workbook(inbox / "2024_整改台账_补报.xlsx", {"整改台账": ("rectifications", [unknown])})
    _build(home)
    seen["filled"] = _rows(home, STATUS_SQL)
    seen["ids_after"] = _rows(
        home, "select problem_id, org_code, problem_source, source_key from marts.problems order by all"
    )
    seen["rejects"] = _rows(
        home,
        "select source_file, row_number, column_name, reason, check_stage from marts.rejects order by all",
    )
    seen["unknown_load"] = _rows(
        home, "select rows_read, rows_loaded, rows_rejected from marts.load_summary where source_file = ?",
        ["2024_整改台账_补报.xlsx"],
    )  # fmt: skip
    seen["rate_after"] = _rows(home, RATE_SQL)
    seen["veto_id"], seen["checklist_id"] = veto_id, checklist_id
    return seen


# Every indicator the mini-university has a target for and nothing done: 0 (0101: every activity
# count and share; 01: its meetings, tasks, organizers, …); 01's checklist (0 + 0.5 + 1) / 36 = 4.17;
# 01's no_veto 0 (0101 is vetoed); 01's branch_mean = 0101's total, 7.14. All below 60.
LOW_INDICATORS = {
    "01": ["branch_mean", "branches_standard", "center_group_study", "checklist", "dual_leader_coverage",
           "joint_meetings", "no_veto", "organizers", "secretary_lectures", "tasks_done", "tasks_on_time"],
    "0101": ["democratic_review", "dual_leader", "member_meetings", "org_life_meeting", "party_lectures",
             "publicity", "secretary_lecture", "size_ok", "theme_day_months", "volunteering"],
}  # fmt: skip
OTHER_PROBLEMS = [
    ("01", "checklist_no", "1", "2024Q4", "较重"),
    ("01", "checklist_partial", "2", "2024Q4", "一般"),
    # no roster, no activities: 0 members (not within 3–50), 党员大会 0/4, 党课 0/4, 组织生活会 0/1,
    # 民主评议 0/1, the secretary on no roster; 换届 2023-06-01 + 3 years is after 2024: on time
    ("0101", "hard_rule", "democratic_reviews", "2024Q4", "较重"),
    ("0101", "hard_rule", "member_meetings", "2024Q4", "较重"),
    ("0101", "hard_rule", "org_life_meetings", "2024Q4", "较重"),
    ("0101", "hard_rule", "party_lectures", "2024Q4", "较重"),
    ("0101", "hard_rule", "secretary", "2024Q4", "较重"),
    ("0101", "hard_rule", "size", "2024Q4", "较重"),
    ("0101", "overdue_task", "T1", "2024Q2", "一般"),
    ("0101", "veto", "违反政治纪律", "2024Q4", "严重"),
    # every meeting type below half; no 组织生活会 nor 民主评议; the only branch is also the last; no
    # secretary on the roster; no 述职评议 (no satisfaction), 换届 on time
    ("0101", "weak_branch", "few_meetings", "2024Q4", "较重"),
    ("0101", "weak_branch", "last_place", "2024Q4", "较重"),
    ("0101", "weak_branch", "no_org_life_or_review", "2024Q4", "较重"),
    ("0101", "weak_branch", "no_secretary", "2024Q4", "较重"),
]


def test_the_mini_university_s_problems_exactly(loop):
    listed = [row[:5] for row in loop["first"]]
    low = [
        (org, "low_indicator", key, "2024Q4", "一般") for org, keys in LOW_INDICATORS.items() for key in keys
    ]
    assert sorted(listed) == sorted(OTHER_PROBLEMS + low)
    assert len(listed) == 35
    # the indicator problems are exactly the published year-end indicators below 60
    assert sorted((org, key) for org, _, key, *_ in low) == loop["low"]
    descriptions = {row[2]: row[5] for row in loop["first"]}
    assert descriptions["T1"] == "任务逾期：规范支部工作（完成时限 3月底前，状态 推进中）"
    assert descriptions["违反政治纪律"] == "一票否决：违反政治纪律"
    assert descriptions["1"].startswith("责任清单自查第1题答“否”：是否牢固树立")
    assert descriptions["checklist"] == "指标“责任清单自查”年终得分 4.17（低于60）：实际 1.5，目标 36.0"


def test_a_problem_keeps_its_id_after_files_change_and_runs_repeat(loop):
    assert loop["ids_after"] == loop["ids"]
    assert (loop["veto_id"], loop["checklist_id"]) == (
        "2024-0101-" + hashlib.md5("veto|违反政治纪律".encode()).hexdigest()[:8].upper(),
        "2024-01-" + hashlib.md5(b"checklist_no|1").hexdigest()[:8].upper(),
    )


def test_the_pre_filled_workbook_loads_back_unchanged_as_all_untouched(loop):
    assert loop["sheet"].problems == 35
    assert loop["headers"] == [c.header for c in KINDS["rectifications"].columns]
    assert loop["untouched_load"] == [(35, 35, 0)]
    assert {row[2] for row in loop["untouched"]} == {"未整改"}
    assert {row[7] for row in loop["untouched"]} == {"2024_整改台账_01.xlsx"}


def test_two_rows_filled_in_excel_give_exactly_those_two_statuses(loop):
    changed = [row[:7] for row in loop["filled"] if row[2] != "未整改"]
    assert changed == [
        ("checklist_no", "1", "整改中", "制定年度计划", D(2040, 12, 31), None, None),
        ("veto", "违反政治纪律", "已销号", "开展专题教育", D(2025, 3, 31), D(2025, 2, 15), True),
    ]
    assert len(loop["filled"]) == 35


def test_a_problem_id_nobody_issued_is_a_reject_with_its_reason(loop):
    assert loop["rejects"] == [
        (
            "2024_整改台账_补报.xlsx",
            4,
            "问题编号",
            "问题编号 2024-0101-DEADBEEF 不在 2024 年度的问题清单中",
            "problem",
        )
    ]
    assert loop["unknown_load"] == [(1, 0, 1)]


def test_next_year_s_rectification_rate_is_last_year_s_closed_share(loop):
    # 2024 had no 2023 problems: no rate (the first year's scores do not move); before any 整改台账,
    # 2025 scores 0 of 35. Afterwards the 一票否决 problem is 已销号 on 2025-02-15, within 2025Q1:
    # 1 of 35 from Q1 on = 100 / 35 = 2.857… → 2.86.
    assert loop["rate_before"] == [(f"2025Q{q}", 0.0, 35.0, 0.0) for q in range(1, 5)]
    assert loop["rate_after"] == [(f"2025Q{q}", 1.0, 35.0, 2.86) for q in range(1, 5)]
