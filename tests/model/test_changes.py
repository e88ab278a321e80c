"""Which nodes a replayed warm run runs again (dagster_project/transform/changes.py). The end-to-end proof
that the marts stay those of a full rebuild is tests/cli/test_warm_run.py."""

import duckdb

from dagster_project.ingest.store import ensure_raw_schema
from dagster_project.transform import changes

SOURCES = {f"source.d.inbox.{t}": {"name": t} for t in ("dues", "training", "rejects", "files")}


def _node(*parents: str, raw_code: str = "") -> dict:
    return {"depends_on": {"nodes": list(parents)}, "raw_code": raw_code}


MANIFEST = {
    "sources": SOURCES,
    "nodes": {
        # staging views read their kind's table and raw.rejects for their own rows
        "model.stg_dues": _node(
            "source.d.inbox.dues", "source.d.inbox.rejects", raw_code="{{ loaded_rows('dues') }}"
        ),
        "model.stg_training": _node(
            "source.d.inbox.training", "source.d.inbox.rejects", raw_code="{{ loaded_rows('training') }}"
        ),
        "model.stg_rejects": _node(
            "source.d.inbox.rejects", raw_code="select * from {{ source('inbox', 'rejects') }}"
        ),
        "seed.rule_grades": _node(),
        "model.dues_tracked": _node("model.stg_dues"),
        "model.dues": _node("model.dues_tracked", "seed.rule_grades"),
        "model.member_training": _node("model.stg_training", "seed.rule_grades"),
        "model.deadlines": _node("seed.rule_grades"),
        "test.unique_dues": _node("model.dues"),
        "test.unique_member_training": _node("model.member_training"),
    },
}


def test_a_node_runs_again_when_a_table_it_reads_on_any_path_changed():
    assert changes.stale_nodes(MANIFEST, {"training"}, {}) == {
        "model.stg_training",
        "model.member_training",
        "test.unique_member_training",
    }
    assert changes.stale_nodes(MANIFEST, {"dues", "training"}, {}) >= {"model.dues", "test.unique_dues"}


def test_a_changed_reject_reaches_its_own_kind_only_and_every_reader_of_all_rejects():
    # raw.rejects changed, and the ingest noted the kinds whose rows were checked again: dues
    assert changes.stale_nodes(MANIFEST, {"rejects", "dues"}, {}) == {
        "model.stg_dues",
        "model.dues_tracked",
        "model.dues",
        "test.unique_dues",
        "model.stg_rejects",
    }


def test_a_node_that_reads_the_clock_always_runs_again():
    sql = {"model.deadlines": "select due_on < current_date as late from rule_grades"}
    assert changes.stale_nodes(MANIFEST, set(), sql) == {"model.deadlines"}
    sql = {"model.deadlines": "select gen_random_uuid() as draw from rule_grades"}
    assert changes.stale_nodes(MANIFEST, set(), sql) == {"model.deadlines"}
    sql = {"model.deadlines": "select nowhere, snowfall(1) from rule_grades"}
    assert changes.stale_nodes(MANIFEST, set(), sql) == set()


def test_the_notes_wait_for_a_build_and_small_tables_are_compared_by_content():
    con = duckdb.connect()
    ensure_raw_schema(con)
    assert changes.changed_sources(con) is None  # never built: everything
    changes.mark_built(con)
    assert changes.changed_sources(con) == set()
    con.execute("insert into raw.build_pending values ('dues')")
    con.execute(
        "insert into raw.rejects (source_file, sheet, row_number, reason, kind, check_stage) "
        "values ('a.xlsx', '党费', 4, '重复', 'dues', 'cross')"
    )
    assert changes.changed_sources(con) == {"dues", "rejects"}
    assert changes.changed_sources(con) == {"dues", "rejects"}  # until a build has read them
    changes.mark_built(con)
    assert changes.changed_sources(con) == set()
    con.execute("update raw.rejects set reason = '另一个原因'")
    assert changes.changed_sources(con) == {"rejects"}
