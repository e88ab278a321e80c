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
    con.execute("insert into raw.build_pending (source_table) values ('dues')")
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


def _partitioned(
    partition: str, *parents: str, raw_code: str = "", name: str = "", relation: str = ""
) -> dict:
    return {
        **_node(*parents, raw_code=raw_code),
        "config": {"meta": {"partition": partition}},
        "name": name,
        "relation_name": relation,
    }


# the 学习培训 chain in small: a staging view whose rows are raw rows, the placement of members, a
# model by (year, college), one ranking across colleges (by year), and a reader that is not partitioned
PARTS = {
    "sources": SOURCES | {"source.d.inbox.members": {"name": "members"}},
    "nodes": {
        "model.stg_training": _partitioned(
            "rows",
            "source.d.inbox.training",
            "source.d.inbox.rejects",
            raw_code="{{ loaded_rows('training') }}",
        ),
        "model.stg_members": _node("source.d.inbox.members"),
        "model.int_members_placed": _partitioned(
            "year_college",
            "model.stg_members",
            name="int_members_placed",
            relation='"w"."i"."int_members_placed"',
        ),
        "model.int_orgs_placed": _node(),
        "model.member_training": _partitioned(
            "year_college",
            "model.stg_training",
            "model.int_members_placed",
            relation='"w"."m"."member_training"',
        ),
        "model.branch_scores": _partitioned(
            "year", "model.member_training", relation='"w"."m"."branch_scores"'
        ),
        "model.college_scores": _node("model.branch_scores"),
        "test.unique_member_training": _node("model.member_training"),
    },
}
PARTS["nodes"]["model.int_orgs_placed"] |= {
    "name": "int_orgs_placed",
    "relation_name": '"w"."i"."int_orgs_placed"',
}


def test_a_change_placed_by_year_and_college_reaches_partitioned_nodes_in_part_only():
    scopes = changes.node_scopes(PARTS, {"training", "rejects"}, {"training"}, {})
    assert scopes == {
        "model.stg_training": changes.BY_YEAR_COLLEGE,
        "model.member_training": changes.BY_YEAR_COLLEGE,
        "model.branch_scores": changes.BY_YEAR,  # it ranks across colleges: whole years
        "model.college_scores": changes.WHOLE,  # not partitioned: all of it
        "test.unique_member_training": changes.WHOLE,  # tests run over the whole table
    }
    # a change the ingest could not place is whole all the way down
    whole = changes.node_scopes(PARTS, {"training"}, set(), {})
    assert set(whole.values()) == {changes.WHOLE}
    # a member may have moved college: every change is whole while the placement itself is rebuilt
    moved = changes.node_scopes(PARTS, {"training", "members"}, {"training", "members"}, {})
    assert moved["model.member_training"] == changes.WHOLE


def test_a_model_rebuilt_in_part_reads_its_partitioned_inputs_for_those_partitions_only():
    parts = {(2025, "01"), (2024, None), (2025, "O'Brien")}
    assert changes.rows_where(changes.BY_YEAR, parts) == "year in (2024, 2025)"
    assert changes.rows_where(changes.BY_YEAR_COLLEGE, parts) == (
        "year in (2024, 2025) and (college_code in ('01', 'O''Brien') or college_code is null)"
    )
    assert changes.rows_where(changes.BY_YEAR_COLLEGE, set()) == "false"
    sql = 'select * from "w"."m"."member_training" join "w"."i"."int_members_placed" using (year)'
    narrowed = changes.narrowed_sql(PARTS, "model.branch_scores", sql, changes.BY_YEAR, {(2025, "01")})
    # branch_scores reads member_training only, by year; the placement it does not read stays whole
    assert narrowed == (
        'select * from (select * from "w"."m"."member_training" where year in (2025)) '
        'join "w"."i"."int_members_placed" using (year)'
    )


def test_the_partitions_changed_are_the_noted_rows_placed_by_the_last_build():
    con = duckdb.connect()
    ensure_raw_schema(con)
    con.execute("attach ':memory:' as w")  # the relations as the manifest names them: "w"."i"."…"
    con.execute("create schema w.i")
    con.execute("create table w.i.int_members_placed (year int, member_key varchar, college_code varchar)")
    con.execute(
        "insert into w.i.int_members_placed values (2025, 'T1', '01'), (2025, 'T2', '02'), (2024, 'T1', '02')"
    )
    con.execute("create table w.i.int_orgs_placed (year int, org_code varchar, college_code varchar)")
    con.execute("insert into w.i.int_orgs_placed values (2025, 'B1', '03'), (2025, 'U', null)")
    con.execute(
        "insert into raw.build_pending values ('training', 2025, 'T1', 'member'), ('training', 2025, 'T9', 'member'), "
        "('activities', 2025, 'B1', 'org'), ('activities', 2025, 'U', 'org'), ('dues', null, null, null)"
    )
    assert changes.in_part(con) == {"training", "activities"}
    found = changes.changed_partitions(con, PARTS, {"training", "activities"})
    # T1 of 2025 in 01 (not 2024's 02); T9 on no roster; B1's college; the 党委 U itself
    assert found == {(2025, "01"), (2025, None), (2025, "03")}
