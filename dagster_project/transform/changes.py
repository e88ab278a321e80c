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

Part of a node, not all of it: one college's file changes one college's rows of one year, and at 100×
rebuilding the 学习培训 chain whole was 14 of a warm run's 19 s of SQL. The ingest notes, with each
changed row's table, the year it counts in and the member or org it is about (its `via`); those name
the (year, college) partitions that changed, through the placements of the last build (a member's
college in int_members_placed, an org's in int_orgs_placed: a placement that is itself run again
makes every change whole). A model whose project config says `meta: {partition: year_college}` (its
rows of a year and college come only from its inputs' rows of that year and college) or `year` (only
of that year: it ranks across colleges) is rebuilt for those partitions only: its rows there are
deleted, and its SQL, its partitioned inputs narrowed to them, inserts them again. `rows` marks a
view whose every row is a raw row's (a staging view): a change passes through it as it came.
"""

import re

import duckdb

PENDING_TABLE = "build_pending"
# year, code, via: the year a changed row counts in and who it is about ('member': a member_key,
# 'org': an org_code); any of them null: the table's rows may have changed anywhere
PENDING_DDL = "source_table VARCHAR, year BIGINT, code VARCHAR, via VARCHAR"
PLACEMENTS = {"member": ("int_members_placed", "member_key"), "org": ("int_orgs_placed", "org_code")}
# how much of a node a warm run rebuilds, finest first
BY_YEAR_COLLEGE, BY_YEAR, WHOLE = "year_college", "year", "whole"
_ORDER = (BY_YEAR_COLLEGE, BY_YEAR, WHOLE)
# a node's meta.partition → the finest part it can be rebuilt in
_FINEST = {"rows": BY_YEAR_COLLEGE, "year_college": BY_YEAR_COLLEGE, "year": BY_YEAR}
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


def in_part(con: duckdb.DuckDBPyConnection) -> set[str]:
    """The pending tables whose every changed row the ingest noted with its year and who it is about."""
    found = con.execute(
        f"select source_table from raw.{PENDING_TABLE} group by all "
        "having count(*) = count(year) and count(*) = count(code) and count(*) = count(via)"
    ).fetchall()
    return {t for (t,) in found}


def changed_partitions(con: duckdb.DuckDBPyConnection, manifest: dict, tables: set[str]) -> set[tuple]:
    """(year, college_code) of the rows of `tables` the ingest noted, placed by the last build's
    placements (college_code None: a row about no placed member or org, or about the 党委 itself)."""
    if not tables:
        return set()
    relation = {n["name"]: n["relation_name"] for n in manifest["nodes"].values() if n.get("name")}
    joins, colleges = [], []
    for via, (model, column) in PLACEMENTS.items():
        joins.append(
            f"left join {relation[model]} as {via} on p.via = '{via}' "
            f"and {via}.year = p.year and {via}.{column} = p.code"
        )
        colleges.append(f"{via}.college_code")
    listed = ", ".join("'" + t.replace("'", "''") + "'" for t in sorted(tables))
    rows = con.execute(
        f"select distinct p.year, coalesce({', '.join(colleges)}) from raw.{PENDING_TABLE} as p "
        f"{' '.join(joins)} where p.source_table in ({listed})"
    ).fetchall()
    return {(int(year), college) for year, college in rows}


def rows_where(scope: str, partitions: set[tuple]) -> str:
    """The rows of `partitions` (a superset: every year with every college of them), by `scope`."""
    years = sorted({year for year, _ in partitions})
    if not years:
        return "false"
    where = f"year in ({', '.join(str(int(y)) for y in years)})"
    if scope == BY_YEAR_COLLEGE:
        named = sorted({c for _, c in partitions if c is not None})
        alternatives = [
            "college_code in (" + ", ".join("'" + c.replace("'", "''") + "'" for c in named) + ")"
        ]
        alternatives = alternatives if named else []
        if any(c is None for _, c in partitions):
            alternatives.append("college_code is null")
        where += f" and ({' or '.join(alternatives)})"
    return where


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


def _coarsest(scopes) -> str | None:
    found = [s for s in scopes if s is not None]
    return max(found, key=_ORDER.index) if found else None


def partition_of(node: dict) -> str | None:
    return (node.get("config", {}).get("meta") or node.get("meta") or {}).get("partition")


def node_scopes(
    manifest: dict, changed: set[str], in_part: set[str], sql_of: dict[str, str]
) -> dict[str, str]:
    """unique id → how much of it to run again (BY_YEAR_COLLEGE, BY_YEAR, WHOLE), for every node
    stale_nodes() names; `in_part`: the tables of `changed` whose changed rows are placed by year
    and college (in_part())."""
    nodes, sources = manifest["nodes"], manifest["sources"]
    stale = stale_nodes(manifest, changed, sql_of)
    if any(nodes[k].get("name") in {m for m, _ in PLACEMENTS.values()} for k in stale):
        in_part = set()  # a member or an org may have moved: their old college is not known
    scope: dict[str, str | None] = {}

    def source_scope(key: str, reader: dict) -> str | None:
        table = sources[key]["name"]
        own = _LOADED_ROWS.search(reader.get("raw_code", ""))
        if table == "rejects" and own is not None:
            table = own.group(1)
        if table not in changed:
            return None
        return BY_YEAR_COLLEGE if table in in_part else WHOLE

    def visit(key: str) -> str | None:
        if key not in scope:
            scope[key] = None
            node = nodes[key]
            parents = node.get("depends_on", {}).get("nodes", [])
            found = _coarsest(
                source_scope(p, node) if p in sources else (visit(p) if p in nodes else None) for p in parents
            )
            if _CLOCK.search(sql_of.get(key, "")):
                found = WHOLE
            if found is not None:
                found = _coarsest([found, _FINEST.get(partition_of(node), WHOLE)])
            scope[key] = found
        return scope[key]

    return {key: found for key in nodes if key in stale and (found := visit(key)) is not None}


def narrowed_sql(manifest: dict, key: str, sql: str, scope: str, partitions: set[tuple]) -> str:
    """A model's compiled SQL with each partitioned input read for `partitions` only (at `scope`,
    or by year where the input is partitioned by year alone)."""
    nodes = manifest["nodes"]
    for parent in nodes[key].get("depends_on", {}).get("nodes", []):
        node = nodes.get(parent)
        level = partition_of(node) if node else None
        if level not in ("year_college", "year") or not node.get("relation_name"):
            continue
        narrowed = _coarsest([scope, _FINEST[level]])
        relation = node["relation_name"]
        sql = sql.replace(relation, f"(select * from {relation} where {rows_where(narrowed, partitions)})")
    return sql
