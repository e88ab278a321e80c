"""A publish after a warm run copies the last snapshot and replaces only the marts the build noted as
rebuilt (dagster_project/serving/publish.py, issue 20); anything it cannot vouch for is copied whole."""

import os
import subprocess
import sys

import duckdb
import pytest

from dagster_project.serving.publish import note_rebuilt, publish_snapshot


@pytest.fixture
def warehouse(tmp_path):
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    con.execute("create schema marts")
    con.execute(
        "create table marts.scores as select * from (values ('0101', 80.5), ('0102', 61.0)) t(code, total)"
    )
    con.execute("create table marts.dues as select * from (values ('T001', 10.0)) t(member_key, paid)")
    con.execute("comment on table marts.dues is '党费'")
    yield con
    con.close()


def _read(serving) -> dict:
    with duckdb.connect(str(serving), read_only=True) as con:
        return {
            "scores": con.execute("select * from marts.scores order by all").fetchall(),
            "dues": con.execute("select * from marts.dues order by all").fetchall(),
            "build": con.execute("select build_id from meta.snapshot").fetchone()[0],
            "counts": dict(con.execute("select table_name, row_count from meta.table_counts").fetchall()),
            "comment": con.execute(
                "select comment from duckdb_tables() where table_name = 'dues'"
            ).fetchone()[0],
        }


def _change_both(con) -> None:
    con.execute("insert into marts.scores values ('0201', 90.0)")
    con.execute("update marts.dues set paid = 0")


def test_only_the_marts_noted_as_rebuilt_are_copied_again(warehouse, tmp_path):
    serving = tmp_path / "serving.duckdb"
    publish_snapshot(warehouse, serving, build_id="b1")
    _change_both(warehouse)
    # the build noted only the scores: a change it did not note (which a replay never makes) shows
    # that the dues were not copied again
    note_rebuilt(warehouse, ['"warehouse"."marts"."scores"', '"warehouse"."intermediate"."int_x"'])
    publish_snapshot(warehouse, serving, build_id="b2")
    assert _read(serving) == {
        "scores": [("0101", 80.5), ("0102", 61.0), ("0201", 90.0)],
        "dues": [("T001", 10.0)],
        "build": "b2",
        "counts": {"marts.scores": 3, "marts.dues": 1},
        "comment": "党费",
    }
    # everything noted: the same as a publish of every mart into a new file
    note_rebuilt(warehouse, None)
    publish_snapshot(warehouse, serving, build_id="b3")
    full = tmp_path / "full.duckdb"
    incremental = _read(serving)
    publish_snapshot(warehouse, full, build_id="b3")
    assert incremental == _read(full) and incremental["dues"] == [("T001", 0.0)]


def test_a_snapshot_this_warehouse_did_not_publish_last_is_not_built_upon(warehouse, tmp_path):
    serving = tmp_path / "serving.duckdb"
    publish_snapshot(warehouse, serving, build_id="b1")
    _change_both(warehouse)
    other = duckdb.connect(str(tmp_path / "other.duckdb"))
    other.execute("create schema marts; create table marts.scores (code varchar, total double)")
    other.execute("create table marts.dues (member_key varchar, paid double)")
    publish_snapshot(other, serving, build_id="elsewhere")  # e.g. a snapshot restored from a backup
    publish_snapshot(warehouse, serving, build_id="b2")
    assert _read(serving)["dues"] == [("T001", 0.0)] and len(_read(serving)["scores"]) == 3


def test_a_new_mart_means_every_mart_is_copied(warehouse, tmp_path):
    serving = tmp_path / "serving.duckdb"
    publish_snapshot(warehouse, serving, build_id="b1")
    _change_both(warehouse)
    warehouse.execute("create table marts.tasks as select 1 as task")
    note_rebuilt(warehouse, ['"warehouse"."marts"."tasks"'])
    publish_snapshot(warehouse, serving, build_id="b2")
    assert _read(serving)["dues"] == [("T001", 0.0)]


def test_notes_outlive_a_publish_killed_midway(warehouse, tmp_path):
    serving = tmp_path / "serving.duckdb"
    publish_snapshot(warehouse, serving, build_id="b1")
    warehouse.execute("update marts.dues set paid = 0")
    note_rebuilt(warehouse, ['"warehouse"."marts"."dues"'])
    warehouse.close()
    code = (
        "import sys, duckdb; from pathlib import Path; "
        "from dagster_project.serving.publish import publish_snapshot; "
        "publish_snapshot(duckdb.connect(sys.argv[1]), Path(sys.argv[2]), build_id='killed')"
    )
    args = [sys.executable, "-c", code, str(tmp_path / "warehouse.duckdb"), str(serving)]
    died = subprocess.run(args, env={**os.environ, "DANGJIAN_FAULT": "publish"}, capture_output=True)
    assert died.returncode == -9, died.stderr
    assert _read(serving)["build"] == "b1"
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as con:
        publish_snapshot(con, serving, build_id="b2")
    assert _read(serving)["dues"] == [("T001", 0.0)] and _read(serving)["build"] == "b2"
