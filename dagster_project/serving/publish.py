"""Publishing the read-only snapshot the dashboards read: the marts copied into a new file that is
renamed over the old one, so a reader holding the old file keeps reading it whole."""

import datetime as dt
import os
import uuid
from pathlib import Path

import duckdb

from dagster_project.home import PRIVATE_FILE
from dagster_project.pipeline.faults import crash_point
from dagster_project.serving.names import publish_names

PUBLISHED_SCHEMAS = ("marts",)


def _sql_string(text: str) -> str:
    # COMMENT ON takes no parameters: quote the (dbt-authored) text as a SQL string literal
    return "'" + text.replace("'", "''") + "'"


def _copy_comments(con: duckdb.DuckDBPyConnection, wh: str, schema: str, table: str) -> None:
    """dbt writes the Chinese descriptions as COMMENTs; CREATE TABLE AS does not carry them over."""
    (table_comment,) = con.execute(
        "select comment from duckdb_tables() where database_name = ? and schema_name = ? and table_name = ?",
        [wh, schema, table],
    ).fetchone()
    if table_comment:
        con.execute(f'comment on table snap.{schema}."{table}" is {_sql_string(table_comment)}')
    for column, comment in con.execute(
        "select column_name, comment from duckdb_columns() where database_name = ? "
        "and schema_name = ? and table_name = ? and comment is not null",
        [wh, schema, table],
    ).fetchall():
        con.execute(f'comment on column snap.{schema}."{table}"."{column}" is {_sql_string(comment)}')


def _leftovers(tmp: Path) -> list[Path]:
    # A publish killed midway leaves the half-written file and DuckDB's write-ahead log beside it;
    # both go, so nothing of the dead publish can meet the new file.
    return [tmp, tmp.with_name(tmp.name + ".wal")]


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def publish_snapshot(
    warehouse: duckdb.DuckDBPyConnection, serving: Path, build_id: str | None = None
) -> list[str]:
    """Copy the public schemas of the warehouse `warehouse` is connected to into a fresh file and
    rename it over the old snapshot.

    Readers holding the old file keep their inode; new connections see the new data; a failure
    (or a crash) at any point leaves the previous snapshot in place. Only `marts` is copied, so
    `raw` (with ID-card numbers in clear) never reaches the dashboards.

    The names of the people on the 发展党员台账 go to a separate file beside it (serving/names.py),
    which only the audit list's download reads.

    The new file also gets `meta.snapshot` (published_at, build_id — the Dagster run id when
    given) and `meta.table_counts` (table_name, row_count) for every published table, so a
    reader can prove that everything it read in one query came from one build.
    """
    tmp = serving.with_name(serving.name + ".tmp")
    for leftover in _leftovers(tmp):
        leftover.unlink(missing_ok=True)
    build_id = build_id or uuid.uuid4().hex
    con = warehouse
    (wh,) = con.execute("select current_database()").fetchone()
    con.execute(f"attach '{tmp}' as snap")
    try:
        tables = con.execute(
            "select schema_name, table_name from duckdb_tables() where database_name = ? "
            f"and schema_name in ({', '.join('?' for _ in PUBLISHED_SCHEMAS)}) order by 1, 2",
            [wh, *PUBLISHED_SCHEMAS],
        ).fetchall()
        for schema in {s for s, _ in tables}:
            con.execute(f"create schema snap.{schema}")
        for schema, table in tables:
            con.execute(f'create table snap.{schema}."{table}" as select * from "{wh}".{schema}."{table}"')
            _copy_comments(con, wh, schema, table)
            crash_point("publish")
        con.execute("create schema if not exists snap.meta")
        con.execute(
            "create table snap.meta.snapshot as select ?::timestamp as published_at, ?::varchar as build_id",
            [dt.datetime.now().replace(microsecond=0), build_id],
        )
        con.execute("create table snap.meta.table_counts (table_name varchar primary key, row_count bigint)")
        for schema, table in tables:
            con.execute(
                f'insert into snap.meta.table_counts select ?, count(*) from snap.{schema}."{table}"',
                [f"{schema}.{table}"],
            )
    finally:
        con.execute("detach snap")  # the new file is complete and closed before it is renamed
    os.chmod(tmp, PRIVATE_FILE)  # marts hold names of people: for the account that serves them only
    _fsync(tmp)  # the new file is on disk before the name points at it
    os.replace(tmp, serving)
    _fsync(serving.parent)  # and the rename itself survives a power cut
    # the names of the development ledger's people: a separate file, never part of the snapshot
    publish_names(con, serving)
    return [f"{s}.{t}" for s, t in tables]
