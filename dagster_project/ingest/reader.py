"""Reading the files colleges send: find each sheet's kind by its header row, type every cell, and
split rows into loaded rows and rejects (with the row number the user sees and a reason in Chinese).

Work is column-wise: a sheet becomes a polars frame of text cells (formats.py: column `c{j}` is the
sheet's column j, null is a blank cell, row i is the sheet's row i + 1), typing (typed.py) and every
rule (rules.py) are polars expressions over whole columns. Python touches single values only where
polars cannot say the same thing exactly (a float's repr, an ID card written in non-ASCII digits, a
deadline in words).

What a sheet kind holds, its rules and the columns it adds all come from the contract
(dagster_project/contracts); nothing here names a sheet kind.

Workbooks (.xlsx, .xlsm, .xls), CSV (UTF-8 or GBK) and Parquet share the header recognition
(header.py), the rules and the rejects; formats.py says which row number the user sees in each.

Pure functions over files and frames; the Dagster asset that writes DuckDB lives in `defs/ingest`,
and the pipeline parses each file in a worker process (worker.py).
"""

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import polars as pl

from dagster_project.contracts import Column, Derived, SheetKind
from dagster_project.ingest.deadlines import deadline_columns, deadline_names
from dagster_project.ingest.formats import TextSheet, read_sheets
from dagster_project.ingest.guard import Rejected
from dagster_project.ingest.header import (
    FOOTER_PREFIXES,
    HEADER_SCAN_ROWS,
    HeaderMatch,
    find_header,
    normalize_header,
)
from dagster_project.ingest.idcards import id_card_problems, id_cards_in_python
from dagster_project.ingest.rules import Check, cell_checks, id_card_problem_col, row_checks
from dagster_project.ingest.typed import (
    DERIVED_DTYPES,
    NFKC_TYPES,
    nfkc_replacements,
    non_ascii,
    output_dtype,
    typed,
    typed_col,
)

SUPPORTED_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".csv", ".parquet")

REJECT_SCHEMA = {
    "source_file": pl.String,
    "sheet": pl.String,
    "row_number": pl.Int64,
    "column_name": pl.String,
    "raw_value": pl.String,
    "reason": pl.String,
    "kind": pl.String,
    "row_values": pl.String,
    "check_stage": pl.String,  # parse: this file alone; cross: against the other files
}


def _footer_texts(first_cells: list[str]) -> list[str]:
    """The first-cell texts that make a row a footer (合计, 填表人 …)."""
    return [text for text in first_cells if normalize_header(text).startswith(FOOTER_PREFIXES)]


def _loaded_column(c: Column) -> pl.Expr:
    """A column as loaded into raw: typed; a deadline as the date it names; an ID card normalised
    (NFKC, upper-case X); a blank replaced by the column's default."""
    if c.type == "deadline":
        return pl.col(deadline_names(c.name)[0]).alias(c.name)
    loaded = typed_col(c.name).cast(output_dtype(c))
    if c.type == "idcard":
        loaded = loaded.str.normalize("NFKC").str.to_uppercase()
    if c.default is not None:
        loaded = loaded.fill_null(c.default)
    return loaded.alias(c.name)


def _derived_column(d: Derived) -> pl.Expr:
    if d.value == "text":
        return pl.col(d.source).str.strip_chars().alias(d.name)
    if d.value == "ongoing":
        return pl.col(deadline_names(d.source)[1]).fill_null(False).alias(d.name)
    raise ValueError(f"derived column {d.name}: unknown value {d.value}")


@dataclass(frozen=True)
class _Plan:
    """Everything about parsing a sheet kind that does not depend on the sheet: built once per kind."""

    text_columns: list[str]
    typed: list[pl.Expr]
    typed_per_distinct: list[pl.Expr]  # the same, for long sheets (see typed.typed)
    id_cards: list[Column]
    deadlines: list[Column]
    checks: list[Check]
    rejected: pl.Expr  # any check true
    loaded: list[pl.Expr]  # the loaded row, without the lineage columns


@lru_cache(maxsize=64)
def _plan(kind: SheetKind, today: dt.date) -> _Plan:
    checks = cell_checks(kind) + row_checks(kind, today)
    loaded = [_loaded_column(c) for c in kind.columns]
    loaded += [pl.col(c.name_column).str.strip_chars() for c in kind.named]
    loaded += [_derived_column(d) for d in kind.derived]
    return _Plan(
        text_columns=[c.name for c in kind.columns] + [c.name_column for c in kind.named],
        typed=[typed(c, per_distinct=False).alias(f"__typed_{c.name}") for c in kind.columns],
        typed_per_distinct=[typed(c, per_distinct=True).alias(f"__typed_{c.name}") for c in kind.columns],
        id_cards=[c for c in kind.columns if c.type == "idcard"],
        deadlines=[c for c in kind.columns if c.type == "deadline"],
        checks=checks,
        rejected=pl.any_horizontal([c.condition.fill_null(False) for c in checks]),
        loaded=loaded,
    )


@dataclass
class SheetResult:
    kind: str
    sheet: str
    loaded: pl.DataFrame
    rejects: pl.DataFrame
    rows_read: int


# Rows typed and checked at a time: the typed and check columns of a slice exist only while it is
# parsed, so a sheet of tens of millions of rows needs memory for its text and its loaded rows only.
SLICE_ROWS = 1_000_000
# From this many rows dates are parsed per distinct text (see typed.typed).
PER_DISTINCT_ROWS = 10_000


def parse_sheet(sheet: TextSheet, match: HeaderMatch, source_file: str, today: dt.date) -> SheetResult:
    """Rows below the header (blank and footer rows left out), typed, checked, split into loaded rows
    and rejects."""
    body = sheet.cells.slice(match.row_index + 1)
    parts = [
        _parse_rows(
            body.slice(start, SLICE_ROWS), match.row_index + 2 + start, match, source_file, sheet.name, today
        )
        for start in range(0, max(body.height, 1), SLICE_ROWS)
    ]
    if len(parts) == 1:
        return SheetResult(match.kind.kind, sheet.name, *parts[0])
    loaded, rejects, rows_read = zip(*parts, strict=True)
    return SheetResult(match.kind.kind, sheet.name, pl.concat(loaded), pl.concat(rejects), sum(rows_read))


def _parse_rows(
    cells: pl.DataFrame, first_row: int, match: HeaderMatch, source_file: str, sheet: str, today: dt.date
) -> tuple[pl.DataFrame, pl.DataFrame, int]:
    """(loaded rows, rejects, rows read) of sheet rows `cells`, the first of them being row `first_row`."""
    kind = match.kind
    plan = _plan(kind, today)
    text = {n: pl.col(f"c{match.columns[n]}") for n in plan.text_columns if n in match.columns}
    first_cell = pl.coalesce(cells.columns)
    # NFKC and the footer test run in Python-exact form on the few distinct non-ASCII texts only
    nfkc_names = [c.name for c in kind.columns if c.type in NFKC_TYPES and c.name in text]
    first_cells, *distinct = cells.select(
        non_ascii(first_cell).alias("first"), *[non_ascii(text[n]).alias(n) for n in nfkc_names]
    ).row(0)
    replacements = nfkc_replacements(distinct)
    normalized = [
        (text[n].replace(old, new) if old else text[n]).alias(f"__nfkc_{n}")
        for n, old, new in zip(nfkc_names, distinct, replacements, strict=True)
    ]
    normalized += [
        pl.lit(None, pl.String).alias(f"__nfkc_{c.name}")
        for c in kind.columns
        if c.type in NFKC_TYPES and c.name not in text
    ]
    frame = (
        cells.lazy()
        .with_row_index("_row_number", offset=first_row)
        .filter(first_cell.is_not_null() & ~first_cell.is_in(_footer_texts(first_cells)))
        .select(
            pl.col("_row_number").cast(pl.Int64),
            *[text[n].alias(n) if n in text else pl.lit(None, pl.String).alias(n) for n in plan.text_columns],
            *normalized,
        )
        .with_columns(plan.typed_per_distinct if cells.height >= PER_DISTINCT_ROWS else plan.typed)
        .with_columns(id_card_problems(pl.col(c.name)).alias(f"__problem_{c.name}") for c in plan.id_cards)
    )
    if plan.deadlines:  # read in Python, once per distinct text and year
        typed_frame = frame.collect()
        frame = typed_frame.lazy().with_columns(
            series
            for c in plan.deadlines
            for series in deadline_columns(typed_frame, c.name, f"__typed_{c.year_from}")
        )
    frame = frame.with_columns(plan.rejected.alias("__rejected")).collect()
    for c in plan.id_cards:  # ID cards in non-ASCII digits, decided in Python
        decided = id_cards_in_python(frame, c.name, id_card_problem_col(c).meta.output_name())
        if decided is not None:
            frame = decided.with_columns(plan.rejected.alias("__rejected"))

    flagged = frame.filter(pl.col("__rejected"))
    rejects = (
        _rejects(kind, plan, flagged, source_file, sheet)
        if flagged.height
        else pl.DataFrame(schema=REJECT_SCHEMA)
    )
    named = ",".join(c.name for c in kind.named if c.name_column in match.columns)
    loaded = frame.filter(~pl.col("__rejected")).select(
        *plan.loaded,
        pl.lit(named).alias("_named_columns"),
        pl.lit(source_file).alias("_source_file"),
        pl.lit(sheet).alias("_sheet"),
        pl.col("_row_number"),
    )
    return loaded, rejects, frame.height


def _rejects(
    kind: SheetKind, plan: _Plan, flagged: pl.DataFrame, source_file: str, sheet: str
) -> pl.DataFrame:
    """One reject per broken check of each flagged row, ordered by row and column."""
    problems = [pl.when(c.condition).then(c.problem).alias(f"__p{i}") for i, c in enumerate(plan.checks)]
    names = [f"__p{i}" for i in range(len(plan.checks))]
    return (
        flagged.select("_row_number", _row_values(kind).alias("row_values"), *problems)
        .unpivot(index=["_row_number", "row_values"], on=names)
        .drop_nulls("value")
        .unnest("value")
        .select(
            pl.lit(source_file).alias("source_file"),
            pl.lit(sheet).alias("sheet"),
            pl.col("_row_number").alias("row_number"),
            pl.col("col").alias("column_name"),
            pl.col("raw").alias("raw_value"),
            pl.col("reason"),
            pl.lit(kind.kind).alias("kind"),
            pl.col("row_values"),
            pl.lit("parse").alias("check_stage"),
        )
        .sort("row_number", "column_name")
    )


def _row_values(kind: SheetKind) -> pl.Expr:
    """The whole row as the user typed it, {header: value}, so a reject list can show it;
    ID-card numbers masked."""
    fields = []
    for c in kind.columns:
        value = pl.col(c.name)
        if c.type == "idcard":
            value = value.str.slice(0, 4) + "**********" + value.str.slice(-4)
        fields.append(value.alias(c.header))
        if c.name_headers:
            fields.append(pl.col(c.name_column).alias(c.name_headers[0]))
    return pl.struct(fields).struct.json_encode()


# --- whole files --------------------------------------------------------------------------------


@dataclass
class FileResult:
    source_file: str
    sheets: list[SheetResult]
    file_rejects: pl.DataFrame  # problems with the file or a sheet as a whole

    @property
    def rows_read(self) -> int:
        return sum(s.rows_read for s in self.sheets)

    @property
    def rows_loaded(self) -> int:
        return sum(s.loaded.height for s in self.sheets)

    @property
    def rejects(self) -> pl.DataFrame:
        frames = [s.rejects for s in self.sheets] + [self.file_rejects]
        return pl.concat(frames, how="vertical") if frames else pl.DataFrame(schema=REJECT_SCHEMA)

    @property
    def rows_rejected(self) -> int:
        return sum(s.rejects["row_number"].n_unique() for s in self.sheets if s.rejects.height)


def _file_reject(source_file: str, reason: str) -> pl.DataFrame:
    row = dict.fromkeys(REJECT_SCHEMA) | {
        "source_file": source_file,
        "reason": reason,
        "check_stage": "parse",
    }
    return pl.DataFrame([row], schema=REJECT_SCHEMA)


_OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")


def _unreadable_reason(path: Path, exc: Exception) -> str:
    with path.open("rb") as fh:
        head = fh.read(8)
    if path.suffix.lower() in (".xlsx", ".xlsm") and head == _OLE_MAGIC:
        # Excel/WPS wrap a password-protected workbook in an OLE container
        return "文件设置了打开密码（已加密），请取消密码后重新提交"
    if "password" in str(exc).lower() or "encrypt" in str(exc).lower():
        return "文件设置了打开密码（已加密），请取消密码后重新提交"
    if path.suffix.lower() == ".parquet":
        return f"文件无法读取（可能已损坏或不是真正的 Parquet 文件）：{exc}"
    if path.suffix.lower() == ".csv":
        return f"文件无法读取（可能已损坏或不是按行保存的 CSV 文本）：{exc}"
    return f"文件无法读取（可能已损坏或不是真正的 Excel 文件）：{exc}"


def whole_file_result(source_file: str, reason: str) -> FileResult:
    """A file none of which is read: one reject with no sheet and no row."""
    return FileResult(source_file, [], _file_reject(source_file, reason))


def parse_file(
    path: Path, source_file: str, today: dt.date | None = None, sheet_name: str | None = None
) -> FileResult:
    """Parse one inbox file (`path` may be its archived copy; `source_file` is its name in the inbox);
    never raises for bad content — problems become rejects. MemoryError is raised: the caller's
    process is then in no state to go on (see worker.py). `sheet_name`: what a CSV or Parquet file's
    one sheet is called (default: `source_file` without its extension; a submitted file's is the
    submitter's own file name, so that its rejects read as in the preview)."""
    today = today or dt.date.today()
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        return whole_file_result(source_file, "不支持的文件类型（请提交 xlsx、xls、csv 或 parquet 文件）")
    if path.stat().st_size == 0:
        return whole_file_result(source_file, "文件为空（0 字节）")
    try:
        sheets = read_sheets(path, sheet_name or Path(source_file).stem)
    except MemoryError:
        raise
    except Rejected as exc:  # past a limit of guard.py
        return whole_file_result(source_file, str(exc))
    except Exception as exc:  # corrupt, encrypted, truncated: one reject names the file
        return whole_file_result(source_file, _unreadable_reason(path, exc))
    results = []
    for sheet in sheets:
        head = [list(row) for row in sheet.cells.head(HEADER_SCAN_ROWS).iter_rows()]
        if (match := find_header(head)) is not None:
            results.append(parse_sheet(sheet, match, source_file, today))
    if not results:
        return whole_file_result(
            source_file,
            "未找到可识别的表头：没有一个工作表的列名与模板一致（可用 dangjian templates 获取模板）",
        )
    return FileResult(source_file, results, pl.DataFrame(schema=REJECT_SCHEMA))


def empty_table(kind: SheetKind) -> pl.DataFrame:
    """The typed shape of raw.<kind> (without lineage), for creating tables before any file arrives."""
    schema = {c.name: output_dtype(c) for c in kind.columns}
    schema |= {c.name_column: pl.String for c in kind.named}
    schema |= {d.name: DERIVED_DTYPES[d.type] for d in kind.derived}
    schema["_named_columns"] = pl.String
    return pl.DataFrame(schema=schema)
