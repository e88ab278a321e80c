"""Reading the published snapshot (`serving.duckdb`), read-only: where it is, which version of the file
is there now, how to open it, and which build published it. The dashboards read the marts through
this; the pipeline writes the snapshot with publish.py and never opens the published file.

A snapshot is attached to a private in-memory database rather than opened with `duckdb.connect(path)`:
DuckDB keeps one instance per file and process, and that instance would go on serving the old file
after a publish renames a new one over it.
"""

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from dagster_project.home import DBT_DIR

SERVING_DB_ENV = "DANGJIAN_SERVING_DB"
# dbt's manifest: the Chinese descriptions of the marts' tables and columns (自助查询's catalog).
CATALOG_MANIFEST = DBT_DIR / "target" / "manifest.json"
SNAPSHOT_ALIAS = "snapshot"


def snapshot_path() -> Path:
    """`DANGJIAN_SERVING_DB` if set, else `$DANGJIAN_HOME/serving.duckdb` (home default `./.dangjian`)."""
    explicit = os.environ.get(SERVING_DB_ENV)
    if explicit:
        return Path(explicit).expanduser()
    return Path(os.environ.get("DANGJIAN_HOME", ".dangjian")).expanduser() / "serving.duckdb"


def snapshot_key(path: Path) -> tuple[str, int, int]:
    """Which published file `path` is now: a publish renames a new file over it, so the inode
    changes even when the modification time does not (within one clock tick)."""
    stat = path.stat()
    return (str(path.resolve()), stat.st_ino, stat.st_mtime_ns)


def attach(con: duckdb.DuckDBPyConnection, path: Path | str, alias: str = SNAPSHOT_ALIAS) -> None:
    """Attach the snapshot file at `path` read-only to `con` as `alias`."""
    quoted = str(path).replace("'", "''")
    con.execute(f"attach '{quoted}' as {alias} (read_only)")


def open_read_only(path: Path | None = None) -> duckdb.DuckDBPyConnection:
    """A connection of its own on the snapshot (the current one by default); close it when done."""
    con = duckdb.connect()
    attach(con, path or snapshot_path())
    con.execute(f"use {SNAPSHOT_ALIAS}")
    return con


@contextlib.contextmanager
def reading(path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """`open_read_only(path)` for the length of a `with`; FileNotFoundError (in Chinese, for the command
    line) when nothing has been published there yet."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"未找到已发布的数据快照：{path}（请先运行 dangjian run）")
    con = open_read_only(path)
    try:
        yield con
    finally:
        con.close()


@dataclass(frozen=True)
class Build:
    """Which run published a snapshot (the Dagster run id) and when."""

    build_id: str | None
    published_at: datetime | None


def build_of(con: duckdb.DuckDBPyConnection) -> Build | None:
    """`meta.snapshot` of the snapshot `con` reads; None for one published before it existed."""
    try:
        row = con.execute("select build_id, published_at from meta.snapshot").fetchone()
    except (duckdb.CatalogException, duckdb.BinderException):
        return None
    return Build(*row) if row else None
