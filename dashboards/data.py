"""The only module that opens DuckDB.

The dashboards read the published snapshot `serving.duckdb` and nothing else. Every query opens a
short-lived read-only connection, runs, and closes it (stack.md §4.1): a cached connection would pin
the file lock (blocking the publisher) and keep showing an old snapshot after `os.replace`.
Results are cached for 60 s, keyed on the snapshot's mtime so a new publish shows up at once.
"""

import os
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import streamlit as st

NO_SNAPSHOT_MESSAGE = "尚无发布的数据，请先运行 dangjian run"

_LOCK_RETRIES = 5
_LOCK_BACKOFF_S = 0.2


def serving_path() -> Path:
    """`DANGJIAN_SERVING_DB` if set, else `$DANGJIAN_HOME/serving.duckdb` (home default `./.dangjian`)."""
    explicit = os.environ.get("DANGJIAN_SERVING_DB")
    if explicit:
        return Path(explicit).expanduser()
    return Path(os.environ.get("DANGJIAN_HOME", ".dangjian")).expanduser() / "serving.duckdb"


def snapshot_exists() -> bool:
    return serving_path().is_file()


def published_at() -> datetime:
    """When the snapshot was published: `meta.snapshot.published_at` if written, else the file mtime."""
    try:
        stamp = query("select max(published_at) as published_at from meta.snapshot")["published_at"][0]
    except duckdb.CatalogException:
        stamp = None
    return stamp if stamp is not None else datetime.fromtimestamp(serving_path().stat().st_mtime)


def query(sql: str, params: Sequence[Any] = ()) -> pl.DataFrame:
    """Run a parameterised query on the snapshot and return a polars frame (cached 60 s per snapshot)."""
    path = serving_path()
    version = path.stat().st_mtime_ns  # changes on every publish (os.replace of a new file)
    return _cached_query(str(path), sql, _freeze(params), version)


def _freeze(params: Sequence[Any]) -> tuple:
    # Lists (e.g. for `list_contains(?, col)`) become tuples so the cache key is hashable and stable.
    return tuple(tuple(p) if isinstance(p, list | tuple) else p for p in params)


@st.cache_data(ttl=60, show_spinner=False, max_entries=256)
def _cached_query(path: str, sql: str, params: tuple, version: int) -> pl.DataFrame:
    # `version` is only the cache-buster; it must not start with "_" or st.cache_data ignores it.
    del version
    return run_query(path, sql, params)


def run_query(path: str | Path, sql: str, params: Sequence[Any] = ()) -> pl.DataFrame:
    """Uncached: open read-only, query, close; retry briefly if a writer holds the file lock."""
    bound = [list(p) if isinstance(p, tuple) else p for p in params]
    for attempt in range(_LOCK_RETRIES):
        try:
            with duckdb.connect(str(path), read_only=True) as con:
                return con.sql(sql, params=bound or None).pl()
        except duckdb.IOException:
            if attempt == _LOCK_RETRIES - 1:
                raise
            time.sleep(_LOCK_BACKOFF_S * (attempt + 1))
    raise AssertionError("unreachable")
