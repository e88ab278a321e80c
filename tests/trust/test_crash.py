"""Crash safety: a run that fails or is killed (SIGKILL, dagster_project/pipeline/faults.py) never replaces the
dashboard's snapshot, and the next run recovers without manual steps.

`crashed_home` (tests/support/trust_home.py `crash_and_recover`) takes the tiny university through, in order:
a run that fails (the warehouse held open by another program), runs killed during ingest, during
dbt and during publish, then a plain run. The runs are chained to keep the suite fast, and the
chain is the harder test: each run starts from what the killed one before it left behind.

Hand-computed (tests/support/trust_home.py): T001's training hours at 2024Q4 are 32 before the correction
and 38 after it (a 6 h course added); T002's go from 40 to 32 (the 补充培训 file is withdrawn).
"""

import os
import subprocess
import sys

import duckdb
import pytest

from dagster_project.pipeline.faults import FAULT_POINTS
from dagster_project.serving.publish import publish_snapshot
from tests.support.trust_home import EXTRA_FILE, TRAINING_FILE, dagster_runs, sha256, training_hours


@pytest.fixture(scope="module")
def steps(crashed_home):
    return crashed_home[1]


def test_a_failed_run_exits_1_and_leaves_the_snapshot(steps):
    baseline, failed = steps["baseline"], steps["failed"]
    assert failed.returncode == 1, failed.output
    assert "运行失败：看板仍使用上一次成功发布的快照" in failed.output
    assert failed.run_status_after == "FAILURE"
    assert (failed.serving_sha256, failed.build_id, failed.t001_hours) == (
        baseline.serving_sha256,
        baseline.build_id,
        32.0,
    )


@pytest.mark.parametrize("fault", FAULT_POINTS)
def test_a_killed_run_leaves_the_last_good_snapshot_serving(steps, fault):
    baseline, killed = steps["baseline"], steps[fault]
    assert killed.returncode == -9, killed.output  # SIGKILL: no handler, no cleanup ran
    assert killed.serving_sha256 == baseline.serving_sha256  # byte for byte the last good file
    # and the dashboard's reader still answers from it
    assert (killed.build_id, killed.t001_hours) == (baseline.build_id, 32.0)
    assert killed.run_status_after == "STARTED"  # what the dead process left in Dagster


def test_each_fault_struck_in_the_middle_of_its_stage(steps):
    baseline = steps["baseline"]
    # ingest: the withdrawal of 补充培训 is committed, the changed training sheet is not yet
    ingest = steps["ingest"]
    assert EXTRA_FILE in baseline.raw_files and EXTRA_FILE not in ingest.raw_files
    assert ingest.raw_files[TRAINING_FILE] == baseline.raw_files[TRAINING_FILE]
    assert "warehouse.duckdb.wal" in ingest.home_files
    # dbt: some marts tables were rebuilt, not all of them
    assert 0 < steps["dbt"].marts_materialized < baseline.marts_materialized
    # publish: dbt had finished (the warehouse has the new hours), the new file was half written
    publish = steps["publish"]
    assert publish.warehouse_t001_hours == 38.0
    assert {"serving.duckdb.tmp", "serving.duckdb.tmp.wal"} <= set(publish.home_files)


def test_each_run_gets_past_what_the_killed_one_before_left(steps):
    # the run killed in dbt had finished ingest: the corrected training sheet is in raw
    assert steps["dbt"].raw_files[TRAINING_FILE] != steps["baseline"].raw_files[TRAINING_FILE]
    # the run killed in publish had finished dbt over the warehouse the dbt crash left
    assert steps["publish"].warehouse_t001_hours == 38.0
    for before, after in (("ingest", "dbt"), ("dbt", "publish"), ("publish", "recovered")):
        assert f"上次运行 {steps[before].run_id[:8]} 被中断" in steps[after].output


def test_the_next_plain_run_recovers_without_manual_steps(crashed_home):
    home, steps = crashed_home
    recovered = steps["recovered"]
    assert recovered.returncode == 0, recovered.output
    assert recovered.build_id == recovered.run_id != steps["baseline"].build_id
    assert recovered.t001_hours == 38.0
    assert training_hours(home / "serving.duckdb") == {
        "S001": 8.0,
        "S002": 0.0,
        "T001": 38.0,
        "T002": 32.0,
        "T003": 0.0,
    }
    assert not {"serving.duckdb.tmp", "serving.duckdb.tmp.wal", "warehouse.duckdb.wal"} & set(
        recovered.home_files
    )
    runs = dagster_runs(home)
    assert [runs[steps[s].run_id] for s in ("failed", *FAULT_POINTS, "recovered")] == [
        "FAILURE",
        "FAILURE",  # the killed runs, marked failed by the run after them
        "FAILURE",
        "FAILURE",
        "SUCCESS",
    ]
    assert "STARTED" not in runs.values()


def test_publish_killed_midway_then_published_again(tmp_path):
    """The publish step alone, killed in a child process: what it leaves (a half-written
    serving.duckdb.tmp and its WAL) neither replaces the snapshot nor disturbs the next publish."""
    warehouse, serving = tmp_path / "warehouse.duckdb", tmp_path / "serving.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.a as select range as id from range(1000)")
        con.execute("create table marts.b as select range as id from range(5)")
    with duckdb.connect(str(warehouse)) as con:
        publish_snapshot(con, serving, build_id="good")
    good = sha256(serving)

    killed = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path; import duckdb; "
            "from dagster_project.serving.publish import publish_snapshot; "
            "publish_snapshot(duckdb.connect(sys.argv[1]), Path(sys.argv[2]), build_id='killed')",
            str(warehouse),
            str(serving),
        ],
        env={**os.environ, "DANGJIAN_FAULT": "publish"},
        capture_output=True,
        check=False,
    )
    assert killed.returncode == -9
    assert sha256(serving) == good
    assert (tmp_path / "serving.duckdb.tmp").exists() and (tmp_path / "serving.duckdb.tmp.wal").exists()

    with duckdb.connect(str(warehouse)) as con:
        publish_snapshot(con, serving, build_id="next")
    with duckdb.connect(str(serving), read_only=True) as con:
        assert con.execute("select build_id from meta.snapshot").fetchall() == [("next",)]
        assert con.execute("select table_name, row_count from meta.table_counts order by 1").fetchall() == [
            ("marts.a", 1000),
            ("marts.b", 5),
        ]
    # people.duckdb: the names file written beside every snapshot (empty here: no 发展党员台账)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "people.duckdb",
        "serving.duckdb",
        "warehouse.duckdb",
    ]
