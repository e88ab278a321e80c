"""任务清单 read as 辽宁科技学院's task list writes it (its 实施方案 正文二 and 附件2): functional departments
and several owners in one 责任单位 cell, "各党总支、直属党支部", a 责任人 column, compound and vague
deadlines, and a list for a year that has no 组织架构 of its own. Every expected row is written out
by hand from the cells below."""

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from dagster_project.ingest.deadlines import Deadline, read_deadlines
from dagster_project.ingest.store import sync_inbox
from dagster_project.ingest.task_owners import departments
from tests.support import tiny_university as tu
from tests.support.workbooks import write_cells, write_workbook

D = dt.date
NOW = dt.datetime(2025, 6, 30, 9, 0)

# 2024's structure: the university, a college 党委 with a branch, a 党总支 and a 直属党支部.
ORGS_2024 = [
    *tu.orgs(secretaries=False, elections={}, branches=("0101",)),
    tu.org("02", "马克思主义学院党总支", "党总支", "00"),
    tu.org("03", "图书馆直属党支部", "直属党支部", "00"),
]
# 2022: an older structure with a college that was merged away before 2024.
ORGS_2022 = [tu.university(2022), tu.org("09", "旧管理学院党总支", "党总支", "00", year=2022)]

HEADER = [
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


class Box:
    def __init__(self, root: Path):
        self.inbox = root / "inbox"
        self.archive = root / "archive"
        self.inbox.mkdir(parents=True)
        self.con = duckdb.connect(str(root / "warehouse.duckdb"))
        write_workbook(self.inbox / "组织架构.xlsx", {"组织架构": ("orgs", ORGS_2024 + ORGS_2022)})

    def sync(self):
        return sync_inbox(self.con, self.inbox, self.archive, now=NOW)

    def rows(self, sql: str) -> list[tuple]:
        return self.con.execute(sql).fetchall()

    def rejects(self) -> list[tuple]:
        return self.rows(
            "select source_file, sheet, row_number, column_name, raw_value, reason from raw.rejects "
            "order by source_file, sheet, row_number, reason"
        )


@pytest.fixture
def box(tmp_path) -> Box:
    return Box(tmp_path)


def owners(box: Box, source_file: str) -> list[tuple]:
    return box.rows(
        "select _row_number, owner_seq, owner_name, owner_kind, org_code, is_lead, structure_year "
        f"from raw.task_owners where _source_file = '{source_file}' order by _row_number, owner_seq"
    )


# --- deadlines ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # as 附件2 writes them
        ("12月底前，长期坚持", Deadline(D(2024, 12, 31), True, True)),
        ("2020年5月底前", Deadline(D(2020, 5, 31), False, True)),
        ("2020年6月-9月", Deadline(D(2020, 9, 30), False, True)),
        ("11月中旬前", Deadline(D(2024, 11, 20), False, True)),
        ("常态化推进", Deadline(None, True, True)),
        ("长期坚持", Deadline(None, True, True)),
        # vague ones
        ("2024年底前", Deadline(D(2024, 12, 31), False, True)),
        ("年底前", Deadline(D(2024, 12, 31), False, True)),
        ("上半年", Deadline(D(2024, 6, 30), False, True)),
        ("下半年", Deadline(D(2024, 12, 31), False, True)),
        ("第一季度", Deadline(D(2024, 3, 31), False, True)),
        ("第二季度", Deadline(D(2024, 6, 30), False, True)),
        ("2023年第三季度", Deadline(D(2023, 9, 30), False, True)),
        ("第四季度", Deadline(D(2024, 12, 31), False, True)),
        ("每学期", Deadline(None, True, True)),
        # the first date of a compound, whatever comes first; full-width separators
        ("长期坚持；6月底前", Deadline(D(2024, 6, 30), True, True)),
        ("上半年、下半年", Deadline(D(2024, 6, 30), False, True)),
        # one part not understood: the whole text is not
        ("12月底前，尽快", Deadline(None, False, False)),
        ("尽快", Deadline(None, False, False)),
        ("第五季度", Deadline(None, False, False)),
    ],
)
def test_deadline_texts_as_task_lists_write_them(text, expected):
    assert read_deadlines([text], [2024]) == [expected]


def test_compound_and_vague_deadlines_load_where_they_were_rejected(box):
    """On aca3cf4 each of these rows was a reject 「完成时限无法识别」."""
    rows = [
        ["年度", "任务编号", "工作任务", "责任单位编码", "完成时限", "进度状态"],
        [2024, "T1", "巩固主题教育成果", "01", "12月底前，长期坚持", "推进中"],
        [2024, "T2", "完善制度体系", "01", "2024年底前", "推进中"],
        [2024, "T3", "半年总结", "01", "上半年", "推进中"],
        [2024, "T4", "季度督查", "01", "第三季度", "推进中"],
        [2024, "T5", "书记讲党课", "01", "每学期", "推进中"],
    ]
    write_cells(box.inbox / "任务.xlsx", {"任务": rows})
    box.sync()
    assert box.rejects() == []
    assert box.rows("select task_id, deadline, deadline_text, ongoing from raw.tasks order by task_id") == [
        ("T1", D(2024, 12, 31), "12月底前，长期坚持", True),
        ("T2", D(2024, 12, 31), "2024年底前", False),
        ("T3", D(2024, 6, 30), "上半年", False),
        ("T4", D(2024, 9, 30), "第三季度", False),
        ("T5", None, "每学期", True),
    ]


# --- owners ---------------------------------------------------------------------------------------


def test_the_default_departments_are_every_one_the_task_list_names():
    named = set(departments().values())
    # every 责任部门 of 正文二 and 附件2 that is not a party organisation
    assert named >= {
        "党委组织部",
        "党委宣传部",
        "党委宣传统战部",
        "党政办公室",
        "纪委办公室",
        "人事处",
        "学生处",
        "教务处",
        "科技处",
        "财务处",
        "工会",
        "团委",
        "马克思主义学院",
    }


def test_a_task_list_as_the_seed_writes_it(box):
    """Rows copied from 附件2, the 责任部门 cells as written there (， , 、 mixed, a group), plus a
    责任人 and codes and names of party orgs."""
    rows = [
        ["2024年“基层党建制度落实年”重点工作任务清单"],
        [],
        HEADER,
        [
            2024,
            "(二)",
            "巩固深化主题教育成果",
            "党委组织部，党政办公室",
            "张三",
            "12月底前，长期坚持",
            "推进中",
        ],
        [
            2024,
            "(二)-2",
            "认真学习各项制度",
            "党委组织部，党委宣传统战部,各党总支、直属党支部",
            None,
            "2024年6月-9月",
            "推进中",
        ],
        [
            2024,
            "(十一)",
            "做好党建经费保障",
            "党委组织部／财务处",
            "李四",
            "12月底前",
            "已完成",
            D(2024, 11, 5),
            3,
        ],
        [2024, "(十二)", "院系任务", "0101、马克思主义学院党总支；人事处", None, "第三季度", "未启动"],
        [2024, "(二十二)", "全体二级党组织的任务", "各二级党组织", None, "上半年", "推进中"],
        [2024, "(二十三)", "同一单位写了两次", "计算机学院党委、01", None, "下半年", "推进中"],
    ]
    write_cells(box.inbox / "任务清单.xlsx", {"任务清单": rows})
    box.sync()
    assert box.rejects() == []
    assert box.rows("select _row_number, task_id, owners, responsible_person from raw.tasks order by 1") == [
        (4, "(二)", "党委组织部，党政办公室", "张三"),
        (5, "(二)-2", "党委组织部，党委宣传统战部,各党总支、直属党支部", None),
        (6, "(十一)", "党委组织部／财务处", "李四"),
        (7, "(十二)", "0101、马克思主义学院党总支；人事处", None),
        (8, "(二十二)", "各二级党组织", None),
        (9, "(二十三)", "计算机学院党委、01", None),
    ]
    assert owners(box, "任务清单.xlsx") == [
        (4, 1, "党委组织部", "职能部门", None, True, 2024),
        (4, 2, "党政办公室", "职能部门", None, False, 2024),
        (5, 1, "党委组织部", "职能部门", None, True, 2024),
        (5, 2, "党委宣传统战部", "职能部门", None, False, 2024),
        # 各党总支、直属党支部: the college-level 党总支 and 直属党支部, not the 党委 01
        (5, 3, "马克思主义学院党总支", "党组织", "02", False, 2024),
        (5, 4, "图书馆直属党支部", "党组织", "03", False, 2024),
        (6, 1, "党委组织部", "职能部门", None, True, 2024),
        (6, 2, "财务处", "职能部门", None, False, 2024),
        (7, 1, "计算机学院教工党支部", "党组织", "0101", True, 2024),
        (7, 2, "马克思主义学院党总支", "党组织", "02", False, 2024),
        (7, 3, "人事处", "职能部门", None, False, 2024),
        # 各二级党组织: every org directly under the university 党委, each its own lead
        (8, 1, "计算机学院党委", "党组织", "01", True, 2024),
        (8, 2, "马克思主义学院党总支", "党组织", "02", True, 2024),
        (8, 3, "图书馆直属党支部", "党组织", "03", True, 2024),
        # the same org by name and by code: once
        (9, 1, "计算机学院党委", "党组织", "01", True, 2024),
    ]


def test_an_owner_that_cannot_be_placed_is_a_reject_naming_it(box):
    rows = [
        HEADER,
        [2024, "A", "宣传工作", "党委组织部，宣传处", None, "12月底前", "推进中"],
        [2024, "B", "支部任务", "0199", None, "12月底前", "推进中"],
        [2024, "C", "合并前的学院", "旧管理学院党总支", None, "12月底前", "推进中"],
        [2024, "D", "正常的一行", "财务处", None, "12月底前", "推进中"],
        [2024, "E", "只有分隔符", "、", None, "12月底前", "推进中"],
    ]
    write_cells(box.inbox / "任务.xlsx", {"任务": rows})
    box.sync()
    not_here = "既不是2024年度组织架构中的组织编码或组织名称，也不是规则表 departments.csv 中的职能部门"
    assert box.rejects() == [
        ("任务.xlsx", "任务", 2, "责任单位", "党委组织部，宣传处", f"「宣传处」{not_here}"),
        ("任务.xlsx", "任务", 3, "责任单位", "0199", f"「0199」{not_here}"),
        # 09 exists only in 2022: a 2024 task is checked against 2024's structure
        ("任务.xlsx", "任务", 4, "责任单位", "旧管理学院党总支", f"「旧管理学院党总支」{not_here}"),
        ("任务.xlsx", "任务", 6, "责任单位", "、", "「责任单位」没有填写任何单位"),
    ]
    assert owners(box, "任务.xlsx") == [(5, 1, "财务处", "职能部门", None, True, 2024)]


def test_the_same_owner_for_the_same_task_in_two_rows_rejects_both(box):
    rows = [
        HEADER,
        [2024, "T1", "任务一", "01", None, "12月底前", "推进中"],
        [2024, "T1", "任务一", "各二级党组织", None, "12月底前", "推进中"],
        [2024, "T2", "任务二", "01", None, "12月底前", "推进中"],
        [2024, "T2", "任务二", "02", None, "12月底前", "推进中"],  # the per-owner layout: fine
    ]
    write_cells(box.inbox / "任务.xlsx", {"任务": rows})
    box.sync()
    clash = "任务编号 T1 分派给「计算机学院党委」重复：「任务.xlsx」任务第{}行也是，同一任务同一责任单位只应出现一次，这些行均未入库"
    assert box.rejects() == [
        ("任务.xlsx", "任务", 2, "责任单位", "01", clash.format(3)),
        ("任务.xlsx", "任务", 3, "责任单位", "各二级党组织", clash.format(2)),
    ]
    assert [r[:5] for r in owners(box, "任务.xlsx")] == [
        (4, 1, "计算机学院党委", "党组织", "01"),
        (5, 1, "马克思主义学院党总支", "党组织", "02"),
    ]


def test_a_year_without_its_own_structure_is_checked_against_the_nearest(box):
    """2025 has no 组织架构: its list is checked against 2024's (the nearest), so it loads; an owner
    2024 does not know is a reject that says which structure it was checked against. 2023 lies
    between 2022 and 2024: a tie goes to the earlier year."""
    rows = [
        HEADER,
        [2025, "T1", "巩固成果", "党委组织部，各党总支、直属党支部", None, "12月底前，长期坚持", "推进中"],
        [2025, "T2", "学院任务", "计算机学院党委", None, "第一季度", "推进中"],
        [2025, "T3", "合并前的学院", "09", None, "第一季度", "推进中"],
        [2023, "T4", "合并前的学院", "09", None, "第一季度", "推进中"],
    ]
    write_cells(box.inbox / "2025任务.xlsx", {"任务": rows})
    box.sync()
    assert box.rejects() == [
        (
            "2025任务.xlsx",
            "任务",
            4,
            "责任单位",
            "09",
            "「09」既不是2024年度组织架构（2025年度没有组织架构，按最近的2024年度核对）中的组织编码或组织名称，"
            "也不是规则表 departments.csv 中的职能部门",
        )
    ]
    assert owners(box, "2025任务.xlsx") == [
        (2, 1, "党委组织部", "职能部门", None, True, 2024),
        (2, 2, "马克思主义学院党总支", "党组织", "02", False, 2024),
        (2, 3, "图书馆直属党支部", "党组织", "03", False, 2024),
        (3, 1, "计算机学院党委", "党组织", "01", True, 2024),
        (5, 1, "旧管理学院党总支", "党组织", "09", True, 2022),
    ]


def test_a_department_only_list_loads_without_any_structure(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write_cells(
        inbox / "任务.xlsx",
        {"任务": [HEADER, [2024, "T1", "经费", "财务处，党委组织部", None, "6月底前", "推进中"]]},
    )
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    sync_inbox(con, inbox, tmp_path / "archive", now=NOW)
    assert con.execute("select count(*) from raw.rejects").fetchone() == (0,)
    assert con.execute(
        "select owner_name, owner_kind, is_lead, structure_year from raw.task_owners order by owner_seq"
    ).fetchall() == [("财务处", "职能部门", True, None), ("党委组织部", "职能部门", False, None)]


def test_editing_the_departments_rulebook_takes_effect_on_the_next_run(box, tmp_path, monkeypatch):
    from dagster_project.ingest import task_owners

    write_cells(
        box.inbox / "任务.xlsx", {"任务": [HEADER, [2024, "T1", "保卫", "保卫处", None, "6月底前", "推进中"]]}
    )
    box.sync()
    assert [r[5] for r in box.rejects()] == [
        "「保卫处」既不是2024年度组织架构中的组织编码或组织名称，也不是规则表 departments.csv 中的职能部门"
    ]
    edited = tmp_path / "departments.csv"
    edited.write_text(
        task_owners.DEPARTMENTS_CSV.read_text(encoding="utf-8") + "保卫处,本系统默认（可修改）\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(task_owners, "DEPARTMENTS_CSV", edited)
    box.sync()  # the file is unchanged: only the checks across files run again
    assert box.rejects() == []
    assert owners(box, "任务.xlsx") == [(2, 1, "保卫处", "职能部门", None, True, 2024)]
