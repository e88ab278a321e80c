"""Freezing a year (`dangjian freeze --year Y`) through the real pipeline, on a university small enough
to follow by hand.

The university has one college (01) with one 教工 branch (0101, 3 members) in 2024 and 2025, and a
述职评议 workbook with the college's votes for both years: 2024 好 10 (score 100), 2025 好 8 较好 2
(score (8·100 + 2·80)/10 = 96). The pipeline runs, 2024 is frozen, then the 述职评议 workbook is
replaced by a corrected one — 2024 好 5 较好 5 (score 90), 2025 好 10 (score 100) — and the pipeline
runs again. Only the college's Q4 述职评议 score and composite (0.8 × total + 0.2 × 述职评议) move.
"""

import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from python_calamine import CalamineWorkbook
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

from dagster_project import cli
from dagster_project.contracts import SHEET_KINDS
from dagster_project.home import DBT_DIR, REPO_ROOT
from dagster_project.reports.result_sheet import write_result_sheet
from dagster_project.serving.freeze import FROZEN_TABLES, AlreadyFrozenError, freeze_year
from dagster_project.transform.project import DBT_EXECUTABLE
from tests.support import tiny_university as tu
from tests.support.workbooks import write_workbook

APP = REPO_ROOT / "dashboards" / "app.py"
ROSTER_FILE = "组织架构与花名册.xlsx"
VOTES_FILE = "述职评议.xlsx"


def _orgs(year: int) -> list[dict]:
    return tu.orgs(year, counts=(100, 400, 1), branches=("0101",))


def _members(year: int) -> list[dict]:
    return [
        tu.member(key, "0101", role, year=year, joined=dt.date(2010, 7, 1))
        for key, role in (("T001", "书记"), ("T002", None), ("T003", None))
    ]


def _votes(year: int, good: int, fair_good: int) -> dict:
    return {
        "year": year,
        "org_code": "01",
        "votes_good": good,
        "votes_fair_good": fair_good,
        "votes_average": 0,
        "votes_poor": 0,
    }


def _materialize() -> None:
    from dagster_project.definitions import defs

    d = defs()
    assert dg.materialize(list(d.assets), resources=d.resources).success


def invoke(home: Path, *args: str):
    result = CliRunner().invoke(cli.app, list(args), env={"DANGJIAN_HOME": str(home)})
    # rich wraps long Chinese lines at the terminal width
    return result, "".join(result.output.split())


def rows(db: Path, sql: str, params=()) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


def year_rows(db: Path, table: str, year: int) -> list[tuple]:
    return rows(db, f"select * from marts.{table} where year = ? order by all", [year])


@dataclass(frozen=True)
class Frozen:
    home: Path
    before: Path  # serving.duckdb as published before the freeze
    freeze_output: str


@pytest.fixture(scope="module")
def frozen(tmp_path_factory, dbt_manifest) -> Frozen:
    home = tmp_path_factory.mktemp("freeze_home")
    inbox = home / "inbox"
    inbox.mkdir()
    write_workbook(
        inbox / ROSTER_FILE,
        {
            "组织架构": ("orgs", _orgs(2024) + _orgs(2025)),
            "党员花名册": ("members", _members(2024) + _members(2025)),
        },
    )
    write_workbook(
        inbox / VOTES_FILE, {"述职评议": ("evaluations", [_votes(2024, 10, 0), _votes(2025, 8, 2)])}
    )
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DANGJIAN_HOME", str(home))
        mp.setenv("DAGSTER_HOME", str(home / "dagster"))
        _materialize()
        before = shutil.copy(home / "serving.duckdb", home / "published_before_freeze.duckdb")
        result, output = invoke(home, "freeze", "--year", "2024")
        assert result.exit_code == 0, result.output
        write_workbook(
            inbox / VOTES_FILE, {"述职评议": ("evaluations", [_votes(2024, 5, 5), _votes(2025, 10, 0)])}
        )
        _materialize()
    return Frozen(home=home, before=Path(before), freeze_output=output)


# --- the freeze itself ---------------------------------------------------------------------------


def test_cli_says_what_was_frozen(frozen):
    # one college and one branch, four quarters each
    assert "已冻结2024年度考核结果" in frozen.freeze_output
    assert "二级党组织得分4行、党支部得分4行" in frozen.freeze_output
    assert "记录了该年度的2个数据文件" in frozen.freeze_output


def test_manifest_records_rows_files_and_rulebook(frozen):
    manifest = json.loads((frozen.home / "frozen" / "2024" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["year"] == 2024
    assert manifest["source"] == "published_snapshot"
    (published_at,) = rows(frozen.before, "select published_at from meta.snapshot")[0]
    assert manifest["published_at"] == published_at.isoformat()
    counts = {t: len(year_rows(frozen.before, t, 2024)) for t in FROZEN_TABLES}
    assert counts["college_scores"] == 4 and counts["branch_scores"] == 4
    assert manifest["tables"] == [{"table_name": t, "row_count": counts[t]} for t in FROZEN_TABLES]
    hashes = dict(rows(frozen.before, "select source_file, file_hash from marts.load_summary"))
    assert manifest["source_files"] == [
        {"source_file": name, "file_hash": hashes[name]} for name in sorted([ROSTER_FILE, VOTES_FILE])
    ]
    # the rulebook's hashes are the CSV files' own SHA-256
    assert manifest["rulebook_files"] == [
        {"file_name": p.name, "content_hash": hashlib.sha256(p.read_bytes()).hexdigest()}
        for p in sorted((REPO_ROOT / "seeds").glob("*.csv"))
    ]


def test_frozen_years_mart(frozen):
    manifest = json.loads((frozen.home / "frozen" / "2024" / "manifest.json").read_text(encoding="utf-8"))
    assert rows(frozen.home / "serving.duckdb", "select * from marts.frozen_years") == [
        (
            2024,
            dt.datetime.fromisoformat(manifest["frozen_at"]),
            dt.datetime.fromisoformat(manifest["published_at"]),
            "branch_indicators, branch_scores, college_indicators, college_scores, problems, weak_branches",
            sum(t["row_count"] for t in manifest["tables"]),
            2,
        )
    ]


# --- the run after the change --------------------------------------------------------------------


def test_frozen_year_keeps_its_published_rows(frozen):
    after = frozen.home / "serving.duckdb"
    for table in FROZEN_TABLES:
        stored = frozen.home / "frozen" / "2024" / f"{table}.parquet"
        with duckdb.connect() as con:
            parquet = con.execute(f"select * from read_parquet('{stored}') order by all").fetchall()
        assert year_rows(after, table, 2024) == year_rows(frozen.before, table, 2024) == parquet, table
    assert rows(after, "select evaluation_score from marts.college_scores where period = '2024Q4'") == [
        (100.0,)
    ]


def test_unfrozen_year_follows_the_corrected_file(frozen):
    sql = "select total, evaluation_score, composite from marts.college_scores where period = '2025Q4'"
    (total, score_before, composite_before) = rows(frozen.before, sql)[0]
    (total_after, score_after, composite_after) = rows(frozen.home / "serving.duckdb", sql)[0]
    assert total_after == total  # the votes move only the 述职评议 score
    assert (score_before, score_after) == (96.0, 100.0)
    assert composite_before == round(0.8 * total + 0.2 * 96, 2)
    assert composite_after == round(0.8 * total + 0.2 * 100, 2)
    assert composite_after != composite_before


def test_frozen_diff_lists_exactly_what_would_change(frozen):
    (total,) = rows(frozen.before, "select total from marts.college_scores where period = '2024Q4'")[0]
    # 0.8 × 32.86 + 0.2 × 100 = 46.288 → 46.29 frozen; 0.8 × 32.86 + 0.2 × 90 = 44.288 → 44.29 now
    assert total == 32.86
    reason = f"冻结后文件已更改：{VOTES_FILE}"  # the roster workbook was not touched
    assert rows(frozen.home / "serving.duckdb", "select * from marts.frozen_diff order by all") == [
        (
            2024,
            "college_scores",
            "2024Q4",
            "01",
            "01",  # the college of the row
            "2024Q4 / 01",
            "composite",
            "值已变化",
            "46.29",
            "44.29",
            reason,
        ),
        (
            2024,
            "college_scores",
            "2024Q4",
            "01",
            "01",  # the college of the row
            "2024Q4 / 01",
            "evaluation_score",
            "值已变化",
            "100.0",
            "90.0",
            reason,
        ),
        (
            2024,
            "college_scores",
            "2024Q4",
            "01",
            "01",  # the college of the row
            "2024Q4 / 01",
            "gap_to_next_grade",  # 差 below 一般's 60: 60 − 46.29 frozen, 60 − 44.29 now
            "值已变化",
            "13.71",
            "15.71",
            reason,
        ),
    ]


def test_result_sheet_of_the_frozen_year_is_unchanged(frozen, tmp_path):
    def cells(db: Path, name: str) -> dict[str, list]:
        out = write_result_sheet(db, 2024, tmp_path / name).path
        book = CalamineWorkbook.from_path(str(out))
        return {sheet: book.get_sheet_by_name(sheet).to_python() for sheet in book.sheet_names}

    assert cells(frozen.home / "serving.duckdb", "after.xlsx") == cells(frozen.before, "before.xlsx")


def test_year_frozen_before_a_column_was_added_still_builds(copied_home):
    """A year frozen before college_scores had year_end_rank_change (stored without it) still
    builds: its own rows have the column empty, and the next year's 年终 is compared with its
    stored Q4 rank (one college: 1st both years → 0)."""
    stored = copied_home / "frozen" / "2024" / "college_scores.parquet"
    with duckdb.connect() as con:
        con.execute(
            f"copy (select * exclude (year_end_rank_change) from read_parquet('{stored}')) "
            f"to '{copied_home / 'old.parquet'}' (format parquet)"
        )
    shutil.move(copied_home / "old.parquet", stored)
    done = subprocess.run(
        [DBT_EXECUTABLE, "build", "--quiet", "--select", "college_scores", "--exclude-resource-type", "unit_test",
         "--project-dir", str(DBT_DIR), "--profiles-dir", str(DBT_DIR), "--target-path", str(copied_home / "target")],
        cwd=DBT_DIR, env={**os.environ, "DANGJIAN_HOME": str(copied_home), "DO_NOT_TRACK": "1"},
        capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:]
    assert rows(
        copied_home / "warehouse.duckdb",
        "select period, rank, year_end_rank_change from marts.college_scores where quarter = 4 order by period",
    ) == [("2024Q4", 1, None), ("2025Q4", 1, 0)]


# --- refusing and re-freezing --------------------------------------------------------------------


def test_refreezing_is_refused_without_force(frozen, monkeypatch):
    monkeypatch.setenv("DAGSTER_HOME", str(frozen.home / "dagster"))
    manifest = frozen.home / "frozen" / "2024" / "manifest.json"
    stored = manifest.read_bytes()
    result, output = invoke(frozen.home, "freeze", "--year", "2024")
    assert result.exit_code == 1
    frozen_at = dt.datetime.fromisoformat(json.loads(stored)["frozen_at"])
    assert f"2024年度的结果已于{frozen_at:%Y-%m-%d%H:%M}冻结，本次没有改动。" in output
    assert "请加--force：dangjianfreeze--year2024--force" in output
    assert manifest.read_bytes() == stored


@pytest.fixture
def copied_home(frozen, tmp_path) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    for name in ("warehouse.duckdb", "serving.duckdb"):
        shutil.copy(frozen.home / name, home / name)
    shutil.copytree(frozen.home / "frozen", home / "frozen")
    return home


def test_force_refreezes_with_what_the_last_run_computed(copied_home, frozen, monkeypatch):
    monkeypatch.setenv("DAGSTER_HOME", str(copied_home / "dagster"))
    result, output = invoke(copied_home, "freeze", "--year", "2024", "--force")
    assert result.exit_code == 0, result.output
    assert "已重新冻结2024年度考核结果（最近一次运行的计算结果）" in output
    stored = copied_home / "frozen" / "2024" / "college_scores.parquet"
    with duckdb.connect() as con:
        refrozen = con.execute(
            f"select evaluation_score, composite from read_parquet('{stored}') where period = '2024Q4'"
        ).fetchall()
    assert refrozen == [(90.0, 44.29)]  # the "current" side of frozen_diff
    manifest = json.loads((copied_home / "frozen" / "2024" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["source"] == "last_run_computed" and manifest["published_at"] is None
    (votes_hash,) = rows(
        copied_home / "serving.duckdb",
        "select file_hash from marts.load_summary where source_file = ?",
        [VOTES_FILE],
    )[0]
    assert {"source_file": VOTES_FILE, "file_hash": votes_hash} in manifest["source_files"]


def test_refusals_without_results(frozen, tmp_path):
    with pytest.raises(FileNotFoundError, match="未找到已发布的数据快照"):
        freeze_year(tmp_path / "serving.duckdb", tmp_path / "frozen", 2024)
    with pytest.raises(
        ValueError, match="没有 2026 年度的考核结果，无法冻结。已有考核结果的年度：2024、2025"
    ):
        freeze_year(frozen.home / "serving.duckdb", tmp_path / "frozen", 2026)
    # a year still under way (no Q4 yet) cannot be frozen: its Q4 would never be computed
    partial = Path(shutil.copy(frozen.home / "serving.duckdb", tmp_path / "partial.duckdb"))
    with duckdb.connect(str(partial)) as con:
        for table in ("college_scores", "branch_scores"):
            con.execute(f"delete from marts.{table} where period = '2025Q4'")
    with pytest.raises(ValueError, match="2025 年度还没有年终（第四季度）考核结果，不能冻结"):
        freeze_year(partial, tmp_path / "frozen", 2025)
    with pytest.raises(AlreadyFrozenError):
        freeze_year(frozen.home / "serving.duckdb", frozen.home / "frozen", 2024)
    assert not (tmp_path / "frozen" / "2025").exists() and not (tmp_path / "frozen" / "2026").exists()


def test_every_frozen_table_has_its_dbt_models(dbt_manifest):
    nodes = json.loads(dbt_manifest.read_text(encoding="utf-8"))["nodes"]
    for table in FROZEN_TABLES:
        union = nodes[f"model.dangjian.{table}"]
        (read,) = union["depends_on"]["nodes"] if len(union["depends_on"]["nodes"]) == 1 else (None,)
        if read is not None:  # the union is an intermediate model other models read too (problems)
            union = nodes[read]
        assert set(union["depends_on"]["nodes"]) == {
            "model.dangjian.int_frozen_manifests_loaded",
            f"model.dangjian.int_{table}_computed",
            f"model.dangjian.int_{table}_frozen",
        }
    # the per-year file list sees the staging model of every sheet kind and of the task owners (each
    # carries source_file and year): the rows that count, by the year they count in
    staged = {f"model.dangjian.stg_inbox__{kind.table}" for kind in SHEET_KINDS} | {
        "model.dangjian.stg_inbox__task_owners"
    }
    assert staged <= set(nodes)
    assert set(nodes["model.dangjian.int_source_file_years_listed"]["depends_on"]["nodes"]) == staged


# --- the dashboards ------------------------------------------------------------------------------


def run_page(snapshot: Path, page: str, **selections) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    at.switch_page(page).run()
    for key, value in selections.items():
        at.selectbox(key=key).set_value(value).run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize(("page", "key"), [("pages/ranking.py", "year"), ("pages/year_end.py", "year")])
def test_pages_show_the_banner_and_the_changes(frozen, monkeypatch, page, key):
    snapshot = frozen.home / "serving.duckdb"
    monkeypatch.setenv("DANGJIAN_SERVING_DB", str(snapshot))
    (frozen_at,) = rows(snapshot, "select frozen_at from marts.frozen_years")[0]

    at = run_page(snapshot, page, **{key: 2024})
    assert [i.value for i in at.info][:1] == [
        f"2024 年度结果已于 {frozen_at:%Y-%m-%d} 冻结，显示的是冻结时发布的结果"
    ]
    assert [e.label for e in at.expander] == ["查看冻结后的变化（3 项）"]
    shown = at.expander[0].dataframe[0].value
    assert shown[["项目", "冻结的值", "现在计算的值"]].values.tolist() == [
        ["综合得分", "46.29", "44.29"],
        ["述职评议得分", "100.0", "90.0"],
        ["距上一等次", "13.71", "15.71"],
    ]
    assert set(shown["组织"]) == {"计算机学院党委"} and set(shown["变化"]) == {"值已变化"}
    assert f"原因：冻结后文件已更改：{VOTES_FILE}" in at.expander[0].caption[0].value

    at = run_page(snapshot, page, **{key: 2025})
    assert not [i.value for i in at.info if "冻结" in i.value]
    assert not at.expander or all("冻结" not in e.label for e in at.expander)


def test_snapshot_without_frozen_tables_shows_no_banner(frozen, monkeypatch, tmp_path):
    older = Path(shutil.copy(frozen.home / "serving.duckdb", tmp_path / "older.duckdb"))
    with duckdb.connect(str(older)) as con:
        con.execute("drop table marts.frozen_years")
        con.execute("drop table marts.frozen_diff")
    monkeypatch.setenv("DANGJIAN_SERVING_DB", str(older))
    at = run_page(older, "pages/year_end.py", year=2024)
    assert not [i.value for i in at.info if "冻结" in i.value]
