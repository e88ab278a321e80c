"""The per-run costs kept out of a warm run: dbt's parse cache and run folders, Dagster's SQLite writes."""

import os
import sqlite3

import pytest
import sqlalchemy as sa

from dagster_project import dbt_runs
from dagster_project.event_log import databases_kept_open
from dagster_project.home import Home


def test_a_run_starts_from_the_parse_the_last_run_of_this_home_left(tmp_path):
    home = Home(tmp_path / "home")
    first = dbt_runs.run_target(home, "run-a")
    (first / dbt_runs.PARTIAL_PARSE).write_bytes(b"parse state of run a")
    dbt_runs.keep_parse_cache(home, first)

    second = dbt_runs.run_target(home, "run-b")

    assert (second / dbt_runs.PARTIAL_PARSE).read_bytes() == b"parse state of run a"
    assert [p.name for p in dbt_runs.runs_folder(home).glob("*.tmp")] == []


def test_a_run_whose_dbt_wrote_no_parse_state_keeps_the_previous_one(tmp_path):
    home = Home(tmp_path / "home")
    first = dbt_runs.run_target(home, "a")
    (first / dbt_runs.PARTIAL_PARSE).write_bytes(b"a")
    dbt_runs.keep_parse_cache(home, first)

    dbt_runs.keep_parse_cache(home, dbt_runs.run_target(home, "b"))  # dbt died before parsing

    assert dbt_runs.parse_cache(home).read_bytes() == b"a"


def test_the_parse_cache_belongs_to_one_project_folder(tmp_path):
    home = Home(tmp_path / "home")
    assert dbt_runs.parse_cache(home, tmp_path / "clone1") != dbt_runs.parse_cache(home, tmp_path / "clone2")
    assert dbt_runs.parse_cache(home, tmp_path / "clone1") == dbt_runs.parse_cache(home, tmp_path / "clone1")


def test_only_the_newest_run_folders_are_kept(tmp_path):
    home = Home(tmp_path / "home")
    for age, run_id in enumerate(["r7", "r6", "r5", "r4", "r3", "r2", "r1"]):
        folder = dbt_runs.run_target(home, run_id)
        (folder / "manifest.json").write_text("{}")
        os.utime(folder, (1_000_000 - age, 1_000_000 - age))  # r7 newest … r1 oldest

    deleted = dbt_runs.prune_runs(home, keep=5)

    assert sorted(p.name for p in deleted) == ["run-r1", "run-r2"]
    assert sorted(p.name for p in dbt_runs.runs_folder(home).glob("run-*")) == [
        f"run-r{i}" for i in range(3, 8)
    ]


def _wal_database(path):
    con = sqlite3.connect(path)
    con.execute("pragma journal_mode = wal")
    con.execute("create table events (id integer primary key, body text)")
    con.commit()
    con.close()


def _write_one_event(path) -> int:
    """What Dagster's SQLite storage does per event: a new engine, one commit, close. Returns the
    connection's `synchronous` setting (1 NORMAL, 2 FULL)."""
    engine = sa.create_engine(f"sqlite:///{path}", poolclass=sa.pool.NullPool)
    with engine.connect() as conn, conn.begin():
        conn.execute(sa.text("insert into events (body) values ('step started')"))
        level = conn.execute(sa.text("pragma synchronous")).scalar()
    engine.dispose()
    return level


def test_dagster_databases_stay_open_and_skip_the_checkpoint_per_event(tmp_path):
    dagster_home = tmp_path / "dagster"
    dagster_home.mkdir()
    ours, elsewhere = dagster_home / "index.db", tmp_path / "other.db"
    for path in (ours, elsewhere):
        _wal_database(path)

    with databases_kept_open(dagster_home) as held:
        assert _write_one_event(ours) == 1
        # the WAL is still there after the writer closed: no checkpoint on close
        assert ours.with_name("index.db-wal").exists()
        assert _write_one_event(elsewhere) == 2
        assert not elsewhere.with_name("other.db-wal").exists()
        assert list(held) == [ours]
        holder = held[ours]

    # afterwards: the holder is closed, the listener gone, and the events are all there
    assert _write_one_event(ours) == 2
    assert not ours.with_name("index.db-wal").exists()
    with sqlite3.connect(ours) as con:
        assert con.execute("select count(*) from events").fetchone() == (2,)
    with pytest.raises(sqlite3.ProgrammingError, match="closed"):
        holder.execute("select 1")


def test_the_dbt_version_shortcut_names_the_dbt_that_runs():
    """WarehouseDbtCli reads dbt-core's version from the environment instead of running `dbt --version`;
    dagster-dbt's own way must give the same answer."""
    from dagster_dbt import DbtCliResource

    from dagster_project.project import DBT_EXECUTABLE, WarehouseDbtCli, dbt_project

    ours = WarehouseDbtCli(project_dir=dbt_project, dbt_executable=DBT_EXECUTABLE)
    theirs = DbtCliResource(project_dir=dbt_project, dbt_executable=DBT_EXECUTABLE)
    assert ours._cli_version == theirs._cli_version
    assert ours._cli_version.major == 1
