"""`dangjian check`, the preview and the run: one code path, the same rejects; a college login's scope
in the preview and in the run; 组织部-only kinds refused for a college."""

import json

import duckdb
import pytest
from typer.testing import CliRunner

from dagster_project.cli import app
from dagster_project.ingest.store import sync_inbox
from dagster_project.ingest.submissions import COLLEGE_ROLE, Submission, append
from dagster_project.submit.preview import preview_files
from tests.support import submit_university as uni
from tests.support.workbooks import write_workbook


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("DANGJIAN_HOME", str(tmp_path / "home"))
    return uni.build(tmp_path / "home")


def _check(*args: str):
    result = CliRunner().invoke(app, ["check", *args])
    return result.exit_code, result.stdout


def _as_set(rejects: list[dict]) -> set[tuple]:
    return {(r["sheet"], r["row"], r["column"], r["value"], r["reason"]) for r in rejects}


def test_check_json_lists_each_reject_of_a_college_file(home, tmp_path):
    book = uni.college_workbook(tmp_path / "计算机学院组织生活.xlsx")
    code, out = _check(str(book), "--college", "01", "--json")
    assert code == 3
    report = json.loads(out.strip().splitlines()[-1])
    (entry,) = report["files"]
    assert entry["file"] == "计算机学院组织生活.xlsx"
    assert entry["kinds"] == ["组织生活台账"]
    assert entry["refused"] is None
    assert (entry["rows_read"], entry["rows_ok"], entry["rows_rejected"]) == (4, 1, 3)
    assert _as_set(entry["rejects"]) == uni.COLLEGE_REJECTS
    assert "第 5 行「组织编码」（0201）：不属于本单位（机械学院党委）" in out


def test_the_organization_department_may_submit_any_colleges_rows(home, tmp_path):
    book = uni.college_workbook(tmp_path / "a.xlsx")
    code, out = _check(str(book), "--json")
    entry = json.loads(out.strip().splitlines()[-1])["files"][0]
    assert code == 3
    assert _as_set(entry["rejects"]) == {r for r in uni.COLLEGE_REJECTS if r[1] != 5}


def test_clean_file_exits_0(home, tmp_path):
    book = write_workbook(tmp_path / "ok.xlsx", {"组织生活": ("activities", uni.COLLEGE_ACTIVITIES[:1])})
    code, out = _check(str(book), "--college", "01", "--json")
    assert code == 0
    assert json.loads(out.strip().splitlines()[-1])["files"][0]["rows_ok"] == 1


@pytest.mark.parametrize("suffix", ["xlsx", "csv"])
def test_check_preview_and_run_give_the_same_rejects(home, tmp_path, suffix):
    """The same file, three ways: the CLI, the preview function the page calls, and a run of the
    ingest after the file was submitted by a login of college 01. A CSV file's one sheet is named by
    the user's file name in all three (the run reads it under its derived name)."""
    if suffix == "xlsx":
        book = uni.college_workbook(tmp_path / "计算机学院组织生活.xlsx")
        expected = uni.COLLEGE_REJECTS
    else:
        book = uni.college_csv(tmp_path / "计算机学院组织生活.csv")
        expected = uni.csv_rejects(book)
    _, out = _check(str(book), "--college", "01", "--json")
    by_cli = _as_set(json.loads(out.strip().splitlines()[-1])["files"][0]["rejects"])
    (preview,) = preview_files([(book, book.name)], "01", home / "serving.duckdb")
    by_preview = _as_set(preview.rejects)

    stored = f"报送/01/组织生活台账-20240401-abc.{suffix}"
    (home / "inbox" / "报送" / "01").mkdir(parents=True)
    (home / "inbox" / stored).write_bytes(book.read_bytes())
    append(
        home / "archive",
        Submission("s1", "2024-04-01T10:00:00", "jsj", COLLEGE_ROLE, "01", book.name, "h", stored),
    )
    with duckdb.connect(str(home / "warehouse.duckdb")) as con:
        sync_inbox(con, home / "inbox", home / "archive")
        by_run = set(
            con.execute(
                "select sheet, row_number, column_name, raw_value, reason from raw.rejects where source_file = ?",
                [stored],
            ).fetchall()
        )
        staged = con.execute(
            "select count(*) from raw.activities as a where _source_file = ? and not exists ("
            " select 1 from raw.rejects as r where r.check_stage = 'cross' and r.source_file = a._source_file"
            " and r.sheet = a._sheet and r.row_number = a._row_number)",
            [stored],
        ).fetchone()[0]
    assert by_cli == expected
    assert by_preview == expected
    assert by_run == expected
    assert staged == 1  # only the first data row reaches staging


def test_organization_department_kind_is_refused_whole_for_a_college(home, tmp_path):
    votes = {"year": 2024, "org_code": "01", "votes_good": 5, "votes_fair_good": 1, "votes_average": 0}
    book = write_workbook(tmp_path / "述职.xlsx", {"述职评议": ("evaluations", [votes | {"votes_poor": 0}])})
    code, out = _check(str(book), "--college", "01", "--json")
    entry = json.loads(out.strip().splitlines()[-1])["files"][0]
    assert code == 2
    assert entry["refused"].startswith("「述职评议」由组织部报送，学院账号不能提交")
    assert entry["rejects"] == []
    code, out = _check(str(book), "--json")  # the 组织部 may
    assert code == 0

    stored = "报送/01/述职评议-x.xlsx"
    (home / "inbox" / "报送" / "01").mkdir(parents=True)
    (home / "inbox" / stored).write_bytes(book.read_bytes())
    append(
        home / "archive",
        Submission("s2", "2024-04-01T10:00:00", "jsj", COLLEGE_ROLE, "01", book.name, "h", stored),
    )
    with duckdb.connect(str(home / "warehouse.duckdb")) as con:
        sync_inbox(con, home / "inbox", home / "archive")
        assert con.execute("select count(*) from raw.evaluations").fetchone()[0] == 0
        (reason,) = con.execute("select reason from raw.rejects where source_file = ?", [stored]).fetchone()
    assert reason == entry["refused"]


def test_university_and_other_college_rows_of_orgs_are_rejected_for_a_college(home, tmp_path):
    rows = [dict(r) for r in uni.ORGS]
    book = write_workbook(tmp_path / "组织架构.xlsx", {"组织架构": ("orgs", rows)})
    (preview,) = preview_files([(book, book.name)], "01", home / "serving.duckdb")
    assert {(r["row"], r["reason"]) for r in preview.rejects} == {
        (4, "组织架构中的校级组织（测试大学党委）只能由组织部报送"),
        (6, "不属于本单位（机械学院党委）"),
        (8, "不属于本单位（机械学院党委）"),
    }
    assert (preview.rows_read, preview.rows_ok) == (5, 2)


def test_two_files_of_the_same_name_are_told_apart(home, tmp_path):
    row = uni.COLLEGE_ACTIVITIES[0] | {
        "topic": "另一次学习"
    }  # the same row in both files would be a duplicate
    good = write_workbook(tmp_path / "good.xlsx", {"组织生活": ("activities", [row])})
    bad = uni.college_workbook(tmp_path / "bad.xlsx")
    first, second = preview_files(
        [(good, "组织生活.xlsx"), (bad, "组织生活.xlsx")], "01", home / "serving.duckdb"
    )
    assert (first.file, first.rows_rejected) == ("组织生活.xlsx", 0)
    assert (second.file, second.rows_rejected) == ("组织生活（2）.xlsx", 3)
