"""Publishing the read-only snapshot the dashboards read: the marts copied into a new file that is
renamed over the old one, so a reader holding the old file keeps reading it whole.

A publish after a warm run copies the last snapshot this warehouse published and replaces in it only
the marts rebuilt since (issue 20: at 100× copying every mart was 12 of a warm run's 40 s). The build
notes what it rebuilt in meta.publish_pending, in its own transaction ('*': everything, as a dbt build
notes before it starts); the notes are cleared when a publish has renamed its file into place. The
last snapshot is used only if it is the one this warehouse published last (meta.published holds its
build id) and holds the same tables; otherwise every mart is copied, as on a cold run."""

import datetime as dt
import os
import shutil
import uuid
from pathlib import Path

import duckdb

from dagster_project.home import PRIVATE_FILE
from dagster_project.pipeline.faults import crash_point
from dagster_project.serving.names import publish_names

PUBLISHED_SCHEMAS = ("marts",)
PENDING = "meta.publish_pending"
EVERYTHING = "*"
_PUBLISHED = "meta.published"


def note_rebuilt(
    warehouse: duckdb.DuckDBPyConnection,
    relations: list[str] | None,
    in_part: dict[str, str | None] | None = None,
) -> None:
    """Remember which marts were rebuilt (relations as dbt names them, '"warehouse"."marts"."dues"';
    None: every table), for the next publish; in_part: relation → the condition on the rows it
    rebuilt, where it rebuilt only those (transform/changes.py)."""
    warehouse.execute("create schema if not exists meta")
    warehouse.execute(f"create table if not exists {PENDING} (table_name varchar)")
    warehouse.execute(f"alter table {PENDING} add column if not exists rows_where varchar")
    in_part = in_part or {}
    if relations is None:
        names = [(EVERYTHING, None)]
    else:
        parts = [([p.strip('"') for p in r.split(".")][-2:], in_part.get(r)) for r in relations]
        names = [
            (f"{schema}.{table}", where) for (schema, table), where in parts if schema in PUBLISHED_SCHEMAS
        ]
    if names:
        warehouse.executemany(f"insert into {PENDING} (table_name, rows_where) values (?, ?)", names)


def _exists(con: duckdb.DuckDBPyConnection, database: str, schema: str, table: str) -> bool:
    found = con.execute(
        "select 1 from duckdb_tables() where database_name = ? and schema_name = ? and table_name = ?",
        [database, schema, table],
    ).fetchone()
    return found is not None


def _published_tables(con: duckdb.DuckDBPyConnection, database: str) -> list[tuple[str, str]]:
    return con.execute(
        "select schema_name, table_name from duckdb_tables() where database_name = ? "
        f"and schema_name in ({', '.join('?' for _ in PUBLISHED_SCHEMAS)}) order by 1, 2",
        [database, *PUBLISHED_SCHEMAS],
    ).fetchall()


def _last_snapshot(
    con: duckdb.DuckDBPyConnection, wh: str, serving: Path, tables: list
) -> dict[str, list[str] | None] | None:
    """The marts to copy on top of the last snapshot (each with the conditions on the only rows to
    replace, or None: the whole table), or None: copy every one into a new file."""
    if not (
        serving.exists()
        and _exists(con, wh, "meta", "publish_pending")
        and _exists(con, wh, "meta", "published")
    ):
        return None
    con.execute(f'alter table "{wh}".{PENDING} add column if not exists rows_where varchar')
    pending: dict[str, list[str] | None] = {}
    for table, where in con.execute(
        f'select distinct table_name, rows_where from "{wh}".{PENDING}'
    ).fetchall():
        kept = pending.setdefault(table, [])
        pending[table] = None if where is None or kept is None else [*kept, where]
    (ours,) = con.execute(f'select max(build_id) from "{wh}".{_PUBLISHED}').fetchone()
    if EVERYTHING in pending or ours is None:
        return None
    con.execute(f"attach '{str(serving).replace(chr(39), chr(39) * 2)}' as last_snap (read_only)")
    try:
        (theirs,) = con.execute("select max(build_id) from last_snap.meta.snapshot").fetchone()
        published = _published_tables(con, "last_snap")
    except duckdb.Error:
        return None
    finally:
        con.execute("detach last_snap")
    if theirs != ours or published != tables:
        return None
    return pending


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
    """Copy the public schemas of the warehouse `warehouse` is connected to into a fresh file (or
    into a copy of the last snapshot, only the marts rebuilt since: see the module's docstring) and
    rename it over the old snapshot.

    Readers holding the old file keep their inode; new connections see the new data; a failure
    (or a crash) at any point leaves the previous snapshot in place. Only `marts` is copied, so
    `raw` (with ID-card numbers in clear) never reaches the dashboards.

    The names of the people on the 发展党员台账 go to a separate file beside it (serving/names.py),
    which only the audit list's download reads.

    The new file also gets `meta.snapshot` (published_at, build_id — the Dagster run id when
    given —, tables_copied: how many marts this publish wrote rather than kept) and
    `meta.table_counts` (table_name, row_count) for every published table, so a
    reader can prove that everything it read in one query came from one build.
    """
    tmp = serving.with_name(serving.name + ".tmp")
    for leftover in _leftovers(tmp):
        leftover.unlink(missing_ok=True)
    build_id = build_id or uuid.uuid4().hex
    con = warehouse
    (wh,) = con.execute("select current_database()").fetchone()
    tables = _published_tables(con, wh)
    rebuilt = _last_snapshot(con, wh, serving, tables)
    if rebuilt is not None:
        shutil.copyfile(serving, tmp)
    con.execute(f"attach '{tmp}' as snap")
    try:
        if rebuilt is None:
            for schema in {s for s, _ in tables}:
                con.execute(f"create schema snap.{schema}")
        copied = 0
        for schema, table in tables:
            if rebuilt is not None:
                if f"{schema}.{table}" not in rebuilt:
                    continue
                if rebuilt[f"{schema}.{table}"] is not None:  # rebuilt in part: those rows only
                    for where in rebuilt[f"{schema}.{table}"]:
                        con.execute(f'delete from snap.{schema}."{table}" where {where}')
                        con.execute(
                            f'insert into snap.{schema}."{table}" select * from "{wh}".{schema}."{table}" '
                            f"where {where}"
                        )
                    copied += 1
                    continue
                con.execute(f'drop table snap.{schema}."{table}"')
            con.execute(f'create table snap.{schema}."{table}" as select * from "{wh}".{schema}."{table}"')
            _copy_comments(con, wh, schema, table)
            copied += 1
        con.execute("create schema if not exists snap.meta")
        con.execute(
            "create or replace table snap.meta.snapshot as "
            "select ?::timestamp as published_at, ?::varchar as build_id, ?::integer as tables_copied",
            [dt.datetime.now().replace(microsecond=0), build_id, copied],
        )
        con.execute(
            "create or replace table snap.meta.table_counts "
            "(table_name varchar primary key, row_count bigint)"
        )
        for schema, table in tables:
            con.execute(
                f'insert into snap.meta.table_counts select ?, count(*) from snap.{schema}."{table}"',
                [f"{schema}.{table}"],
            )
        crash_point("publish")
    finally:
        con.execute("detach snap")  # the new file is complete and closed before it is renamed
    os.chmod(tmp, PRIVATE_FILE)  # marts hold names of people: for the account that serves them only
    _fsync(tmp)  # the new file is on disk before the name points at it
    os.replace(tmp, serving)
    _fsync(serving.parent)  # and the rename itself survives a power cut
    # what the next publish may start from; a crash before this makes the next one copy everything
    con.execute("begin")
    note_rebuilt(con, [])
    con.execute(f"delete from {PENDING}")
    con.execute(f"create table if not exists {_PUBLISHED} (build_id varchar)")
    con.execute(f"delete from {_PUBLISHED}")
    con.execute(f"insert into {_PUBLISHED} values (?)", [build_id])
    con.execute("commit")
    # the names of the development ledger's people: a separate file, never part of the snapshot
    publish_names(con, serving)
    return [f"{s}.{t}" for s, t in tables]
