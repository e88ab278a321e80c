"""The rules as the seeds write them, through the whole graph (ingest → dbt → publish) on a small
university whose numbers are worked out by hand.

The university (组织架构 for 2024 only):
- 00 测试大学党委
- 01 计算机学院党委 (党委), secretary S001; branches 0101 教工 (secretary T001), 0102 学生 (secretary S101)
- 02 马克思主义学院党总支 (党总支), secretary M001; branch 0201 教工 (secretary M101)

党课 in 2024 (a college secretary must give 2 a year: 2·m/12 by the period's end, m = 3, 6, 9, 12):
- S001 lectures in 0101 on 05-20 and in 0102 on 10-15 — never on 01 itself;
- T001 (0101's own secretary) lectures in 0101 on 11-01: not the college secretary's;
- S001 lectures in 02's branch 0201 on 04-01: not within his college;
- M001 lectures on 02 itself on 06-01.

任务清单 2024, as 辽宁科技学院's 附件2 writes it (责任部门 with several owners, 责任人, 考核分值):
- T1 "党委组织部，各党总支、直属党支部", 3月底前, 已完成 03-20, 2分 → 党委组织部 (dept), 02 (the only 党总支)
- T2 "01、0201", 第二季度, 推进中, 3分 → 01, 0201 (college 02)
- T3 "财务处", 12月底前, 已完成 12-10 → 财务处 (dept), weight 1
- T4 "各二级党组织", 12月底前，长期坚持, 已完成 12-20, 1分 → 01, 02
- T5 "计算机学院党委", 每学期, 推进中 → 01, no deadline, weight 1
任务清单 2025 (no 2025 组织架构: checked against 2024's):
- Y1 "党委组织部，计算机学院党委", 2025年底前; Y2 "0102", 上半年, 已完成 05-01; Y3 "0999": a reject.
述职评议: 01 for 2024 (scored), and 01 for 2025 — no 2025 组织架构, no 2025 score: a reject, not a row that
loads and then shows nowhere.
"""

import datetime as dt
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from tests.support import tiny_university as tu
from tests.support.reconcile import loaded_counts, unplaced_rows
from tests.support.workbooks import write_cells, write_workbook

D = dt.date
TASK_HEADER = [
    "年度",
    "任务编号",
    "工作任务",
    "责任部门",
    "责任人",
    "完成时限",
    "进度状态",
    "完成日期",
    "考核分值",
]


def _org(code, name, org_type, parent=None, secretary=None, category=None):
    return tu.org(code, name, org_type, parent, secretary_key=secretary, branch_category=category)


ORGS = [
    tu.university(),
    tu.college(secretary_key="S001"),
    tu.branch("0101", secretary=False, secretary_key="T001"),
    tu.branch("0102", secretary=False, secretary_key="S101"),
    _org("02", "马克思主义学院党总支", "党总支", "00", "M001"),
    _org("0201", "马院教工党支部", "党支部", "02", "M101", "教工"),
]


def _lecture(org, on, speaker):
    return {
        "org_code": org,
        "activity_type": "党课",
        "held_on": on,
        "topic": f"党课{on}",
        "speaker_key": speaker,
    }


ACTIVITIES = [
    _lecture("0101", D(2024, 5, 20), "S001"),
    _lecture("0102", D(2024, 10, 15), "S001"),
    _lecture("0101", D(2024, 11, 1), "T001"),
    _lecture("0201", D(2024, 4, 1), "S001"),
    _lecture("02", D(2024, 6, 1), "M001"),
]

TASKS_2024 = [
    ["2024年基层党建重点工作任务清单"],
    [],
    TASK_HEADER,
    [
        2024,
        "T1",
        "开展党员冬训",
        "党委组织部，各党总支、直属党支部",
        "王五",
        "3月底前",
        "已完成",
        D(2024, 3, 20),
        2,
    ],
    [2024, "T2", "规范党支部工作", "01、0201", None, "第二季度", "推进中", None, 3],
    [2024, "T3", "做好党建经费保障", "财务处", "赵六", "12月底前", "已完成", D(2024, 12, 10)],
    [
        2024,
        "T4",
        "巩固主题教育成果",
        "各二级党组织",
        None,
        "12月底前，长期坚持",
        "已完成",
        D(2024, 12, 20),
        1,
    ],
    [2024, "T5", "落实领导干部讲党课", "计算机学院党委", None, "每学期", "推进中"],
]
TASKS_2025 = [
    TASK_HEADER,
    [2025, "Y1", "健全长效机制", "党委组织部，计算机学院党委", None, "2025年底前", "推进中"],
    [2025, "Y2", "学生党员教育", "0102", None, "上半年", "已完成", D(2025, 5, 1)],
    [2025, "Y3", "已撤销的支部", "0999", None, "上半年", "推进中"],
]


@pytest.fixture(scope="module")
def built(tmp_path_factory, dbt_manifest) -> Path:
    home = tmp_path_factory.mktemp("rules_home")
    inbox = home / "inbox"
    inbox.mkdir()
    write_workbook(inbox / "2024_组织架构.xlsx", {"组织架构": ("orgs", ORGS)})
    write_workbook(inbox / "2024_组织生活.xlsx", {"组织生活台账": ("activities", ACTIVITIES)})
    write_cells(inbox / "2024_任务清单.xlsx", {"任务清单": TASKS_2024})
    write_cells(inbox / "2025_任务清单.xlsx", {"任务清单": TASKS_2025})
    votes = {"org_code": "01", "votes_good": 30, "votes_fair_good": 8, "votes_average": 2, "votes_poor": 0}
    write_workbook(
        inbox / "述职评议.xlsx",
        {"述职评议": ("evaluations", [{"year": 2024, **votes}, {"year": 2025, **votes}])},
    )
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DANGJIAN_HOME", str(home))
        from dagster_project.definitions import defs

        d = defs()
        assert dg.materialize(list(d.assets), resources=d.resources).success
    return home


def _rows(home: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(home / "serving.duckdb"), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def test_a_college_secretary_lecture_counts_wherever_it_is_given_in_the_college(built):
    rows = _rows(
        built,
        "select org_code, period, value, target, score from marts.college_indicators "
        "where indicator = 'secretary_lectures' order by org_code, period",
    )
    assert rows == [
        # 01: S001's lectures in 0101 (05-20) and 0102 (10-15) count; T001's and the one in 0201 do not
        ("01", "2024Q1", 0.0, 0.5, 0.0),
        ("01", "2024Q2", 1.0, 1.0, 100.0),
        ("01", "2024Q3", 1.0, 1.5, 66.67),  # 100 · 1 / 1.5
        ("01", "2024Q4", 2.0, 2.0, 100.0),
        # 02: M001 on 02 itself (06-01); S001's lecture in 0201 is not 02's secretary's
        ("02", "2024Q1", 0.0, 0.5, 0.0),
        ("02", "2024Q2", 1.0, 1.0, 100.0),
        ("02", "2024Q3", 1.0, 1.5, 66.67),
        ("02", "2024Q4", 1.0, 2.0, 50.0),
    ]


def test_a_department_task_list_is_placed_owner_by_owner(built):
    rows = _rows(
        built,
        "select task_id, owner_seq, owner_name, owner_kind, is_lead, org_code, college_code, "
        "responsible_person, deadline, ongoing, weight from marts.tasks where period = '2024Q4' "
        "order by task_id, owner_seq",
    )
    assert rows == [
        ("T1", 1, "党委组织部", "职能部门", True, None, None, "王五", D(2024, 3, 31), False, 2.0),
        ("T1", 2, "马克思主义学院党总支", "党组织", False, "02", "02", "王五", D(2024, 3, 31), False, 2.0),
        ("T2", 1, "计算机学院党委", "党组织", True, "01", "01", None, D(2024, 6, 30), False, 3.0),
        ("T2", 2, "马院教工党支部", "党组织", False, "0201", "02", None, D(2024, 6, 30), False, 3.0),
        ("T3", 1, "财务处", "职能部门", True, None, None, "赵六", D(2024, 12, 31), False, 1.0),
        ("T4", 1, "计算机学院党委", "党组织", True, "01", "01", None, D(2024, 12, 31), True, 1.0),
        ("T4", 2, "马克思主义学院党总支", "党组织", True, "02", "02", None, D(2024, 12, 31), True, 1.0),
        ("T5", 1, "计算机学院党委", "党组织", True, "01", "01", None, None, True, 1.0),
    ]


def test_only_party_org_tasks_count_in_c2_weighted_by_their_points(built):
    rows = _rows(
        built,
        "select org_code, period, indicator, value, target, score from marts.college_indicators "
        "where indicator in ('tasks_on_time', 'tasks_done') and period in ('2024Q1', '2024Q2', '2024Q4') "
        "order by org_code, period, indicator",
    )
    assert rows == [
        # 01 has T2 (3分), T4 (1分), T5 (1分, no deadline). Q1: nothing due → tasks_on_time left out;
        # nothing done → 0 / 5
        ("01", "2024Q1", "tasks_done", 0.0, 5.0, 0.0),
        # Q2: T2 due 06-30, not done → 0 / 3; done 0 / 5
        ("01", "2024Q2", "tasks_done", 0.0, 5.0, 0.0),
        ("01", "2024Q2", "tasks_on_time", 0.0, 3.0, 0.0),
        # Q4: T2 and T4 due, T4 on time → 1 / (3 + 1) = 25; done T4 → 1 / 5 = 20
        ("01", "2024Q4", "tasks_done", 1.0, 5.0, 20.0),
        ("01", "2024Q4", "tasks_on_time", 1.0, 4.0, 25.0),
        # 02 has T1 (2分, done 03-20), T2 via its branch 0201 (3分), T4 (1分, done 12-20)
        # Q1: T1 due and on time → 2 / 2; done 2 / 6
        ("02", "2024Q1", "tasks_done", 2.0, 6.0, 33.33),
        ("02", "2024Q1", "tasks_on_time", 2.0, 2.0, 100.0),
        ("02", "2024Q2", "tasks_done", 2.0, 6.0, 33.33),
        ("02", "2024Q2", "tasks_on_time", 2.0, 5.0, 40.0),  # T1 on time, T2 (3) due and open
        # Q4: (2 + 1) / (2 + 3 + 1) = 50 both
        ("02", "2024Q4", "tasks_done", 3.0, 6.0, 50.0),
        ("02", "2024Q4", "tasks_on_time", 3.0, 6.0, 50.0),
    ]


def test_a_task_list_for_a_year_without_its_structure_shows_and_its_stray_row_is_a_reject(built):
    rows = _rows(
        built,
        "select period, task_id, owner_name, owner_kind, org_code, college_code, structure_year, "
        "deadline, done_in_period from marts.tasks where year = 2025 order by period, task_id, owner_seq",
    )
    per_period = [
        ("Y1", "党委组织部", "职能部门", None, None, 2024, D(2025, 12, 31)),
        ("Y1", "计算机学院党委", "党组织", "01", "01", 2024, D(2025, 12, 31)),
        ("Y2", "计算机学院学生党支部", "党组织", "0102", "01", 2024, D(2025, 6, 30)),
    ]
    assert [r[0] for r in rows] == [f"2025Q{q}" for q in range(1, 5) for _ in per_period]
    assert {r[1:8] for r in rows} == set(per_period)
    # Y2 was completed on 05-01: not yet done at the end of Q1, done from Q2 on
    assert [r[8] for r in rows if r[1] == "Y2"] == [False, True, True, True]
    assert _rows(
        built,
        "select source_file, sheet, row_number, column_name, raw_value, reason from marts.rejects "
        "where source_file = '2025_任务清单.xlsx'",
    ) == [
        (
            "2025_任务清单.xlsx",
            "任务清单",
            4,
            "责任单位",
            "0999",
            "「0999」既不是2024年度组织架构（2025年度没有组织架构，按最近的2024年度核对）中的组织编码或组织名称，"
            "也不是规则表 departments.csv 中的职能部门",
        )
    ]
    assert _rows(
        built,
        "select rows_read, rows_loaded, rows_rejected from marts.load_summary where source_file = '2025_任务清单.xlsx'",
    ) == [(3, 2, 1)]


def test_a_row_for_a_year_without_structure_is_a_reject_not_a_loaded_row_that_shows_nowhere(built):
    assert _rows(
        built,
        "select sheet, row_number, column_name, raw_value, reason from marts.rejects "
        "where source_file = '述职评议.xlsx'",
    ) == [("述职评议", 5, "组织编码", "01", "「组织编码」01 不在2025年度组织架构中")]
    # 2024's votes reach 01's year-end score: (100·30 + 80·8 + 60·2) / 40 = 94
    assert _rows(
        built,
        "select evaluation_score from marts.college_scores where period = '2024Q4' and college_code = '01'",
    ) == [(94.0,)]


def test_every_loaded_row_of_the_hand_built_university_reaches_a_mart(built):
    with duckdb.connect(str(built / "warehouse.duckdb"), read_only=True) as con:
        counts = loaded_counts(con)
        assert (counts["orgs"], counts["activities"], counts["tasks"], counts["evaluations"]) == (6, 5, 7, 1)
        assert unplaced_rows(con) == {}
