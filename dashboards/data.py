"""The pages' reads of the published snapshot (自助查询 runs in a worker process of its own:
dashboards/sql_sandbox.py).

The dashboards read the published snapshot `serving.duckdb` and nothing else, read-only. Opening
the file costs ~25 ms, a query ~1 ms, so one attachment per snapshot version is shared and each
query runs on its own cursor. The attachment lives in a private in-memory database, never in
DuckDB's process-wide instance cache (which would keep serving an old file after `os.replace`,
stack.md §4.1). When a new snapshot is published (the file's mtime changes) the next query attaches
it, and the old attachment is closed as soon as the queries still running on it are done.
The publisher never opens serving.duckdb (it renames a new file over it), so readers block nothing.
Results are cached for 60 s, keyed on the snapshot's mtime so a new publish shows up at once.

Role scoping is enforced here, not by hiding widgets: a 学院 user's queries run on a private
in-memory database holding copies of only that college's rows of `marts` (see `scope_rules`), built
once per (snapshot version, college), with the snapshot detached afterwards — a page cannot reach
another college's rows whatever SQL or parameters it sends. The viewer's scope comes from the login
in the session (dashboards/auth.py) and is part of every cache key.
"""

import contextlib
import json
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pyarrow  # noqa: F401  DuckDB's .pl() imports it on first use: ≈ 115 ms of the first viewer's page
import streamlit as st

from dagster_project import reports, serving
from dashboards import auth

NO_SNAPSHOT_MESSAGE = "尚无发布的数据，请先运行 dangjian run"

_LOCK_RETRIES = 5
_LOCK_BACKOFF_S = 0.2


def serving_path() -> Path:
    """`DANGJIAN_SERVING_DB` if set, else `$DANGJIAN_HOME/serving.duckdb` (home default `./.dangjian`)."""
    return serving.snapshot_path()


def snapshot_exists() -> bool:
    return serving_path().is_file()


def published_at() -> datetime:
    """When the snapshot was published: `meta.snapshot.published_at` if written, else the file mtime."""
    try:
        stamp = query("select max(published_at) as published_at from meta.snapshot")["published_at"][0]
    except duckdb.CatalogException:
        stamp = None
    return stamp if stamp is not None else datetime.fromtimestamp(serving_path().stat().st_mtime)


def current_scope() -> str | None:
    """The viewer's scope: None for everything (组织部, or no users configured), else a college code.

    Taken from the login in the session, never from the URL; raises auth.LoginRequired when users
    exist and nobody is logged in (including code running outside a session, such as a deferred
    download: wrap it in `auth.deferred`, as `rejects_download` does).
    """
    return auth.data_scope()


def build_id() -> str | None:
    """The build that published the snapshot (`meta.snapshot.build_id`: the Dagster run id), if recorded."""
    try:
        frame = query("select build_id from meta.snapshot")
    except (duckdb.CatalogException, duckdb.BinderException):  # published before build ids existed
        return None
    return frame["build_id"][0] if frame.height else None


def query(sql: str, params: Sequence[Any] = ()) -> pl.DataFrame:
    """Run a parameterised query on the viewer's part of the snapshot (cached 60 s per snapshot and scope)."""
    path = serving_path()
    version = path.stat().st_mtime_ns  # changes on every publish (os.replace of a new file)
    return _cached_query(str(path), sql, _freeze(params), version, current_scope())


def colleges_ranked(period: str) -> int:
    """How many 二级党组织 the whole university ranked in `period`, whatever the viewer's scope.

    The one figure a 学院 user gets from outside its scope: the M of "全校排名 N / M", a count that
    names no college.
    """
    path = serving_path()
    frame = _cached_query(
        str(path),
        "select count(*)::BIGINT as colleges from marts.college_scores where period = ?",
        (period,),
        path.stat().st_mtime_ns,
        None,
    )
    return int(frame["colleges"][0])


def _freeze(params: Sequence[Any]) -> tuple:
    # Lists (e.g. for `list_contains(?, col)`) become tuples so the cache key is hashable and stable.
    return tuple(tuple(p) if isinstance(p, list | tuple) else p for p in params)


@st.cache_data(ttl=60, show_spinner=False, max_entries=256)
def _cached_query(path: str, sql: str, params: tuple, version: int, scope: str | None) -> pl.DataFrame:
    # `version` is only the cache-buster and `scope` keeps one college's results from being served to
    # another viewer; neither may start with "_" or st.cache_data leaves it out of the key.
    del version
    return run_query(path, sql, params, scope=scope)


@dataclass
class _Attachment:
    """One snapshot file version attached read-only, and how many queries are running on it."""

    key: tuple
    con: duckdb.DuckDBPyConnection
    readers: int = 0


_SNAPSHOT: dict[str, _Attachment] = {}
_SNAPSHOT_LOCK = threading.Lock()
# Attachments of replaced snapshots, closed once their last running query is done: closing one
# under a running query fails that query (and closes its cursor).
_RETIRED: list[_Attachment] = []


def _close_unread(retired: list["_Attachment"]) -> None:
    """Close the retired attachments no query is running on; call with the list's lock held."""
    for attachment in [a for a in retired if a.readers == 0]:
        attachment.con.close()
        retired.remove(attachment)


@contextlib.contextmanager
def _snapshot_cursor(path: str | Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A cursor on the current version of the snapshot at `path` (see the module docstring)."""
    key = serving.snapshot_key(Path(path))
    with _SNAPSHOT_LOCK:
        current = _SNAPSHOT.get("current")
        if current is None or current.key != key:
            con = duckdb.connect()
            serving.attach(con, key[0])
            _SNAPSHOT["current"] = _Attachment(key, con)
            if current is not None:
                _RETIRED.append(current)
                _close_unread(_RETIRED)
        attachment = _SNAPSHOT["current"]
        attachment.readers += 1
        cursor = attachment.con.cursor()
    try:
        cursor.execute("use snapshot")
        yield cursor
    finally:
        cursor.close()
        with _SNAPSHOT_LOCK:
            attachment.readers -= 1
            _close_unread(_RETIRED)


def release_snapshot() -> None:
    """Let go of the shared attachment and every college copy (for tools that rewrite a snapshot
    file in place, which keeps its mtime only to the clock's resolution)."""
    with _SNAPSHOT_LOCK:
        current = _SNAPSHOT.pop("current", None)
        if current is not None:
            _RETIRED.append(current)
        _close_unread(_RETIRED)
    with _SCOPED_LOCK:
        _SCOPED_RETIRED.extend(_SCOPED.values())
        _SCOPED.clear()
        _close_unread(_SCOPED_RETIRED)


def run_query(
    path: str | Path, sql: str, params: Sequence[Any] = (), *, scope: str | None = None
) -> pl.DataFrame:
    """Uncached: run on a fresh cursor of the current snapshot (only `scope`'s rows when it is a
    college code); retry briefly if the file is mid-swap."""
    bound = [list(p) if isinstance(p, tuple) else p for p in params]
    for attempt in range(_LOCK_RETRIES):
        try:
            with _cursor(path, scope) as con:
                return con.sql(sql, params=bound or None).pl()
        except (duckdb.IOException, FileNotFoundError):
            if attempt == _LOCK_RETRIES - 1:
                raise
            time.sleep(_LOCK_BACKOFF_S * (attempt + 1))
    raise AssertionError("unreachable")


def _cursor(
    path: str | Path, scope: str | None
) -> contextlib.AbstractContextManager[duckdb.DuckDBPyConnection]:
    return _snapshot_cursor(path) if scope is None else _scoped_cursor(path, scope)


# ---- one college's part of the snapshot -----------------------------------------------------------

MAX_SCOPES = 32  # colleges whose copies are kept at once (a university has ~20)
COLLEGE_COLUMN = "college_code"
FILE_COLUMN = "source_file"
# Tables about the whole assessment, not about any college's rows: every login sees them whole (the
# frozen years, and the rulebook the pages take their dimension and indicator names from).
SHARED_TABLES = (
    "frozen_years",
    "rule_dimensions",
    "rule_indicators",
    "rule_grades",
    "rule_star_cutoffs",
    "indicator_sources",
)
SHARED = "shared"

_SCOPED: OrderedDict[tuple, _Attachment] = OrderedDict()
_SCOPED_LOCK = threading.Lock()
_SCOPED_RETIRED: list[_Attachment] = []


def scope_rules(tables: dict[str, Sequence[str]]) -> dict[str, str]:
    """{marts table: how its rows are kept for one college} for the tables a 学院 user may see.

    - a table with `college_code` keeps the rows of that college (its branches, members, records…);
    - a table with `source_file` but no college column (load_summary, rejects) keeps the rows of the
      college's own files: files every loaded row of which belongs to that college;
    - frozen_years (which years are frozen, since when) and the rulebook tables (rule_dimensions,
      rule_indicators, rule_grades, rule_star_cutoffs, indicator_sources) are shared: they name no college;
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
def _scoped_cursor(path: str | Path, college: str) -> Iterator[duckdb.DuckDBPyConnection]:
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
            attachment = _Attachment(key, build_scoped_snapshot(path, college))
            _SCOPED[key] = attachment
            while len(_SCOPED) > MAX_SCOPES:
                _SCOPED_RETIRED.append(_SCOPED.popitem(last=False)[1])
        else:
            _SCOPED.move_to_end(key)
        attachment.readers += 1
        cursor = attachment.con.cursor()
        _close_unread(_SCOPED_RETIRED)
    try:
        yield cursor
    finally:
        cursor.close()
        with _SCOPED_LOCK:
            attachment.readers -= 1
            _close_unread(_SCOPED_RETIRED)


# ---- snapshot structure --------------------------------------------------------------------------


def table_columns(schema: str, table: str) -> list[str]:
    """Column names of `schema.table` in the snapshot, in table order ([] when there is no such table)."""
    frame = query(
        "select column_name from duckdb_columns() "
        "where database_name = current_database() and schema_name = ? and table_name = ? "
        "order by column_index",
        [schema, table],
    )
    return frame["column_name"].to_list()


def has_table(schema: str, table: str) -> bool:
    return bool(table_columns(schema, table))


# ---- downloads built by dagster_project.reports (not re-implemented here) ------------------------


def rejects_workbook(source_file: str | None = None) -> bytes:
    """The rejects workbook of one file (or all files) the viewer may see, as .xlsx bytes.

    Written by `dagster_project.reports` (the same workbook `dangjian rejects` writes); cached per
    snapshot and scope. Raises ValueError for an
    unknown file (a file of another college is unknown to a 学院 user).
    """
    return _rejects_workbook(source_file, current_scope())


def rejects_download(source_file: str | None = None) -> Callable[[], bytes]:
    """`rejects_workbook` for a download button's deferred `data`: Streamlit calls it later on a
    worker thread that has no session, so the login is checked again then (`auth.deferred`)."""
    return auth.deferred(lambda scope: _rejects_workbook(source_file, scope))


def _rejects_workbook(source_file: str | None, scope: str | None) -> bytes:
    path = serving_path()
    return _cached_rejects_workbook(str(path), source_file, path.stat().st_mtime_ns, scope)


@st.cache_data(ttl=600, show_spinner=False, max_entries=32)
def _cached_rejects_workbook(path: str, source_file: str | None, version: int, scope: str | None) -> bytes:
    del version
    with _cursor(path, scope) as con:
        return reports.reject_list_xlsx(con, source_file)


def result_sheet_workbook(year: int) -> bytes:
    """The year-end result sheet of `year` from the viewer's part of the snapshot, as .xlsx bytes.

    Written by `dagster_project.reports` (the same workbook `dangjian export` writes; a 学院 user
    gets its own rows); cached per snapshot and scope. Raises ValueError for a year without Q4.
    """
    return _result_sheet(int(year), current_scope())


def result_sheet_download(year: int) -> Callable[[], bytes]:
    """`result_sheet_workbook` for a download button's deferred `data` (login checked again then)."""
    return auth.deferred(lambda scope: _result_sheet(int(year), scope))


def _result_sheet(year: int, scope: str | None) -> bytes:
    path = serving_path()
    return _cached_result_sheet(str(path), year, path.stat().st_mtime_ns, scope)


@st.cache_data(ttl=600, show_spinner=False, max_entries=16)
def _cached_result_sheet(path: str, year: int, version: int, scope: str | None) -> bytes:
    del version
    with _cursor(path, scope) as con:
        return reports.result_sheet_xlsx(con, year)


@st.cache_data(show_spinner=False)
def template_workbooks() -> dict[str, tuple[str, bytes]]:
    """{sheet kind: (file name, bytes)} of the blank templates (`dagster_project.reports`)."""
    return reports.template_workbooks()


@st.cache_data(show_spinner=False)
def templates_zip() -> bytes:
    """Every blank template in one .zip."""
    return reports.zip_of(template_workbooks())


def csv_bytes(frame: pl.DataFrame) -> bytes:
    """UTF-8 CSV with a BOM, so Excel opens the Chinese text correctly; text that Excel would take
    for a formula gets a leading apostrophe (dagster_project/reports/cell_text.py)."""
    return reports.frame_csv(frame)


def xlsx_bytes(frame: pl.DataFrame, worksheet: str = "查询结果") -> bytes:
    """An .xlsx of `frame`; text stays text (no formulas, links or numbers made of user values, and
    formula-like text with a leading apostrophe, as in the CSV)."""
    return reports.frame_xlsx(frame, worksheet)


# ---- catalog of marts: tables, columns and their Chinese descriptions ----------------------------

MANIFEST_PATH = serving.CATALOG_MANIFEST

_CATALOG_SQL = """
select c.table_name, t.comment as table_comment, c.column_name, c.data_type, c.comment as column_comment
from duckdb_columns() c
join duckdb_tables() t using (database_name, schema_name, table_name)
where c.database_name = current_database() and c.schema_name = 'marts'
order by c.table_name, c.column_index
"""


def marts_catalog() -> pl.DataFrame:
    """One row per column of the snapshot's `marts` tables.

    Columns: table_name, table_description, column_name, data_type, column_description. A description
    is the DuckDB comment when the snapshot carries one, else dbt's (target/manifest.json), else "".
    """
    frame = query(_CATALOG_SQL)
    docs = dbt_descriptions()
    rows = []
    for r in frame.iter_rows(named=True):
        table_docs = docs.get(r["table_name"], {})
        rows.append(
            {
                "table_name": r["table_name"],
                "table_description": (r["table_comment"] or "").strip() or table_docs.get("", ""),
                "column_name": r["column_name"],
                "data_type": r["data_type"],
                "column_description": (r["column_comment"] or "").strip()
                or table_docs.get(r["column_name"], ""),
            }
        )
    schema = dict.fromkeys(
        ("table_name", "table_description", "column_name", "data_type", "column_description"), pl.String
    )
    return pl.DataFrame(rows, schema=schema)


def dbt_descriptions() -> dict[str, dict[str, str]]:
    """{marts model: {"": model description, column: description}} from dbt's manifest ({} if missing)."""
    path = MANIFEST_PATH
    try:
        version = path.stat().st_mtime_ns
    except OSError:
        return {}
    return _cached_manifest_descriptions(str(path), version)


@st.cache_data(show_spinner=False, max_entries=4)
def _cached_manifest_descriptions(path: str, version: int) -> dict[str, dict[str, str]]:
    del version
    try:
        manifest = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):  # missing, or being rewritten by dbt right now
        return {}
    out: dict[str, dict[str, str]] = {}
    for node in (manifest.get("nodes") or {}).values():
        if not isinstance(node, dict) or node.get("resource_type") != "model":
            continue
        if node.get("schema") != "marts" and "marts" not in (node.get("fqn") or [])[1:-1]:
            continue
        docs = {"": " ".join((node.get("description") or "").split())}
        for name, column in (node.get("columns") or {}).items():
            docs[name] = " ".join((column.get("description") or "").split())
        out[node.get("alias") or node["name"]] = docs
    return out
