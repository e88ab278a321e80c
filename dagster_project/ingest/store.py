"""Keeping schema `raw` in step with the inbox, file by file.

A file's content hash decides whether it is parsed again; a changed file replaces exactly its own
rows; a removed file takes its rows with it; every ingested file is archived by hash and its
addition, change or removal is appended to archive/index.jsonl (see archive.py). `raw.files`
remembers what was loaded from where, so re-running with an unchanged inbox changes nothing.

A changed file is copied into the archive once and that copy is parsed (inbox.py), in a worker
process under a memory and time limit (worker.py): whatever a file does to the parser, it ends as
its rejects and the run goes on. A content that took a worker down is remembered
(archive/crashes.jsonl) and never parsed again by this parser version. Inbox entries that are not
read (links, hidden and lock files, a file still being saved) are reported each run: a raw.files
row with no hash and a reject with no hash, both replaced by the next run.

A file's `loaded_at` is when this content of it was first loaded (kept when the same bytes are
parsed again, after a parser change or by `dangjian rebuild`), and the row rules' "today" is that
day: the same file always gives the same rows, so the warehouse can be rebuilt from the archive.
"""

import dataclasses
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from dagster_project.contracts import SHEET_KINDS, contract_fingerprint
from dagster_project.ingest import cross_changes
from dagster_project.ingest.archive import ArchivedFile, ArchiveIndex, CrashLog, archive_copy, file_hash
from dagster_project.ingest.crosscheck import check_across_files
from dagster_project.ingest.inbox import BEING_WRITTEN, copy_to_archive, hash_in_place, scan_inbox
from dagster_project.ingest.reader import REJECT_SCHEMA, FileResult, empty_table, whole_file_result
from dagster_project.ingest.scope import refuse_org_only
from dagster_project.ingest.submissions import SUBMISSIONS_DDL, college_scopes, load_log, sheet_names
from dagster_project.ingest.task_owners import OWNERS_DDL, OWNERS_TABLE
from dagster_project.ingest.worker import Parsed, ParseLimits, ParsePool
from dagster_project.pipeline.faults import crash_point
from dagster_project.transform import changes

# Bump when the reading code changes so that unchanged files are parsed again under the new rules.
# 6: tasks' owners and deadlines as 002 writes them, ID numbers outside their column rejected, and only
# the header's width is read (rows with cells only right of it are blank); 7: a cell required when
# another is filled (or blank); 8: a submitted CSV/Parquet file's sheet named by the submitter's file name
PARSER_RULES = "8"
# A change of the contract (a new sheet kind, an alias, a rule) re-reads unchanged files as well: a sheet
# of a kind the last run did not know is then found without anyone remembering to bump PARSER_RULES.
PARSER_VERSION = f"{PARSER_RULES}.{contract_fingerprint()}"
# Files are committed together until about this many rows: a commit per small file would write
# every row twice (to the WAL, then at the checkpoint), while a large append goes to the file once.
COMMIT_ROWS = 1_000_000

_DUCK_TYPES = {
    pl.String: "VARCHAR",
    pl.Int64: "BIGINT",
    pl.Float64: "DOUBLE",
    pl.Date: "DATE",
    pl.Boolean: "BOOLEAN",
}


def _ddl(frame: pl.DataFrame) -> str:
    return ", ".join(f'"{name}" {_DUCK_TYPES[dtype.base_type()]}' for name, dtype in frame.schema.items())


def expected_tables() -> dict[str, str]:
    lineage = (
        "_source_file VARCHAR, _sheet VARCHAR, _row_number BIGINT, _file_hash VARCHAR, _loaded_at TIMESTAMP"
    )
    tables = {kind.table: f"{_ddl(empty_table(kind))}, {lineage}" for kind in SHEET_KINDS}
    tables["rejects"] = f"{_ddl(pl.DataFrame(schema=REJECT_SCHEMA))}, file_hash VARCHAR, loaded_at TIMESTAMP"
    tables[OWNERS_TABLE] = OWNERS_DDL
    tables["files"] = (
        "source_file VARCHAR primary key, file_hash VARCHAR, parser_version VARCHAR, kinds VARCHAR, "
        "rows_read BIGINT, rows_loaded BIGINT, rows_rejected BIGINT, loaded_at TIMESTAMP"
    )
    tables["submissions"] = SUBMISSIONS_DDL
    return tables


def bookkeeping_tables() -> dict[str, str]:
    """raw's tables of what changed since the last check and build (cross_changes.py,
    transform/changes.py): kept with the rows they describe, not sources of the dbt project."""
    return {
        cross_changes.CHANGES_TABLE: cross_changes.CHANGES_DDL,
        cross_changes.STATE_TABLE: cross_changes.STATE_DDL,
        changes.PENDING_TABLE: changes.PENDING_DDL,
    }


def ensure_raw_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create schema raw; a table whose columns no longer match the contract is rebuilt, and then
    every file is parsed again (schema raw is emptied) so nothing is lost, only re-read."""
    con.execute("create schema if not exists raw")
    rebuilt = False
    tables = {**expected_tables(), **bookkeeping_tables()}
    for table, ddl in tables.items():
        expected = [part.strip().split(" ")[0].strip('"') for part in ddl.split(", ")]
        current = [
            r[0]
            for r in con.execute(
                "select column_name from duckdb_columns() where schema_name = 'raw' and table_name = ? "
                "order by column_index",
                [table],
            ).fetchall()
        ]
        if current and current != expected:
            con.execute(f"drop table raw.{table}")
            rebuilt = True
        con.execute(f"create table if not exists raw.{table} ({ddl})")
    if rebuilt:  # every file is read again, into empty tables (and checked in full)
        for table in tables:
            con.execute(f"delete from raw.{table}")


def inbox_files(inbox: Path) -> dict[str, Path]:
    """The regular files a user dropped, by name relative to the inbox (what scan_inbox reads)."""
    return scan_inbox(inbox).files


@dataclass
class IngestSummary:
    parsed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # in the inbox, not read: reported (inbox.py)
    crashed: list[str] = field(default_factory=list)  # took a parse worker down this run
    remembered: list[str] = field(default_factory=list)  # took one down before: not parsed again

    def as_metadata(self) -> dict[str, int]:
        return {
            "files_parsed": len(self.parsed),
            "files_unchanged": len(self.unchanged),
            "files_removed": len(self.removed),
            "files_skipped": len(self.skipped),
            "files_crashed": len(self.crashed) + len(self.remembered),
        }


def _delete_file_rows(con: duckdb.DuckDBPyConnection, source_file: str, note: bool) -> None:
    """note: remember the rows for the checks across files (cross_changes.py)."""
    if note:
        cross_changes.note_file_rows(con, source_file)
    for kind in SHEET_KINDS:
        con.execute(f"delete from raw.{kind.table} where _source_file = ?", [source_file])
    con.execute("delete from raw.rejects where source_file = ?", [source_file])
    con.execute("delete from raw.files where source_file = ?", [source_file])


def _insert(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame, **constants: object) -> None:
    """Append a frame's rows (through Arrow, no Python loop), with `constants` as extra columns."""
    if frame.height:
        cols = ", ".join(f'"{c}"' for c in frame.columns)
        extra = "".join(f', "{c}"' for c in constants)
        con.register("incoming", frame)
        con.execute(
            f"insert into {table} ({cols}{extra}) select {cols}{', ?' * len(constants)} from incoming",
            list(constants.values()),
        )
        con.unregister("incoming")


class _History:
    """archive/index.jsonl as seen by one ingest: records each committed change of the inbox."""

    def __init__(self, archive: Path, now: dt.datetime):
        self.archive = archive
        self.now = now
        self.index = ArchiveIndex(archive)
        self.recorded = self.index.state()

    def loaded_at(self, source_file: str, digest: str) -> dt.datetime:
        before = self.recorded.get(source_file)
        return before.loaded_at if before is not None and before.sha256 == digest else self.now

    def is_recorded(self, source_file: str, digest: str, loaded_at: dt.datetime) -> bool:
        before = self.recorded.get(source_file)
        return before is not None and (before.sha256, before.loaded_at) == (digest, loaded_at)

    def loaded(self, source_file: str, digest: str, loaded_at: dt.datetime) -> None:
        if self.is_recorded(source_file, digest, loaded_at):
            return
        before = self.recorded.get(source_file)
        archived = self.archive / f"{digest}{Path(source_file).suffix.lower()}"
        size = archived.stat().st_size if archived.exists() else None
        file = ArchivedFile(source_file, digest, archived.suffix, size, loaded_at)
        self.index.append("changed" if before is not None else "added", file)
        self.recorded[source_file] = file

    def removed(self, source_file: str) -> None:
        before = self.recorded.pop(source_file, None)
        if before is not None:
            self.index.append("removed", dataclasses.replace(before, loaded_at=self.now))

    def catch_up(self, con: duckdb.DuckDBPyConnection, present: dict[str, Path]) -> None:
        """Record what raw.files holds but the index lacks: a crash between a commit and its
        index line, or a home that predates the index (archiving the file if it is still here)."""
        loaded = con.execute(
            "select source_file, file_hash, loaded_at from raw.files where file_hash is not null"
        ).fetchall()
        for source_file, digest, loaded_at in loaded:
            if self.is_recorded(source_file, digest, loaded_at):
                continue
            path = present.get(source_file)
            if path is not None and file_hash(path) == digest:
                archive_copy(path, digest, self.archive)
            self.loaded(source_file, digest, loaded_at)
        for source_file in set(self.recorded) - {row[0] for row in loaded}:
            self.removed(source_file)


def _clear_skipped(con: duckdb.DuckDBPyConnection) -> None:
    """Last run's notices about entries it did not read (the rows with no hash)."""
    con.execute("delete from raw.files where file_hash is null")
    con.execute("delete from raw.rejects where file_hash is null")


def _report_skipped(
    con: duckdb.DuckDBPyConnection, skipped: dict[str, str], loaded: set[str], now: dt.datetime
) -> None:
    """This run's notices: a raw.files row (no hash, nothing read) for an entry with no loaded
    version, and one whole-file reject for each entry."""
    for source_file, reason in skipped.items():
        if source_file not in loaded:
            con.execute("insert into raw.files values (?, null, null, '', 0, 0, 0, ?)", [source_file, now])
        _insert(con, "raw.rejects", whole_file_result(source_file, reason).file_rejects, loaded_at=now)


def sync_inbox(
    con: duckdb.DuckDBPyConnection,
    inbox: Path,
    archive: Path,
    now: dt.datetime | None = None,
    limits: ParseLimits | None = None,
    pool: ParsePool | None = None,
) -> IngestSummary:
    """Bring schema raw in step with the inbox, then check every row against the other files.
    `pool`: parse workers started by the caller (earlier is better: a worker's start overlaps
    whatever comes before its first file); by default started here, before the inbox is hashed."""
    now = now or dt.datetime.now().replace(microsecond=0)
    if pool is not None:
        return _sync(con, inbox, archive, now, pool)
    with ParsePool(limits) as own:
        return _sync(con, inbox, archive, now, own)


def _sync(
    con: duckdb.DuckDBPyConnection, inbox: Path, archive: Path, now: dt.datetime, pool: ParsePool
) -> IngestSummary:
    ensure_raw_schema(con)
    # the checks across files look again only at what the files changed since the last run reach
    changed_only = cross_changes.incremental(con)
    summary = IngestSummary()
    history = _History(archive, now)
    known = dict(
        con.execute(
            "select source_file, file_hash || '/' || parser_version from raw.files "
            "where file_hash is not null"
        ).fetchall()
    )
    scan = scan_inbox(inbox)
    present = scan.files
    # a college login's files may carry only that college's rows (scope.py)
    scopes = {name: college for name, college in college_scopes(archive).items() if name in present}

    for source_file in sorted(set(known) - set(present)):
        con.execute("begin")
        _delete_file_rows(con, source_file, note=changed_only)
        con.execute("commit")
        history.removed(source_file)
        summary.removed.append(source_file)
        crash_point("ingest")

    # Every file is kept, even one of a type we cannot read: nothing submitted is lost. The archived
    # copy is what is parsed, so the archive and raw hold the same bytes however the inbox changes.
    skipped = dict(scan.skipped)
    changed: list[tuple[str, Path, str]] = []
    for source_file, path in present.items():
        if source_file in known and known[source_file] == f"{hash_in_place(path)}/{PARSER_VERSION}":
            summary.unchanged.append(source_file)
            continue
        copied = copy_to_archive(path, archive)
        if copied is None:
            skipped[source_file] = BEING_WRITTEN  # a loaded version of it stays loaded
        elif known.get(source_file) == f"{copied[1]}/{PARSER_VERSION}":
            summary.unchanged.append(source_file)
        else:
            changed.append((source_file, *copied))
    summary.skipped = sorted(skipped)

    # when this content was first loaded (a rebuild from the archive reuses it), and the day its rules use
    stamps = {source_file: history.loaded_at(source_file, digest) for source_file, _, digest in changed}
    crashes = CrashLog(archive)
    crashed_before = crashes.known(PARSER_VERSION)
    # a submitted CSV's sheet goes by the submitter's file name, as in the preview and `dangjian check`
    shown = sheet_names(archive)
    to_parse = [
        (path, name, stamps[name].date(), shown.get(name))
        for name, path, digest in changed
        if digest not in crashed_before
    ]
    parsed = pool.parse(to_parse)

    def results() -> Iterator[FileResult]:
        for source_file, _, digest in changed:
            if digest in crashed_before:
                summary.remembered.append(source_file)
                yield whole_file_result(source_file, crashed_before[digest])
                continue
            outcome: Parsed = next(parsed)
            if outcome.crashed:  # remembered at once: a run that dies later must not try it again
                crashes.record(digest, PARSER_VERSION, outcome.result.file_rejects["reason"][0], now)
                summary.crashed.append(source_file)
            yield refuse_org_only(outcome.result) if source_file in scopes else outcome.result

    committed: list[tuple[str, str, dt.datetime]] = []  # goes into the archive index once committed
    uncommitted = 0
    con.execute("begin")
    _clear_skipped(con)
    for (source_file, _, digest), result in zip(changed, results(), strict=True):
        loaded_at = stamps[source_file]
        if source_file in known:  # a new file has no rows yet: no need to scan every table for them
            _delete_file_rows(con, source_file, note=changed_only)
        for sheet in result.sheets:
            _insert(con, f"raw.{sheet.kind}", sheet.loaded, _file_hash=digest, _loaded_at=loaded_at)
        if changed_only:
            cross_changes.note_file_rows(con, source_file)
        _insert(con, "raw.rejects", result.rejects, file_hash=digest, loaded_at=loaded_at)
        con.execute(
            "insert into raw.files values (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                source_file,
                digest,
                PARSER_VERSION,
                ",".join(sorted({s.kind for s in result.sheets})),
                result.rows_read,
                result.rows_loaded,
                result.rows_rejected,
                loaded_at,
            ],
        )
        summary.parsed.append(source_file)
        committed.append((source_file, digest, loaded_at))
        uncommitted += result.rows_read
        if uncommitted >= COMMIT_ROWS:  # a file's rows and its raw.files row always commit together
            con.execute("commit")
            for done in committed:
                history.loaded(*done)
            committed.clear()
            crash_point("ingest")
            con.execute("begin")
            uncommitted = 0
    _report_skipped(con, skipped, set(known) & set(present), now)
    checked = check_across_files(con, scopes, changed_only=changed_only)
    cross_changes.finish(con, scopes, checked, whole=not changed_only)
    load_log(con, archive)
    con.execute("commit")
    for done in committed:
        history.loaded(*done)
    history.catch_up(con, present)
    return summary
