"""What a run would do with some files, without loading them: the one preview behind `dangjian check`,
the 数据报送 page and `dangjian submit`.

It goes the run's own way: the upload guards (guards.py), the parse in a bounded worker process
(ingest/worker.py, the reader and every rule of the contract), a college login's scope
(ingest/scope.py), and the checks across files (ingest/crosscheck.py) in a scratch DuckDB whose
schema raw holds only these files' rows. The codes they must name — 组织架构 and 党员花名册 — are the
published snapshot's (read-only, so a preview works while a run writes the warehouse) together with
the codes the previewed files carry themselves, as in a run where they sit in the inbox beside the rest.
"""

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from dagster_project.contracts import KINDS, SheetKind
from dagster_project.ingest.crosscheck import check_across_files
from dagster_project.ingest.reader import FileResult
from dagster_project.ingest.scope import refuse_org_only
from dagster_project.ingest.store import _insert, ensure_raw_schema
from dagster_project.ingest.worker import ParseLimits, parse_files
from dagster_project.submit.guards import (
    display_name,
    upload_parse_seconds,
    upload_refusal,
    with_their_suffix,
)

EXIT_OK = 0
EXIT_REJECTS = 3
EXIT_REFUSED = 2


@dataclass
class FilePreview:
    file: str  # the name the user gave it (last component only)
    kinds: list[str] = field(default_factory=list)  # sheet kinds by title, as found
    kind_ids: list[str] = field(default_factory=list)
    periods: list[str] = field(default_factory=list)  # years, or months of dated rows
    rows_read: int = 0
    rows_ok: int = 0
    rows_rejected: int = 0
    refused: str | None = None
    rejects: list[dict] = field(default_factory=list)  # sheet, row, column, value, reason

    def as_json(self) -> dict:
        return {
            "file": self.file,
            "kinds": self.kinds,
            "periods": self.periods,
            "rows_read": self.rows_read,
            "rows_ok": self.rows_ok,
            "rows_rejected": self.rows_rejected,
            "refused": self.refused,
            "rejects": self.rejects,
        }


def exit_code(previews: list[FilePreview]) -> int:
    if any(p.refused for p in previews):
        return EXIT_REFUSED
    return EXIT_REJECTS if any(p.rejects for p in previews) else EXIT_OK


def _periods(kind: SheetKind, loaded: pl.DataFrame) -> set[str]:
    """The years (a kind dated by year) or months (dated rows) a sheet's loaded rows cover."""
    column = kind.references[0].year_from if kind.references else kind.key[0]
    if column not in loaded.columns or not loaded.height:
        return set()
    values = loaded[column].drop_nulls()
    if values.dtype == pl.Date:
        return {f"{d.year}-{d.month:02d}" for d in values.unique().to_list()}
    return {str(v) for v in values.unique().to_list()}


_CODES = """
    create schema codes;
    create table codes.published_orgs as
        select year, org_code, org_name, org_type, parent_code from {orgs};
    create table codes.published_members as select year, member_key, branch_code from {members};
    create view codes.orgs as
        select year, org_code, org_name, org_type, parent_code, _source_file, _sheet, _row_number
        from raw.orgs
        union all
        select p.*, null, null, null from codes.published_orgs as p
        where not exists (select 1 from raw.orgs as o where o.year = p.year and o.org_code = p.org_code);
    create view codes.members as
        select year, member_key, branch_code from raw.members
        union all
        select p.* from codes.published_members as p
        where not exists (
            select 1 from raw.members as m where m.year = p.year and m.member_key = p.member_key
        );
"""


def _published_codes(con: duckdb.DuckDBPyConnection, serving: Path) -> None:
    if serving.is_file():
        con.execute(f"attach '{serving.as_posix().replace(chr(39), chr(39) * 2)}' as snap (read_only)")
        orgs, members = "snap.marts.dim_org", "snap.marts.dim_member"
    else:  # nothing published yet: only the previewed files' own codes
        orgs = (
            "(select 0 as year, '' as org_code, '' as org_name, '' as org_type, '' as parent_code "
            "where false)"
        )
        members = "(select 0 as year, '' as member_key, '' as branch_code where false)"
    con.execute(_CODES.format(orgs=orgs, members=members))
    if serving.is_file():
        con.execute("detach snap")


def _cross_rejects(results: list[FileResult], scopes: dict[str, str], serving: Path) -> pl.DataFrame:
    """The run's checks across files (names → codes, references, scope, duplicates, task owners) over
    these files' rows, in a scratch database."""
    now = dt.datetime.now().replace(microsecond=0)
    with duckdb.connect(":memory:") as con:
        ensure_raw_schema(con)
        for result in results:
            for sheet in result.sheets:
                _insert(con, f"raw.{sheet.kind}", sheet.loaded, _file_hash="", _loaded_at=now)
        _published_codes(con, serving)
        check_across_files(con, scopes, codes="codes")
        return con.sql(
            "select source_file, sheet, row_number, column_name, raw_value, reason "
            "from raw.rejects where check_stage = 'cross'"
        ).pl()


def _reject_dicts(frame: pl.DataFrame) -> list[dict]:
    columns = ("sheet", "row_number", "column_name", "raw_value", "reason")
    rows = frame.select(columns).unique(maintain_order=True)
    rows = rows.sort("sheet", "row_number", "column_name", "reason", nulls_last=False)
    return [
        {"sheet": s, "row": r, "column": c, "value": v, "reason": why} for s, r, c, v, why in rows.iter_rows()
    ]


def preview_files(
    files: list[tuple[Path, str]], college: str | None, serving: Path, today: dt.date | None = None
) -> list[FilePreview]:
    """files: (where the bytes are, the name the user gave it); college: the college a college login
    submits for (None: the 组织部, any college or the university's own sheets)."""
    with with_their_suffix(files) as named:
        return _preview(named, college, serving, today or dt.date.today())


def _preview(
    files: list[tuple[Path, str]], college: str | None, serving: Path, today: dt.date
) -> list[FilePreview]:
    previews = [FilePreview(display_name(name)) for _, name in files]
    # names must be unique within one preview: the rows of two files are told apart by name
    seen: dict[str, int] = {}
    for preview in previews:
        seen[preview.file] = seen.get(preview.file, 0) + 1
        if seen[preview.file] > 1:
            stem, suffix = Path(preview.file).stem, Path(preview.file).suffix
            preview.file = f"{stem}（{seen[preview.file]}）{suffix}"
    to_parse = []
    for preview, (path, name) in zip(previews, files, strict=True):
        preview.refused = upload_refusal(path, name)
        if preview.refused is None:
            to_parse.append((path, preview.file, today))
    limits = ParseLimits.from_env()
    limits = ParseLimits(limits.memory_bytes, upload_parse_seconds())
    results = [outcome.result for outcome in parse_files(to_parse, limits=limits)]
    if college is not None:
        results = [refuse_org_only(r) for r in results]
    by_name = {r.source_file: r for r in results}
    scopes = {r.source_file: college for r in results} if college is not None else {}
    cross = _cross_rejects([r for r in results if r.sheets], scopes, serving)
    for preview in previews:
        result = by_name.get(preview.file)
        if result is None:
            continue
        if not result.sheets:
            preview.refused = "；".join(r for r in result.file_rejects["reason"].to_list() if r)
            continue
        preview.kind_ids = sorted({s.kind for s in result.sheets}, key=list(KINDS).index)
        preview.kinds = [KINDS[k].title for k in preview.kind_ids]
        preview.periods = sorted(set().union(*(_periods(KINDS[s.kind], s.loaded) for s in result.sheets)))
        own = cross.filter(pl.col("source_file") == preview.file)
        rejects = pl.concat([result.rejects.select(own.columns), own], how="vertical_relaxed")
        preview.rejects = _reject_dicts(rejects)
        preview.rows_read = result.rows_read
        preview.rows_rejected = len({(r["sheet"], r["row"]) for r in preview.rejects if r["row"] is not None})
        preview.rows_ok = preview.rows_read - preview.rows_rejected
    return previews
