"""The per-run costs kept out of a warm run: dbt's parse cache and run folders, Dagster's SQLite writes."""

import os
import sqlite3

import duckdb
import pytest
import sqlalchemy as sa

from dagster_project.home import Home
from dagster_project.pipeline.event_log import databases_kept_open
from dagster_project.transform import runs as dbt_runs


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

    from dagster_project.transform.project import DBT_EXECUTABLE, WarehouseDbtCli, dbt_project

    ours = WarehouseDbtCli(project_dir=dbt_project, dbt_executable=DBT_EXECUTABLE)
    theirs = DbtCliResource(project_dir=dbt_project, dbt_executable=DBT_EXECUTABLE)
    assert ours._cli_version == theirs._cli_version
    assert ours._cli_version.major == 1


def _project(root):
    (root / "dbt" / "models" / "staging").mkdir(parents=True)
    (root / "dbt" / "target").mkdir()
    (root / "seeds").mkdir()
    (root / "dbt" / "dbt_project.yml").write_text("name: dangjian\n")
    (root / "dbt" / "models" / "staging" / "stg_inbox__orgs.sql").write_text("select * from raw.orgs\n")
    (root / "seeds" / "rule_grades.csv").write_text("grade,min_score\n好,90\n", encoding="utf-8")
    return root / "dbt", root / "seeds"


def test_the_fingerprint_moves_with_the_project_the_rulebook_and_the_home(tmp_path, monkeypatch):
    monkeypatch.setenv("DANGJIAN_HOME", str(tmp_path / "home-1"))
    project, seeds = _project(tmp_path)
    first = dbt_runs.project_fingerprint(project, seeds)

    (project / "target" / "manifest.json").write_text("{}")  # dbt's output is not its input
    (project / "logs").mkdir()
    (project / "logs" / "dbt.log").write_text("…")
    (project / ".user.yml").write_text("id: 1f0c\n")  # dbt's own, written on first use
    assert dbt_runs.project_fingerprint(project, seeds) == first

    (seeds / "rule_grades.csv").write_text("grade,min_score\n好,85\n", encoding="utf-8")
    after_rulebook = dbt_runs.project_fingerprint(project, seeds)
    assert after_rulebook != first

    (project / "models" / "staging" / "stg_inbox__orgs.sql").write_text("select org_code from raw.orgs\n")
    after_view = dbt_runs.project_fingerprint(project, seeds)
    assert after_view != after_rulebook

    monkeypatch.setenv("DANGJIAN_HOME", str(tmp_path / "home-2"))
    assert dbt_runs.project_fingerprint(project, seeds) != after_view


def test_the_warehouse_remembers_which_project_built_it(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        assert dbt_runs.built_fingerprint(con) is None  # a new (e.g. rebuilt) warehouse
        dbt_runs.record_build(con, "abc")
    with duckdb.connect(str(warehouse)) as con:
        dbt_runs.record_build(con, "def")
    with duckdb.connect(str(warehouse)) as con:
        assert dbt_runs.built_fingerprint(con) == "def"
        dbt_runs.record_build(con, None)  # a build that may change seeds or views has started
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert dbt_runs.built_fingerprint(con) is None


def test_the_fingerprint_moves_with_the_columns_of_raw(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema raw")
        con.execute("create table raw.training (member_key varchar, hours varchar)")
        con.execute("create schema marts")
        con.execute("create table marts.branch_scores (total double)")
        before = dbt_runs.warehouse_fingerprint(con, "project")
        con.execute("insert into raw.training values ('T001', '2')")  # data: no change
        con.execute("alter table marts.branch_scores add column stars integer")  # dbt's own: no change
        assert dbt_runs.warehouse_fingerprint(con, "project") == before
        assert dbt_runs.warehouse_fingerprint(con, "another project") != before
        con.execute("alter table raw.training alter hours type double")
        assert dbt_runs.warehouse_fingerprint(con, "project") != before
    assert dbt_runs.warehouse_fingerprint(None, "project") != before  # no warehouse: no columns


def test_a_warm_run_leaves_the_tests_of_what_reads_the_seeds_alone():
    def node(kind, parents, macros=()):
        return {"resource_type": kind, "depends_on": {"nodes": list(parents), "macros": list(macros)}}

    nodes = {
        "seed.p.rule_grades": node("seed", []),
        "model.p.rulebook_grades": node("model", ["seed.p.rule_grades"]),
        "model.p.grades_named": node("model", ["model.p.rulebook_grades"]),  # seeds two steps up
        "model.p.grade_columns": node("model", ["seed.p.rule_grades"], ["macro.p.read_frozen_files"]),
        "model.p.scores": node("model", ["seed.p.rule_grades", "source.p.inbox.members"]),
        "model.p.hashed_files": node("model", []),  # reads files, no parent
        "test.p.not_null_rulebook_grades_grade": node("test", ["model.p.rulebook_grades"], ["macro.dbt.test_not_null"]),
        "test.p.scores_graded": node("test", ["model.p.rulebook_grades", "model.p.scores"]),
        "test.p.names_unique": node("test", ["model.p.grades_named"], ["macro.dbt.test_unique"]),
        "test.p.columns_listed": node("test", ["model.p.grade_columns"]),
    }  # fmt: skip
    for key, value in nodes.items():
        value["name"] = key.split(".")[-1]
    # a test of a table two steps from the seeds; not the one that also reads raw data, no model
    assert dbt_runs.rulebook_only_tests({"nodes": nodes}) == [
        "names_unique",
        "not_null_rulebook_grades_grade",
    ]


def test_a_run_whose_publish_was_skipped_is_not_reported_published():
    """The trap a warm run fell into once (a mart left out of dbt's selection): Dagster skips the
    publish step for a missing input and still calls the run a success; `dangjian run` must not."""
    import dagster as dg

    from dagster_project.pipeline.run import PUBLISH_STEP, snapshot_published

    def run(left_out: str | None):
        @dg.multi_asset(
            outs={
                "rule_grades": dg.AssetOut(is_required=False),
                "branch_scores": dg.AssetOut(is_required=False),
            }
        )
        def marts():
            for name in ("branch_scores", "rule_grades"):
                if name != left_out:
                    yield dg.Output(None, output_name=name)

        @dg.asset(key=[PUBLISH_STEP], deps=["rule_grades", "branch_scores"])
        def publish() -> None:
            return None

        return dg.materialize([marts, publish], raise_on_error=False)

    everything, one_left_out = run(None), run("rule_grades")
    assert everything.success and snapshot_published(everything)
    assert one_left_out.success  # Dagster's verdict
    assert [e.step_key for e in one_left_out.get_step_skipped_events()] == [PUBLISH_STEP]
    assert not snapshot_published(one_left_out)
    # the key it looks for is the pipeline's publish asset
    from dagster_project.defs.serve.publish import serving_snapshot

    assert serving_snapshot.key.path == [PUBLISH_STEP]


def _log_lines(instance, run_id: str, n: int) -> None:
    import time

    from dagster._core.events.log import EventLogEntry

    for i in range(n):
        instance.store_event(
            EventLogEntry(error_info=None, level="INFO", user_message=f"第{i}行", run_id=run_id,
                          timestamp=time.time(), dagster_event=None)
        )  # fmt: skip


def _stored(dagster_home, run_id: str) -> int:
    path = dagster_home / "history" / "runs" / f"{run_id}.db"
    if not path.exists():
        return 0
    with sqlite3.connect(path) as con:
        return con.execute("select count(*) from event_logs").fetchone()[0]


def test_a_home_s_dagster_keeps_one_engine_per_database_and_writes_where_its_yaml_is(tmp_path):
    """Dagster's own SQLite event log builds an engine and opens a connection for every write; a
    home's instance (named in its dagster.yaml) keeps them. A copy of the home writes into the copy."""
    import shutil

    import dagster as dg

    from dagster_project.pipeline.event_log import HomeInstance, KeptEnginesEventLogStorage

    original = Home(tmp_path / "home").ensure()
    connects: list[object] = []

    def on_connect(dbapi, _record):
        connects.append(dbapi)

    sa.event.listen(sa.engine.Engine, "connect", on_connect)
    try:
        with dg.DagsterInstance.from_config(str(original.dagster_home)) as instance:
            assert type(instance) is HomeInstance
            assert type(instance.event_log_storage) is KeptEnginesEventLogStorage
            connects.clear()  # creating a home's databases takes ~55
            _log_lines(instance, "run-a", 40)
            assert len(instance.get_records_for_run("run-a").records) == 40
    finally:
        sa.event.remove(sa.engine.Engine, "connect", on_connect)
    # 40 writes and a read: two connections to the run's database (Dagster's default opens one per write)
    assert len(connects) <= 3, len(connects)
    assert _stored(original.dagster_home, "run-a") == 40

    copy = tmp_path / "copy"
    shutil.copytree(original.root, copy)
    with dg.DagsterInstance.from_config(str(copy / "dagster")) as instance:
        _log_lines(instance, "run-a", 3)
    assert (_stored(copy / "dagster", "run-a"), _stored(original.dagster_home, "run-a")) == (43, 40)


def test_the_kept_engines_are_bounded_and_a_wipe_leaves_no_write_on_a_deleted_file(tmp_path):
    import dagster as dg

    from dagster_project.pipeline.event_log import KEPT_ENGINES

    home = Home(tmp_path / "home").ensure()
    with dg.DagsterInstance.from_config(str(home.dagster_home)) as instance:
        storage = instance.event_log_storage
        for k in range(KEPT_ENGINES + 4):
            _log_lines(instance, f"run-{k}", 1)
        assert len(storage._engines) == KEPT_ENGINES
        assert all(_stored(home.dagster_home, f"run-{k}") == 1 for k in range(KEPT_ENGINES + 4))

        storage.wipe()
        assert _stored(home.dagster_home, "run-11") == 0
        _log_lines(instance, "run-11", 2)
        # written to the database the wipe left for it, not to the deleted one a kept connection held
        assert _stored(home.dagster_home, "run-11") == 2
        assert len(instance.get_records_for_run("run-11").records) == 2


def _planned_job(n: int):
    import dagster as dg

    def make(i: int):
        @dg.asset(name=f"mart_{i}", check_specs=[dg.AssetCheckSpec("not_null", asset=f"mart_{i}")])
        def mart():
            return None

        return mart

    return dg.Definitions(assets=[make(i) for i in range(n)]).resolve_implicit_global_asset_job_def()


def test_a_run_s_planned_events_are_written_in_one_transaction_per_database(tmp_path):
    """Creating a run writes a planned event per asset and per check (≈ 375 for the pipeline), each in
    one or two transactions of Dagster's own; a home's instance writes them as one batch."""
    import dagster as dg

    home = Home(tmp_path / "home").ensure()
    commits: list[object] = []

    def on_commit(conn):
        commits.append(conn)

    with dg.DagsterInstance.from_config(str(home.dagster_home)) as instance:
        job = _planned_job(30)
        instance.create_run_for_job(job_def=job)  # the databases are made by the first run
        sa.event.listen(sa.engine.Engine, "commit", on_commit)
        try:
            run = instance.create_run_for_job(job_def=job)
        finally:
            sa.event.remove(sa.engine.Engine, "commit", on_commit)
        planned = instance.get_records_for_run(
            run.run_id,
            of_type={
                dg.DagsterEventType.ASSET_MATERIALIZATION_PLANNED,
                dg.DagsterEventType.ASSET_CHECK_EVALUATION_PLANNED,
            },
        ).records
        check = dg.AssetCheckKey(dg.AssetKey("mart_29"), "not_null")
        latest = instance.event_log_storage.get_latest_asset_check_execution_by_key([check])[check]
    # 60 events: Dagster alone commits 2–3 times for each (≈ 150); here the run's snapshot and
    # record, and one commit per database for the batch
    assert len(planned) == 60
    assert latest.run_id == run.run_id and latest.status.value == "PLANNED"
    assert len(commits) <= 12, len(commits)


def test_a_batch_that_fails_midway_leaves_nothing_and_dagster_stores_the_events_one_by_one(
    tmp_path, monkeypatch
):
    import dagster as dg

    from dagster_project.pipeline.event_log import KeptEnginesEventLogStorage

    home = Home(tmp_path / "home").ensure()
    with dg.DagsterInstance.from_config(str(home.dagster_home)) as instance:
        job = _planned_job(5)
        storage = instance.event_log_storage
        stored = KeptEnginesEventLogStorage.__mro__[1].store_event
        calls = []

        def third_fails(self, event):
            calls.append(event)
            if len(calls) == 3:
                raise RuntimeError("disk full")
            stored(self, event)

        monkeypatch.setattr(KeptEnginesEventLogStorage.__mro__[1], "store_event", third_fails)
        run = instance.create_run_for_job(job_def=job)
        records = instance.get_records_for_run(run.run_id).records
    # the batch of 10 failed at its third event; Dagster then stored each event alone. Each is
    # there once: the two the batch had written were rolled back with it
    assert len(calls) == 3 + 10
    planned = [r for r in records if r.event_log_entry.dagster_event.event_type_value.endswith("PLANNED")]
    assert len(planned) == 10
    assert (
        len({r.event_log_entry.dagster_event.asset_key or r.event_log_entry.message for r in planned}) == 10
    )
    assert storage._batch is None
