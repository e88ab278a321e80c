"""Serving while building: every snapshot names its build and its row counts, a reader can prove it
read one build, and readers keep working while a new snapshot is swapped in under them.

The soak itself (`bench/soak.py`: readers querying without pause while `dangjian run` rebuilds) runs
here at a small size; `uv run python bench/soak.py --runs 5 --clients 6` is a larger run by hand.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest

from bench.soak import Reading, dashboard_query, fresh_connection_query, published_tables, read_snapshot
from dagster_project.serving.publish import publish_snapshot

REPO = Path(__file__).resolve().parents[2]


def _snapshot(path: Path, build_id: str, rows: dict[str, int], recorded: dict[str, int]) -> Path:
    """A snapshot file by hand: marts tables with `rows` rows each, and `recorded` as its counts."""
    tmp = path.with_name(path.name + ".new")
    with duckdb.connect(str(tmp)) as con:
        con.execute("create schema marts")
        for table, n in rows.items():
            con.execute(f"create table marts.{table} as select range as id from range({n})")
        con.execute("create schema meta")
        con.execute(
            "create table meta.snapshot as select now()::timestamp as published_at, ? as build_id", [build_id]
        )
        con.execute("create table meta.table_counts (table_name varchar, row_count bigint)")
        con.executemany("insert into meta.table_counts values (?, ?)", list(recorded.items()))
    os.replace(tmp, path)
    return path


@pytest.mark.parametrize("reader", [dashboard_query, fresh_connection_query], ids=["dashboard", "fresh"])
def test_detector_flags_rows_that_do_not_match_the_recorded_counts(tmp_path, reader):
    consistent = _snapshot(
        tmp_path / "a.duckdb", "build-a", {"scores": 3, "members": 2}, {"marts.scores": 3, "marts.members": 2}
    )
    query = reader(consistent)
    assert published_tables(query) == ["marts.members", "marts.scores"]
    assert read_snapshot(query, ["marts.members", "marts.scores"]) == Reading("build-a", {})

    # marts.scores of one build next to the counts of another: 3 rows seen, 4 recorded
    mixed = _snapshot(
        tmp_path / "b.duckdb", "build-b", {"scores": 3, "members": 2}, {"marts.scores": 4, "marts.members": 2}
    )
    reading = read_snapshot(reader(mixed), ["marts.members", "marts.scores"])
    assert reading == Reading("build-b", {"marts.scores": (3, 4)})
    assert reading.mixed

    # a table the publisher never counted is as suspect as a wrong count
    uncounted = _snapshot(tmp_path / "c.duckdb", "build-c", {"scores": 1, "members": 2}, {"marts.members": 2})
    assert read_snapshot(reader(uncounted), ["marts.members", "marts.scores"]).mismatches == {
        "marts.scores": (1, None)
    }


def test_publish_records_the_build_and_every_tables_row_count(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema marts")
        con.execute("create schema raw")
        con.execute(
            "create table marts.branch_scores as select * from (values ('0101', 80.5), ('0102', 61.0), ('0201', 90.0)) t(code, total)"
        )
        con.execute("create table marts.rejects (source_file varchar)")
        con.execute("create table raw.members as select '110101199001011234' as id_card")
        serving = tmp_path / "serving.duckdb"
        assert publish_snapshot(con, serving, build_id="run-1") == ["marts.branch_scores", "marts.rejects"]
    with duckdb.connect(str(serving), read_only=True) as con:
        assert con.execute("select build_id from meta.snapshot").fetchall() == [("run-1",)]
        counts = dict(con.execute("select table_name, row_count from meta.table_counts").fetchall())
    assert counts == {"marts.branch_scores": 3, "marts.rejects": 0}
    assert read_snapshot(fresh_connection_query(serving), sorted(counts)) == Reading("run-1", {})

    with duckdb.connect(str(warehouse)) as con:
        publish_snapshot(con, serving)  # outside Dagster: a fresh random id
    with duckdb.connect(str(serving), read_only=True) as con:
        (build_id,) = con.execute("select build_id from meta.snapshot").fetchone()
    assert re.fullmatch(r"[0-9a-f]{32}", build_id)


def test_dashboard_reads_the_build_id_and_tolerates_older_snapshots(tmp_path, monkeypatch):
    import dashboards.snapshot as snapshot

    path = tmp_path / "serving.duckdb"
    monkeypatch.setenv("DANGJIAN_SERVING_DB", str(path))
    _snapshot(path, "1c4d881f-c422-44c7-9d18-3389daa69a93", {"scores": 1}, {"marts.scores": 1})
    assert snapshot.build_id() == "1c4d881f-c422-44c7-9d18-3389daa69a93"
    snapshot.release_snapshot()
    time.sleep(0.01)
    with duckdb.connect(str(tmp_path / "old.duckdb")) as con:  # published before build ids existed
        con.execute("create schema meta")
        con.execute("create table meta.snapshot as select timestamp '2025-01-02 03:04:05' as published_at")
    os.replace(tmp_path / "old.duckdb", path)
    assert snapshot.build_id() is None


def test_a_new_snapshot_arrives_while_a_session_still_reads_the_old_one(tmp_path):
    """The dashboard shares one attachment per snapshot version among its sessions. When a publish
    lands while one session's query runs on the old attachment, the next session must get the new
    snapshot and the running query must finish — closing the old attachment at once failed it."""
    import dashboards.snapshot as snapshot

    path = _snapshot(tmp_path / "serving.duckdb", "old", {"scores": 3}, {"marts.scores": 3})
    snapshot.release_snapshot()
    assert snapshot.run_query(path, "select build_id from meta.snapshot")["build_id"].to_list() == ["old"]

    slow: dict = {}

    def long_query_on_the_old_snapshot():
        try:
            slow["frame"] = snapshot.run_query(
                path, "select count(*) as n from marts.scores, range(150000000) as r(i) where i % 7 = 3"
            )
        except Exception as exc:  # reported below
            slow["error"] = exc

    reader = threading.Thread(target=long_query_on_the_old_snapshot)
    reader.start()
    while snapshot._SNAPSHOT["current"].readers == 0:  # until the slow query holds its cursor
        time.sleep(0.005)
    _snapshot(path, "new", {"scores": 5}, {"marts.scores": 5})
    assert snapshot.run_query(path, "select build_id from meta.snapshot")["build_id"].to_list() == ["new"]
    assert reader.is_alive() and len(snapshot._RETIRED) == 1  # the old attachment stays while it is read
    reader.join()
    assert "error" not in slow, slow.get("error")
    assert slow["frame"]["n"].to_list() == [3 * 21428571]  # 3 old rows × the i ≡ 3 (mod 7) below 150 M
    assert snapshot._RETIRED == []  # the old attachment was closed when its last query finished

    # a session that got its cursor but has not run its query yet when the next snapshot lands
    with snapshot._snapshot_cursor(path) as waiting:
        _snapshot(path, "newer", {"scores": 7}, {"marts.scores": 7})
        assert snapshot.run_query(path, "select count(*) as n from marts.scores")["n"].to_list() == [7]
        assert waiting.sql(
            "select build_id, count(*) from meta.snapshot, marts.scores group by 1"
        ).fetchall() == [("new", 5)]
        assert len(snapshot._RETIRED) == 1
    assert snapshot._RETIRED == []
    snapshot.release_snapshot()


def test_soak_small_no_errors_and_no_mixed_reads(trust_home, tmp_path):
    """bench/soak.py as CI runs it: 2 rebuilds through `dangjian run` under 3 readers (5 queries a
    second each, so that on 2 cores the readers do not starve the builds they are watching)."""
    home = tmp_path / "home"
    shutil.copytree(trust_home, home)
    soak = [sys.executable, str(REPO / "bench" / "soak.py"), "--home", str(home)]
    done = subprocess.run(
        [*soak, "--runs", "2", "--clients", "3", "--pause", "0.2"],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
        cwd=REPO,
    )
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert (figures["runs"], figures["failed_runs"], figures["errors"], figures["mixed_reads"]) == (
        2,
        0,
        0,
        0,
    )
    assert figures["queries"] > 0 and figures["builds_seen"] >= 2
    assert figures["queries_by_reader"]["dashboard"] > 0 and figures["queries_by_reader"]["fresh"] > 0
    # the soak's second version of its file is what the last build published: 3 valid rows, no reject
    with duckdb.connect(str(home / "serving.duckdb"), read_only=True) as con:
        soak_rows = con.execute(
            "select count(*) from marts.training_records where source_file = 'soak_学习培训台账.csv'"
        ).fetchone()
    assert soak_rows == (3,)
