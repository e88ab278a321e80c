"""Which nodes a replayed warm run must run again: those that read, on any path through the project,
a raw table that changed since the last build (issue 20).

At 100× a run after one college's 学习培训 file changed rebuilt every model, the 党费 chain's 13 M
rows included; a model whose inputs are the rows it was built from gives the rows it holds. So:
* the ingest notes each sheet kind's table whose rows, or whose rows' rejects across files, may have
  changed (raw.build_pending, written in the same transaction as the change: cross_changes.py);
* the small tables every run rewrites (raw.rejects, raw.files, raw.submissions, raw.task_owners) are
  compared by content with what the last build read (meta.built_sources);
* a node whose SQL reads the clock (the 报送 deadlines against today) or draws at random is always
  run again;
* a node is run again when one of its parents is. A staging view reads raw.rejects only for its own
  kind's rows rejected across files (macros/loaded_rows.sql): for it, that edge is its kind's.

The notes are cleared in the transaction that replays the plan, or after a dbt build of the whole
project: a run that dies first leaves them for the next. Everything else a model reads (the project,
the rulebook, the frozen years, DANGJIAN_AS_OF) is in the plan's key: a change there is a full build.
"""

import re

import duckdb

PENDING_TABLE = "build_pending"
PENDING_DDL = "source_table VARCHAR"
FINGERPRINTED = ("rejects", "files", "submissions", "task_owners")
_BUILT = "meta.built_sources"
# what makes the same SQL over the same rows give another answer: the clock, chance
_CLOCK = re.compile(
    r"(current_date|current_time|localtime|get_current_time|\bnow\s*\(|\btoday\s*\(|\brandom\s*\(|uuid\s*\()",
    re.IGNORECASE,
)
_LOADED_ROWS = re.compile(r"loaded_rows\(\s*['\"](\w+)['\"]\s*\)")


def _fingerprints(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    counted = " union all ".join(
        f"select '{t}', cast(count(*) as varchar) || ':' || cast(coalesce(sum(hash(t)), 0) as varchar) "
        f"from raw.{t} as t"
        for t in FINGERPRINTED
    )
    return dict(con.execute(counted).fetchall())


def _exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    found = con.execute(
        "select 1 from duckdb_tables() where schema_name = ? and table_name = ?", [schema, table]
    ).fetchone()
    return found is not None


def changed_sources(con: duckdb.DuckDBPyConnection) -> set[str] | None:
    """The raw tables changed since the last build; None: unknown (rebuild everything)."""
    needed = [("raw", PENDING_TABLE), ("meta", "built_sources"), *(("raw", t) for t in FINGERPRINTED)]
    if not all(_exists(con, schema, table) for schema, table in needed):
        return None
    built = dict(con.execute(f"select source_table, fingerprint from {_BUILT}").fetchall())
    changed = {t for t, print_ in _fingerprints(con).items() if built.get(t) != print_}
    pending = {t for (t,) in con.execute(f"select distinct source_table from raw.{PENDING_TABLE}").fetchall()}
    return changed | pending


def mark_built(con: duckdb.DuckDBPyConnection) -> None:
    """What the build read is now what the marts hold (call inside the build's transaction, or after
    a whole-project dbt build)."""
    con.execute("create schema if not exists meta")
    con.execute(f"create table if not exists {_BUILT} (source_table varchar, fingerprint varchar)")
    con.execute(f"delete from {_BUILT}")
    con.executemany(f"insert into {_BUILT} values (?, ?)", list(_fingerprints(con).items()))
    if _exists(con, "raw", PENDING_TABLE):
        con.execute(f"delete from raw.{PENDING_TABLE}")


def stale_nodes(manifest: dict, changed: set[str], sql_of: dict[str, str]) -> set[str]:
    """The unique ids of `manifest`'s nodes to run again when the raw tables `changed` changed;
    sql_of: the compiled SQL of the nodes to be replayed (a clock in it makes a node stale)."""
    nodes = manifest["nodes"]
    sources = manifest["sources"]
    stale: dict[str, bool] = {}

    def source_changed(key: str, reader: dict) -> bool:
        table = sources[key]["name"]
        own = _LOADED_ROWS.search(reader.get("raw_code", ""))
        if table == "rejects" and own is not None:
            return own.group(1) in changed
        return table in changed

    def visit(key: str) -> bool:
        if key not in stale:
            stale[key] = False  # a cycle would have stopped dbt long before
            node = nodes[key]
            parents = node.get("depends_on", {}).get("nodes", [])
            stale[key] = bool(_CLOCK.search(sql_of.get(key, ""))) or any(
                source_changed(p, node) if p in sources else (p in nodes and visit(p)) for p in parents
            )
        return stale[key]

    return {key for key in nodes if visit(key)}
