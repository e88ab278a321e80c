"""One college's part of the published snapshot: what a 学院 login's queries run on.

Role scoping is enforced here, not by hiding widgets: a 学院 user's queries run on a private
in-memory database holding copies of only that college's rows of `marts` (see `scope_rules`), built
once per (snapshot version, college), with the snapshot detached afterwards — a page cannot reach
another college's rows whatever SQL or parameters it sends. The viewer's scope comes from the login
in the session (dashboards/auth.py; dashboards/snapshot.py `current_scope`) and is part of every
cache key.
"""

import contextlib
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb


@dataclass
class Attachment:
    """One snapshot file version attached read-only, and how many queries are running on it."""

    key: tuple
    con: duckdb.DuckDBPyConnection
    readers: int = 0


def close_unread(retired: list["Attachment"]) -> None:
    """Close the retired attachments no query is running on; call with the list's lock held."""
    for attachment in [a for a in retired if a.readers == 0]:
        attachment.con.close()
        retired.remove(attachment)


MAX_SCOPES = 32  # colleges whose copies are kept at once (a university has ~20)
COLLEGE_COLUMN = "college_code"
FILE_COLUMN = "source_file"
# Tables about the whole assessment, not about any college's rows: every login sees them whole (the
# frozen years, the rulebook the pages take their dimension and indicator names from, and the
# university's mean / best / worst and rank ladder a college compares itself with: no college named).
SHARED_TABLES = (
    "frozen_years",
    "rule_dimensions",
    "rule_indicators",
    "rule_grades",
    "rule_star_cutoffs",
    "rule_tiers",
    "rule_parameters",
    "rule_report_settings",
    "rule_development",
    "rule_submissions",
    "rule_problem_sources",
    "indicator_sources",
    "college_benchmarks",
    "college_rank_ladder",
)
SHARED = "shared"

_SCOPED: OrderedDict[tuple, Attachment] = OrderedDict()
_SCOPED_LOCK = threading.Lock()
_SCOPED_RETIRED: list[Attachment] = []


def scope_rules(tables: dict[str, Sequence[str]]) -> dict[str, str]:
    """{marts table: how its rows are kept for one college} for the tables a 学院 user may see.

    - a table with `college_code` keeps the rows of that college (its branches, members, records…);
    - a table with `source_file` but no college column (load_summary, rejects) keeps the rows of the
      college's own files: files every loaded row of which belongs to that college;
    - frozen_years (which years are frozen, since when) and the rulebook tables (SHARED_TABLES) are
      shared: they name no college;
    - any other table is left out: nothing in it says which college a row belongs to.
    """
    rules = {}
    for table, columns in tables.items():
        if table in SHARED_TABLES:
            rules[table] = SHARED
        elif COLLEGE_COLUMN in columns:
            rules[table] = COLLEGE_COLUMN
        elif FILE_COLUMN in columns:
            rules[table] = FILE_COLUMN
    return rules


def build_scoped_snapshot(path: str | Path, college: str) -> duckdb.DuckDBPyConnection:
    """A private in-memory database with `marts` (and `meta.snapshot`) holding only `college`'s rows.

    The snapshot is attached read-only only while the copies are made, then detached; the connection
    then refuses file and network access, so nothing run on it can reach another college's rows.
    """
    con = duckdb.connect(
        ":memory:", config={"autoinstall_known_extensions": False, "autoload_known_extensions": False}
    )
    try:
        con.execute("attach ? as snapshot (read_only)", [str(path)])
        found = con.execute(
            "select c.table_name, list(c.column_name order by c.column_index) "
            "from duckdb_columns() c join duckdb_tables() t using (database_name, schema_name, table_name) "
            "where c.database_name = 'snapshot' and c.schema_name = 'marts' group by c.table_name"
        ).fetchall()
        rules = scope_rules(dict(found))
        # Which college each source file belongs to, from the rows it loaded into any marts table.
        attributed = [
            f"select {FILE_COLUMN}, {COLLEGE_COLUMN} from snapshot.marts.{_ident(t)}"
            for t, columns in found
            if FILE_COLUMN in columns and COLLEGE_COLUMN in columns
        ]
        con.execute(
            "create temp table scope_files (source_file VARCHAR)"
            if not attributed
            else "create temp table scope_files as select source_file from ("
            + " union all ".join(attributed)
            + ") where source_file is not null group by source_file "
            "having count(*) filter (where college_code is distinct from $college) = 0",
            None if not attributed else {"college": college},
        )
        con.execute("create schema marts")
        for table, rule in sorted(rules.items()):
            keep = {
                COLLEGE_COLUMN: "college_code = $college",
                FILE_COLUMN: "source_file in (select source_file from scope_files)",
                SHARED: "true",
            }[rule]
            con.execute(
                f"create table marts.{_ident(table)} as "
                f"select * from snapshot.marts.{_ident(table)} where {keep}",
                {"college": college} if rule == COLLEGE_COLUMN else None,
            )
        has_meta = con.execute(
            "select count(*) from duckdb_tables() "
            "where database_name = 'snapshot' and schema_name = 'meta' and table_name = 'snapshot'"
        ).fetchone()[0]
        if has_meta:
            con.execute("create schema meta")
            con.execute("create table meta.snapshot as select * from snapshot.meta.snapshot")
        con.execute("drop table scope_files")
        con.execute("detach snapshot")
        con.execute("set enable_external_access = false")
        con.execute("set lock_configuration = true")
    except BaseException:
        con.close()
        raise
    return con


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@contextlib.contextmanager
def scoped_cursor(path: str | Path, college: str) -> Iterator[duckdb.DuckDBPyConnection]:
    """A cursor on `college`'s copy of the current snapshot version (built on first use); copies of
    replaced versions are closed once no query runs on them (as for the shared attachment)."""
    path = Path(path)
    stat = path.stat()
    resolved, version = str(path.resolve()), (stat.st_ino, stat.st_mtime_ns)
    key = (resolved, version, college)
    with _SCOPED_LOCK:
        attachment = _SCOPED.get(key)
        if attachment is None:
            for old in [k for k in _SCOPED if k[0] == resolved and k[1] != version]:
                _SCOPED_RETIRED.append(_SCOPED.pop(old))
            attachment = Attachment(key, build_scoped_snapshot(path, college))
            _SCOPED[key] = attachment
            while len(_SCOPED) > MAX_SCOPES:
                _SCOPED_RETIRED.append(_SCOPED.popitem(last=False)[1])
        else:
            _SCOPED.move_to_end(key)
        attachment.readers += 1
        cursor = attachment.con.cursor()
        close_unread(_SCOPED_RETIRED)
    try:
        yield cursor
    finally:
        cursor.close()
        with _SCOPED_LOCK:
            attachment.readers -= 1
            close_unread(_SCOPED_RETIRED)


def release_scoped() -> None:
    """Let go of every college copy (closed once no query runs on it)."""
    with _SCOPED_LOCK:
        _SCOPED_RETIRED.extend(_SCOPED.values())
        _SCOPED.clear()
        close_unread(_SCOPED_RETIRED)
