"""The checks across files after a change look only at the rows the change can reach, and leave what a
full check leaves (issue 20: at 100× the full check was 21 of a warm run's 24 s of ingest).

Each step changes the inbox, runs the ingest (incremental: asserted), and compares the cross-file
rejects, the resolved codes and the tasks' owners with a full check of the same raw."""

import datetime as dt
import os
import subprocess
import sys

import pytest

from dagster_project.contracts import SHEET_KINDS
from dagster_project.ingest import cross_changes
from dagster_project.ingest.crosscheck import check_across_files
from dagster_project.ingest.submissions import COLLEGE_ROLE, ORG_ROLE, Submission, append, college_scopes
from tests.ingest.test_ingest import NOW, ORGS, Inbox
from tests.support import tiny_university as tu
from tests.support.workbooks import write_cells, write_workbook

D = dt.date
ORGS_FILE = "组织部_组织架构.xlsx"


def _checked(con) -> dict:
    return {
        "rejects": con.execute(
            "select kind, source_file, sheet, row_number, column_name, raw_value, reason from raw.rejects "
            "where check_stage = 'cross' order by all"
        ).fetchall(),
        "branches": con.execute(
            "select _source_file, member_key, branch_code from raw.members order by all"
        ).fetchall(),
        "owners": con.execute("select * from raw.task_owners order by all").fetchall(),
    }


def _reasons(con) -> list[tuple]:
    return con.execute(
        "select source_file, row_number, reason from raw.rejects where check_stage = 'cross' order by all"
    ).fetchall()


class Box(Inbox):
    def sync(self, now: dt.datetime = NOW):
        """An ingest that must be incremental, and then agree with a full check."""
        assert cross_changes.incremental(self.con)
        summary = super().sync(now)
        self.assert_same_as_full()
        return summary

    def assert_same_as_full(self) -> None:
        incremental = _checked(self.con)
        self.con.execute("begin")
        check_across_files(self.con, college_scopes(self.archive))
        full = _checked(self.con)
        self.con.execute("rollback")
        assert incremental == full


@pytest.fixture
def box(tmp_path) -> Box:
    box = Box(tmp_path)
    training = {"course": "党史", "started_on": D(2024, 3, 1), "hours": 2}
    write_workbook(
        box.inbox / "a.xlsx", {"花名册": ("members", [tu.member("0001"), tu.member("0002", "0102")])}
    )
    write_cells(
        box.inbox / "n.xlsx",
        {
            "花名册": [
                ["年度", "工号", "姓名", "人员类别", "所在党支部", "党籍状态"],
                [2024, "0003", "王五", "教职工", "文学院学生党支部", "正式党员"],
                [2024, "0004", "赵六", "教职工", "文学院新党支部", "正式党员"],
            ]
        },
    )
    write_workbook(
        box.inbox / "t1.xlsx",
        {"培训": ("training", [{**training, "member_key": "0001"}, {**training, "member_key": "0005"}])},
    )
    write_workbook(box.inbox / "t2.xlsx", {"培训": ("training", [{**training, "member_key": "0001"}])})
    task = {"year": 2024, "task": "学习", "deadline": "2024年12月", "status": "推进中"}
    tasks = [{**task, "task_id": "R1", "owners": "01"}, {**task, "task_id": "R2", "owners": "不存在的单位"}]
    write_workbook(box.inbox / "任务.xlsx", {"任务清单": ("tasks", tasks)})
    Inbox.sync(box)  # cold: a full check
    box.assert_same_as_full()
    return box


def test_each_change_reaches_the_rows_it_explains_and_no_others(box):
    dup = "重复：工号/学号、培训名称、开始日期为「0001、党史、2024-03-01」的行共 2 行"
    assert [
        (f, r, reason[: len(dup)] if reason.startswith("重复") else reason)
        for f, r, reason in _reasons(box.con)
    ] == [
        ("n.xlsx", 3, "「所在党支部编码」文学院新党支部 不在2024年度组织架构（作为党支部）中"),
        ("t1.xlsx", 4, dup),
        ("t1.xlsx", 5, "「工号/学号」0005 不在2024年度党员花名册中"),
        ("t2.xlsx", 4, dup),
        (
            "任务.xlsx",
            5,
            "「不存在的单位」既不是2024年度组织架构中的组织编码或组织名称，也不是规则表 departments.csv 中的职能部门",
        ),
    ]
    # a reject no check gives, on a row no change below reaches until a.xlsx goes: it stays while
    # only other rows are checked again (a full check would drop it)
    box.con.execute(
        "insert into raw.rejects (source_file, sheet, row_number, column_name, raw_value, reason, kind, "
        "check_stage, file_hash) values ('a.xlsx', '花名册', 5, '工号/学号', '0002', '标记', 'members', 'cross', 'h')"
    )

    # added: 0005's roster → t1's row 5 loads
    write_workbook(box.inbox / "b.xlsx", {"花名册": ("members", [tu.member("0005")])})
    Inbox.sync(box)
    assert ("a.xlsx", 5, "标记") in _reasons(box.con)
    assert ("t1.xlsx", 5) not in [(f, r) for f, r, _ in _reasons(box.con)]
    box.con.execute("delete from raw.rejects where reason = '标记'")
    box.assert_same_as_full()

    # changed: t2's row is now another course → t1's row 4 is no longer a duplicate
    write_workbook(
        box.inbox / "t2.xlsx",
        {
            "培训": (
                "training",
                [{"member_key": "0001", "course": "党章", "started_on": D(2024, 3, 1), "hours": 2}],
            )
        },
    )
    box.sync()
    assert [f for f, _, _ in _reasons(box.con)] == ["n.xlsx", "任务.xlsx"]

    # the 组织架构 changes: 0102 goes, a new 0103 takes the name n.xlsx's 0004 gave → a.xlsx's 0002
    # (by code 0102) and n.xlsx's 0003 (by 0102's name) are rejected, 0004 now resolves to 0103
    orgs = [*tu.orgs(college_name="文学院", secretaries=False, elections={}, branches=("0101",))]
    orgs.append(tu.org("0103", "文学院新党支部", "党支部", "01", branch_category="学生"))
    write_workbook(box.inbox / ORGS_FILE, {"组织架构": ("orgs", orgs)})
    box.sync()
    assert [(f, r) for f, r, _ in _reasons(box.con)] == [("a.xlsx", 5), ("n.xlsx", 2), ("任务.xlsx", 5)]
    assert ("n.xlsx", "0004", "0103") in _checked(box.con)["branches"]

    # removed: a.xlsx → the training rows of 0001 name no member of the roster
    (box.inbox / "a.xlsx").unlink()
    box.sync()
    assert [(f, r) for f, r, _ in _reasons(box.con)] == [
        ("n.xlsx", 2),
        ("t1.xlsx", 4),
        ("t2.xlsx", 4),
        ("任务.xlsx", 5),
    ]


def test_a_file_submitted_again_by_another_login_is_checked_again_whole(box):
    def submitted(role: str, college: str | None) -> None:
        append(
            box.archive, Submission("s", "2026-11-23T12:00:00", "u", role, college, "c.xlsx", "h", "c.xlsx")
        )

    write_workbook(box.inbox / "c.xlsx", {"花名册": ("members", [tu.member("0006")])})
    submitted(ORG_ROLE, None)  # the 组织部's: any college's rows
    box.sync()
    assert [f for f, _, _ in _reasons(box.con) if f == "c.xlsx"] == []
    submitted(COLLEGE_ROLE, "01")  # the same bytes from its own college's login: checked again, its own
    assert box.sync().parsed == []
    assert [f for f, _, _ in _reasons(box.con) if f == "c.xlsx"] == []
    # the 组织架构 in two files: the 党总支 above 0101 moves to another college; 0101's own row and
    # the row's references stay as they were, the college the row belongs to does not
    top = [
        tu.university(),
        tu.org("01", "文学院党委", "党委", "00"),
        tu.org("02", "理学院党委", "党委", "00"),
    ]
    branches = [{**o, "parent_code": "011"} for o in ORGS[2:]]
    write_workbook(
        box.inbox / ORGS_FILE, {"组织架构": ("orgs", [*top, tu.org("011", "文学院党总支", "党总支", "01")])}
    )
    write_workbook(box.inbox / "组织部_支部.xlsx", {"组织架构": ("orgs", branches)})
    box.sync()
    assert [f for f, _, _ in _reasons(box.con) if f == "c.xlsx"] == []
    write_workbook(
        box.inbox / ORGS_FILE, {"组织架构": ("orgs", [*top, tu.org("011", "文学院党总支", "党总支", "02")])}
    )
    box.sync()
    assert ("c.xlsx", 4, "不属于本单位（理学院党委）") in _reasons(box.con)
    submitted(COLLEGE_ROLE, "02")  # the same bytes again, from that college's login
    assert box.sync().parsed == []
    assert [f for f, _, _ in _reasons(box.con) if f == "c.xlsx"] == []


def test_no_key_holds_a_code_given_by_name():
    """Resolving names again moves no row to another key (cross_changes.py, rule 2)."""
    for kind in SHEET_KINDS:
        assert not {c.name for c in kind.named} & set(kind.key), kind.kind


def test_changes_a_crashed_run_committed_are_checked_by_the_next(box, tmp_path):
    """The removal of a file commits before the run dies; the next run must still check what it
    reaches (the notes are in raw.cross_changes, committed with the removal)."""
    (box.inbox / "t2.xlsx").unlink()
    write_workbook(box.inbox / "b.xlsx", {"花名册": ("members", [tu.member("0005")])})
    box.con.close()
    code = (
        "import sys, datetime as dt, duckdb; from pathlib import Path; "
        "from dagster_project.ingest.store import sync_inbox; "
        "con = duckdb.connect(sys.argv[1]); sync_inbox(con, Path(sys.argv[2]), Path(sys.argv[3]))"
    )
    env = {**os.environ, "DANGJIAN_FAULT": "ingest"}
    args = [sys.executable, "-c", code, str(tmp_path / "warehouse.duckdb"), str(box.inbox), str(box.archive)]
    died = subprocess.run(args, env=env, capture_output=True)
    assert died.returncode == -9, died.stderr
    box.con = __import__("duckdb").connect(str(tmp_path / "warehouse.duckdb"))
    assert box.con.execute("select count(*) from raw.files where source_file = 't2.xlsx'").fetchone() == (0,)
    box.sync()
    assert [(f, r) for f, r, _ in _reasons(box.con)] == [("n.xlsx", 3), ("任务.xlsx", 5)]


def test_other_checking_code_makes_the_next_check_full(box):
    box.con.execute("update raw.cross_state set value = 'other' where name = 'fingerprint'")
    assert not cross_changes.incremental(box.con)
    box.con.execute(
        "insert into raw.rejects (source_file, sheet, row_number, column_name, raw_value, reason, kind, "
        "check_stage, file_hash) values ('a.xlsx', '花名册', 5, '工号/学号', '0002', '标记', 'members', 'cross', 'h')"
    )
    write_workbook(box.inbox / "b.xlsx", {"花名册": ("members", [tu.member("0005")])})
    Inbox.sync(box)
    assert "标记" not in [reason for _, _, reason in _reasons(box.con)]
    assert cross_changes.incremental(box.con)


def test_many_notes_are_consumed_by_the_check_that_reads_them(tmp_path):
    """At 100× one changed file notes ~300 k rows; DuckDB 2.0.0 brought rows a transaction had
    inserted back at its commit after `delete from` (cross_changes.finish drops the table instead),
    and the next build then saw no change to 学习培训."""
    import polars as pl

    box = Inbox(tmp_path)
    n = 160_000
    frame = pl.DataFrame(
        {
            "工号/学号": [f"T{i % 2000:04d}" for i in range(n)],
            "培训名称": [f"课程{i}" for i in range(n)],
            "开始日期": [D(2024, 3, 1)] * n,
            "学时": [2.0] * n,
        }
    )
    frame.write_parquet(box.inbox / "t.parquet")
    Inbox.sync(box)
    box.con.execute("delete from raw.build_pending")
    frame.head(n - 1).write_parquet(box.inbox / "t.parquet")
    assert box.sync().parsed == ["t.parquet"]
    assert box.con.execute("select count(*) from raw.cross_changes").fetchone() == (0,)
    # what the build must redo (transform/changes.py): the year and members of the file's rows, old
    # and new — a changed file is loaded again whole
    assert box.con.execute(
        "select source_table, year, via, count(distinct code) from raw.build_pending group by all"
    ).fetchall() == [("training", 2024, "member", 2000)]
