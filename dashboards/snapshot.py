"""The pages' reads of the published snapshot: one shared read-only attachment, cached queries, and
the viewer's scope (自助查询 runs in a worker process of its own: dashboards/sql_sandbox.py).

The dashboards read the published snapshot `serving.duckdb` and nothing else, read-only. Opening
the file costs ~25 ms, a query ~1 ms, so one attachment per snapshot version is shared and each
query runs on its own cursor. The attachment lives in a private in-memory database, never in
DuckDB's process-wide instance cache (which would keep serving an old file after `os.replace`).
When a new snapshot is published (the file's mtime changes) the next query attaches it, and the
old attachment is closed as soon as the queries still running on it are done. The publisher never
opens serving.duckdb (it renames a new file over it), so readers block nothing. Results are cached
for 60 s, keyed on the snapshot's mtime and the viewer's scope, so a new publish shows up at once
and one college's results are never served to another (a 学院 login's queries run on its own copy:
dashboards/scoping.py).

The pages' SQL lives in dashboards/queries/; this module only runs it.
"""

import contextlib
import threading
import time
from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pyarrow  # noqa: F401  DuckDB's .pl() imports it on first use: ≈ 115 ms of the first viewer's page
import streamlit as st

from dagster_project import serving
from dashboards import auth, scoping
from dashboards.scoping import Attachment, close_unread

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


# The one statement run outside the viewer's scope: a count that names no college.
COLLEGES_RANKED_SQL = "select count(*)::BIGINT as colleges from marts.college_scores where period = ?"


def colleges_ranked(period: str) -> int:
    """How many 二级党组织 the whole university ranked in `period`, whatever the viewer's scope.

    The one figure a 学院 user gets from outside its scope: the M of "全校排名 N / M", a count that
    names no college.
    """
    path = serving_path()
    frame = _cached_query(str(path), COLLEGES_RANKED_SQL, (period,), path.stat().st_mtime_ns, None)
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


_SNAPSHOT: dict[str, Attachment] = {}
_SNAPSHOT_LOCK = threading.Lock()
# Attachments of replaced snapshots, closed once their last running query is done: closing one
# under a running query fails that query (and closes its cursor).
_RETIRED: list[Attachment] = []


@contextlib.contextmanager
def _snapshot_cursor(path: str | Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A cursor on the current version of the snapshot at `path` (see the module docstring)."""
    key = serving.snapshot_key(Path(path))
    with _SNAPSHOT_LOCK:
        current = _SNAPSHOT.get("current")
        if current is None or current.key != key:
            con = duckdb.connect()
            serving.attach(con, key[0])
            _SNAPSHOT["current"] = Attachment(key, con)
            if current is not None:
                _RETIRED.append(current)
                close_unread(_RETIRED)
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
            close_unread(_RETIRED)


def release_snapshot() -> None:
    """Let go of the shared attachment and every college copy (for tools that rewrite a snapshot
    file in place, which keeps its mtime only to the clock's resolution)."""
    with _SNAPSHOT_LOCK:
        current = _SNAPSHOT.pop("current", None)
        if current is not None:
            _RETIRED.append(current)
        close_unread(_RETIRED)
    scoping.release_scoped()


def run_query(
    path: str | Path, sql: str, params: Sequence[Any] = (), *, scope: str | None = None
) -> pl.DataFrame:
    """Uncached: run on a fresh cursor of the current snapshot (only `scope`'s rows when it is a
    college code); retry briefly if the file is mid-swap."""
    bound = [list(p) if isinstance(p, tuple) else p for p in params]
    for attempt in range(_LOCK_RETRIES):
        try:
            with cursor(path, scope) as con:
                return con.sql(sql, params=bound or None).pl()
        except (duckdb.IOException, FileNotFoundError):
            if attempt == _LOCK_RETRIES - 1:
                raise
            time.sleep(_LOCK_BACKOFF_S * (attempt + 1))
    raise AssertionError("unreachable")


def cursor(
    path: str | Path, scope: str | None
) -> contextlib.AbstractContextManager[duckdb.DuckDBPyConnection]:
    return _snapshot_cursor(path) if scope is None else scoping.scoped_cursor(path, scope)


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
