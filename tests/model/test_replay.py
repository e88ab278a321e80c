"""The replay of dbt's compiled SQL (dagster_project/transform/replay.py) on hand-made manifests and a
scratch DuckDB: which nodes, in what order, under what key, and that it commits all or nothing."""

import duckdb
import pytest

from dagster_project.home import Home
from dagster_project.transform import replay


def _node(kind, name, parents=(), sql="select 1 as x", **config):
    materialized = config.pop("materialized", "table" if kind == "model" else "test")
    return {
        "resource_type": kind,
        "name": name,
        "compiled_code": sql,
        "relation_name": f'"warehouse"."marts"."{name}"' if kind == "model" else None,
        "depends_on": {"nodes": list(parents)},
        "config": {
            "materialized": materialized,
            "fail_calc": "count(*)",
            "warn_if": "!= 0",
            "error_if": "!= 0",
            **config,
        },
    }


def _manifest(**nodes):
    return {"nodes": {f"{n['resource_type']}.p.{n['name']}": n for n in nodes.values()}}


MANIFEST = _manifest(
    seed=_node("seed", "rule_grades", materialized="seed"),
    view=_node("model", "stg_members", ["seed.p.rule_grades"], materialized="view"),
    scores=_node("model", "scores", ["model.p.stg_members"]),
    ranked=_node("model", "ranked", ["model.p.scores", "seed.p.rule_grades"]),
    a_ranked=_node("model", "a_ranked", ["model.p.ranked"]),
    t_scores=_node("test", "unique_scores", ["model.p.scores"]),
    t_both=_node("test", "relationship_ranked_scores", ["model.p.ranked", "model.p.scores"]),
    t_view=_node("test", "not_null_stg_members", ["model.p.stg_members"]),
    t_rule=_node("test", "not_null_rule_grades", ["seed.p.rule_grades"]),
)


def test_the_plan_is_what_a_warm_run_builds_each_node_after_its_parents():
    steps = replay.plan_from_manifest(MANIFEST, MANIFEST, left_out_tests={"not_null_rule_grades"})
    # no seed, no view, not the test left out; the view's test stays (it tests the new data)
    # of the nodes ready, tests first: each as soon as what it reads is rebuilt
    assert [s.name for s in steps] == [
        "not_null_stg_members",  # reads only a view, which is already there
        "scores",
        "unique_scores",
        "ranked",
        "relationship_ranked_scores",  # after both the models it reads
        "a_ranked",
    ]
    assert [s.kind for s in steps] == ["test", "model", "test", "model", "test", "model"]
    assert steps[1].relation == '"warehouse"."marts"."scores"'


def test_no_plan_when_a_node_has_no_compiled_sql_or_needs_more_than_its_sql():
    built = _manifest(**{k: dict(v) for k, v in MANIFEST["nodes"].items()})
    built["nodes"]["model.p.ranked"] = {**built["nodes"]["model.p.ranked"], "compiled_code": None}
    assert replay.plan_from_manifest(built, MANIFEST, set()) is None  # e.g. skipped in that build
    hooked = _manifest(scores=_node("model", "scores", **{"post-hook": ["grant select"]}))
    assert replay.plan_from_manifest(hooked, hooked, set()) is None
    stored = _manifest(t=_node("test", "unique_scores", store_failures=True))
    assert replay.plan_from_manifest(stored, stored, set()) is None


def test_the_key_changes_with_the_day_and_the_frozen_years(tmp_path, monkeypatch):
    home = Home(tmp_path)
    monkeypatch.delenv("DANGJIAN_AS_OF", raising=False)
    first = replay.plan_key("fp", home)
    assert replay.plan_key("fp", home) == first and replay.plan_key("other", home) != first
    monkeypatch.setenv("DANGJIAN_AS_OF", "2026-01-08")
    dated = replay.plan_key("fp", home)
    assert dated != first
    (home.frozen / "2025").mkdir(parents=True)
    (home.frozen / "2025" / "manifest.json").write_text("{}")
    assert replay.plan_key("fp", home) != dated


def test_a_plan_is_kept_under_its_key_only(tmp_path):
    steps = replay.plan_from_manifest(MANIFEST, MANIFEST, set())
    path = tmp_path / replay.PLAN_NAME
    replay.save_plan(path, "k1", steps)
    assert replay.load_plan(path, "k1") == steps
    assert replay.load_plan(path, "k2") is None
    path.write_text("{not json")
    assert replay.load_plan(path, "k1") is None


@pytest.fixture
def warehouse(tmp_path):
    """marts.scores as dbt made it under a contract (not null) with 2 rows; raw.members to score."""
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    con.execute("create schema marts; create schema raw")
    con.execute("create table marts.scores (member varchar not null, hours double)")
    con.execute("insert into marts.scores values ('old1', 1), ('old2', 2)")
    con.execute(
        "create table raw.members as select * from (values ('T001', 20), ('T002', 32)) t(member, hours)"
    )
    yield con
    con.close()


def _model(sql):
    return replay.Step("model.p.scores", "scores", "model", sql, relation='"warehouse"."marts"."scores"')


def _test(sql, **thresholds):
    return replay.Step("test.p.t", "unique_scores_member", "test", sql, **thresholds)


UNIQUE = 'select member from "warehouse"."marts"."scores" group by member having count(*) > 1'


def test_nodes_whose_inputs_did_not_change_are_left_and_the_last_statements_commit_with_the_rest(
    warehouse, tmp_path
):
    log = tmp_path / "replay.log"
    steps = [_model("select hours, member from raw.members"), _test(UNIQUE)]
    noted = lambda con: con.execute("create table marts.noted as select 1 as done")  # noqa: E731
    outcomes = replay.replay(warehouse, steps, tmp_path, log, frozenset({"model.p.scores"}), noted)
    assert warehouse.execute("select * from marts.scores order by 1").fetchall() == [
        ("old1", 1.0),
        ("old2", 2.0),
    ]
    assert [(o.kind, o.unchanged) for o in outcomes] == [("model", True), ("test", False)]
    assert warehouse.execute("select * from marts.noted").fetchall() == [(1,)]
    lines = log.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "model warehouse.marts.scores 未变（输入与上次构建相同）"
    assert lines[-1] == "2 个节点已重放并提交（其中 1 个输入未变，未重算）"
    # a replay that stops notes no build
    warehouse.execute("drop table marts.noted")
    with pytest.raises(replay.ReplayStopped):
        replay.replay(
            warehouse,
            [_model("select hours, member from raw.members"), _test("select 1")],
            tmp_path,
            log,
            frozenset(),
            noted,
        )
    assert warehouse.execute(
        "select count(*) from duckdb_tables() where table_name = 'noted'"
    ).fetchone() == (0,)


def test_a_clean_replay_replaces_the_rows_and_keeps_the_contract(warehouse, tmp_path):
    log = tmp_path / "replay.log"
    steps = [
        _model("-- dbt's SQL may end in a comment\nselect hours, member from raw.members -- by name"),
        _test(UNIQUE),
    ]
    outcomes = replay.replay(warehouse, steps, tmp_path, log)
    assert warehouse.execute("select * from marts.scores order by 1").fetchall() == [
        ("T001", 20.0),
        ("T002", 32.0),
    ]
    assert [(o.kind, o.failures) for o in outcomes] == [("model", None), ("test", 0)]
    lines = log.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("model warehouse.marts.scores ") and lines[1].startswith(
        "test PASS unique_scores_member"
    )
    assert lines[-1] == "2 个节点已重放并提交（其中 0 个输入未变，未重算）"
    # the column kept its not-null contract
    with pytest.raises(duckdb.ConstraintException):
        warehouse.execute("insert into marts.scores values (null, 1)")


@pytest.mark.parametrize(
    ("steps", "reason"),
    [
        # a failing test (two rows of T001) stops it after the model had replaced the rows
        (
            [_model("select * from raw.members union all select 'T001', 6"), _test(UNIQUE)],
            "unique_scores_member: 未通过（1 行）",
        ),
        # a statement that fails; and a row that breaks the contract
        ([_model("select * from raw.missing")], "scores: Catalog Error"),
        ([_model("select null as member, 1.0 as hours")], "scores: Constraint Error"),
    ],
)
def test_a_replay_that_stops_leaves_every_table_as_it_was(warehouse, tmp_path, steps, reason):
    log = tmp_path / "replay.log"
    with pytest.raises(replay.ReplayStopped, match=reason.split("：")[0]) as stopped:
        replay.replay(warehouse, steps, tmp_path, log)
    assert str(stopped.value).startswith(reason)
    assert warehouse.execute("select * from marts.scores order by 1").fetchall() == [
        ("old1", 1.0),
        ("old2", 2.0),
    ]
    assert (
        log.read_text(encoding="utf-8")
        .splitlines()[-1]
        .startswith("重放停止（已回滚，改由 dbt build 构建）：" + reason)
    )


def test_a_test_counts_failures_as_dbt_does(warehouse, tmp_path):
    two = "select * from (values (1), (2)) t(x)"
    # error_if '> 5': two failing rows pass, as in dbt
    assert (
        replay.replay(warehouse, [_test(two, error_if="> 5", warn_if="> 5")], tmp_path, tmp_path / "l")[
            0
        ].failures
        == 0
    )
    with pytest.raises(
        replay.ReplayStopped, match="未通过（2 行）"
    ):  # a warning is not a clean replay either
        replay.replay(warehouse, [_test(two, error_if="> 5")], tmp_path, tmp_path / "l")


def test_relative_paths_are_read_from_the_dbt_project_folder(warehouse, tmp_path):
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "a.csv").write_text("x\n1\n")
    project = tmp_path / "dbt"
    project.mkdir()
    step = replay.Step(
        "model.p.files",
        "files",
        "model",
        "select count(*) as n from read_text('../seeds/*.csv')",
        relation="marts.files",
    )
    warehouse.execute("create table marts.files (n bigint)")
    replay.replay(warehouse, [step], project, tmp_path / "l")
    assert warehouse.execute("select n from marts.files").fetchall() == [(1,)]
