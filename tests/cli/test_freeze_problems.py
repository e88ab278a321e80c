"""A frozen year keeps the problems it was judged on, like its scores: `dangjian freeze --year 2024`
stores 2024's problem list, and when a 2024 input changes afterwards the published 2024 problems —
ids, texts, severities — stay as frozen, while this run's own computation (and marts.frozen_diff)
shows what would differ; 2025 is computed as usual.

The university is the 整改 loop's mini-university (tests/model/test_rectification_loop.py): 2024
责任清单自查 of 01 q1 否, q2 部分, q3 是; 一票否决 of 0101「违反政治纪律」; task T1 of 0101 overdue.
After the freeze the 自查 file is corrected (q1 是, q2 部分, q3 否, and a 2025 q1 否) and the veto's
reason is retyped「违反组织纪律」. Computed now, 2024 would list checklist_no q3 instead of q1 and the
veto under its new reason; published, 2024 keeps q1 and「违反政治纪律」with their ids.
"""

from pathlib import Path

import dagster as dg
import duckdb
import pytest
from typer.testing import CliRunner

from dagster_project import cli
from tests.model.test_rectification_loop import CHECKLIST, ORGS, TASKS, VETO
from tests.support.workbooks import write_workbook

PROBLEMS = "select * from {relation} where year = ? order by problem_id"
KEYS = """
select problem_source, source_key from {relation}
where year = ? and problem_source in ('checklist_no', 'checklist_partial', 'veto') order by all
"""


def _build(home: Path) -> None:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DANGJIAN_HOME", str(home))
        from dagster_project.definitions import defs

        d = defs()
        assert dg.materialize(list(d.assets), resources=d.resources).success


def _rows(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


@pytest.fixture(scope="module")
def refrozen(tmp_path_factory, dbt_manifest) -> dict:
    home = tmp_path_factory.mktemp("frozen_problems_home")
    inbox = home / "inbox"
    inbox.mkdir()
    write_workbook(inbox / "组织架构.xlsx", {"组织架构": ("orgs", ORGS)})
    write_workbook(inbox / "自查.xlsx", {"自查": ("checklist", CHECKLIST)})
    write_workbook(inbox / "加减分.xlsx", {"加减分": ("adjustments", VETO)})
    write_workbook(inbox / "任务清单.xlsx", {"任务清单": ("tasks", TASKS)})
    _build(home)
    serving = home / "serving.duckdb"
    seen = {"published": _rows(serving, PROBLEMS.format(relation="marts.problems"), [2024])}
    result = CliRunner().invoke(cli.app, ["freeze", "--year", "2024"], env={"DANGJIAN_HOME": str(home)})
    assert result.exit_code == 0, result.output
    seen["freeze_output"] = "".join(result.output.split())
    corrected = [
        {"year": 2024, "org_code": "01", "question_no": 1, "answer": "是"},
        {"year": 2024, "org_code": "01", "question_no": 2, "answer": "部分"},
        {"year": 2024, "org_code": "01", "question_no": 3, "answer": "否"},
        {"year": 2025, "org_code": "01", "question_no": 1, "answer": "否"},
    ]
    write_workbook(inbox / "自查.xlsx", {"自查": ("checklist", corrected)})
    write_workbook(
        inbox / "加减分.xlsx", {"加减分": ("adjustments", [{**VETO[0], "reason": "违反组织纪律"}])}
    )
    _build(home)
    seen["after"] = _rows(serving, PROBLEMS.format(relation="marts.problems"), [2024])
    seen["published_keys"] = _rows(serving, KEYS.format(relation="marts.problems"), [2024])
    seen["computed_keys"] = _rows(
        home / "warehouse.duckdb", KEYS.format(relation="intermediate.int_problems_computed"), [2024]
    )
    seen["keys_2025"] = _rows(serving, KEYS.format(relation="marts.problems"), [2025])
    seen["diff"] = _rows(
        serving,
        "select row_key, change from marts.frozen_diff where table_name = 'problems' order by all",
    )
    seen["ids"] = _rows(
        serving,
        "select problem_source, source_key, problem_id from marts.problems where year = 2024 "
        "and problem_source in ('checklist_no', 'veto') order by all",
    )
    return seen


def test_freeze_stores_the_problem_list(refrozen):
    assert refrozen["published"], "the mini-university has 2024 problems"
    assert f"问题清单{len(refrozen['published'])}行" in refrozen["freeze_output"]


def test_frozen_year_keeps_its_problems_ids_texts_and_severities(refrozen):
    # every column of every 2024 row, the ids first among them, as published before the freeze
    assert refrozen["after"] == refrozen["published"]
    assert refrozen["published_keys"] == [
        ("checklist_no", "1"),
        ("checklist_partial", "2"),
        ("veto", "违反政治纪律"),
    ]


def test_the_change_reached_this_runs_computation(refrozen):
    # computed now, 2024 would differ: so the unchanged published rows are the frozen ones
    assert refrozen["computed_keys"] == [
        ("checklist_no", "3"),
        ("checklist_partial", "2"),
        ("veto", "违反组织纪律"),
    ]


def test_frozen_diff_lists_the_problems_that_would_change(refrozen):
    ids = dict(((s, k), i) for s, k, i in refrozen["ids"])
    diff = set(refrozen["diff"])
    assert (ids[("checklist_no", "1")], "行已删除") in diff
    assert (ids[("veto", "违反政治纪律")], "行已删除") in diff
    assert {change for _, change in diff if _.startswith("2024-01-")} >= {"新增行", "行已删除"}


def test_unfrozen_year_is_computed_as_usual(refrozen):
    assert ("checklist_no", "1") in refrozen["keys_2025"]
