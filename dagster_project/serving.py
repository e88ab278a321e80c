"""Publishing the read-only snapshot the dashboards read (stack.md §4.1)."""

import datetime as dt
import os
from pathlib import Path

import duckdb

PUBLISHED_SCHEMAS = ("marts",)


def _sql_string(text: str) -> str:
    # COMMENT ON takes no parameters: quote the (dbt-authored) text as a SQL string literal
    return "'" + text.replace("'", "''") + "'"


def _copy_comments(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> None:
    """dbt writes the Chinese descriptions as COMMENTs; CREATE TABLE AS does not carry them over."""
    (table_comment,) = con.execute(
        "select comment from duckdb_tables() "
        "where database_name = 'wh' and schema_name = ? and table_name = ?",
        [schema, table],
    ).fetchone()
    if table_comment:
        con.execute(f'comment on table snap.{schema}."{table}" is {_sql_string(table_comment)}')
    for column, comment in con.execute(
        "select column_name, comment from duckdb_columns() where database_name = 'wh' "
        "and schema_name = ? and table_name = ? and comment is not null",
        [schema, table],
    ).fetchall():
        con.execute(f'comment on column snap.{schema}."{table}"."{column}" is {_sql_string(comment)}')


def publish_snapshot(warehouse: Path, serving: Path) -> list[str]:
    """Copy the public schemas into a fresh file and rename it over the old snapshot.

    Readers holding the old file keep their inode; new connections see the new data; a failure
    leaves the previous snapshot in place. Only `marts` is copied, so `raw` (with ID-card numbers
    in clear) never reaches the dashboards.
    """
    tmp = serving.with_name(serving.name + ".tmp")
    tmp.unlink(missing_ok=True)
    con = duckdb.connect()
    try:
        con.execute(f"attach '{warehouse}' as wh (read_only)")
        con.execute(f"attach '{tmp}' as snap")
        tables = con.execute(
            "select schema_name, table_name from duckdb_tables() where database_name = 'wh' "
            f"and schema_name in ({', '.join('?' for _ in PUBLISHED_SCHEMAS)}) order by 1, 2",
            list(PUBLISHED_SCHEMAS),
        ).fetchall()
        for schema in {s for s, _ in tables}:
            con.execute(f"create schema snap.{schema}")
        for schema, table in tables:
            con.execute(f'create table snap.{schema}."{table}" as select * from wh.{schema}."{table}"')
            _copy_comments(con, schema, table)
        con.execute("create schema if not exists snap.meta")
        con.execute(
            "create table snap.meta.snapshot as select ?::timestamp as published_at",
            [dt.datetime.now().replace(microsecond=0)],
        )
    finally:
        con.close()
    os.replace(tmp, serving)
    return [f"{s}.{t}" for s, t in tables]
