"""Reading the files colleges send: find each sheet's kind by its header row, type every cell, and
split rows into loaded rows and rejects (with the row number the user sees and a reason in Chinese).

Work is column-wise: a sheet becomes a polars frame of text cells (formats.py: column `c{j}` is the
sheet's column j, null is a blank cell, row i is the sheet's row i + 1), and typing and every rule
are polars expressions over whole columns. Python touches single values only where polars cannot
say the same thing exactly (a float's repr, an ID card written in non-ASCII digits, a deadline in
words).

Workbooks (.xlsx, .xlsm, .xls), CSV (UTF-8 or GBK) and Parquet share the header recognition
(header.py), the rules and the rejects; formats.py says which row number the user sees in each.

Pure functions over files and frames; the Dagster asset that writes DuckDB lives in `defs/ingest`,
and the pipeline parses each file in a worker process (worker.py).
"""

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import polars as pl

from dagster_project.contracts import KINDS, Column, SheetKind
from dagster_project.ingest.deadlines import parse_deadline as parse_deadline
from dagster_project.ingest.deadlines import read_deadlines
from dagster_project.ingest.formats import PY_SPACE as _PY_SPACE
from dagster_project.ingest.formats import TextSheet as TextSheet
from dagster_project.ingest.formats import cell_text as cell_text
from dagster_project.ingest.formats import read_sheets as read_sheets
from dagster_project.ingest.guard import Rejected
from dagster_project.ingest.header import FOOTER_PREFIXES as FOOTER_PREFIXES
from dagster_project.ingest.header import HEADER_SCAN_ROWS, HeaderMatch, find_header
from dagster_project.ingest.header import normalize_header as normalize_header
from dagster_project.ingest.personal import misplaced_id_cards

SUPPORTED_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".csv", ".parquet")
LINEAGE = ("_source_file", "_sheet", "_row_number", "_file_hash", "_loaded_at")

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

_TRUE = {"是", "y", "yes", "true", "1", "√", "✓", "✔", "对"}
_FALSE = {"否", "n", "no", "false", "0", "×", "✗", "✘", "x", "不是"}


def _footer_texts(first_cells: list[str]) -> list[str]:
    """The first-cell texts that make a row a footer (合计, 填表人 …)."""
    return [text for text in first_cells if normalize_header(text).startswith(FOOTER_PREFIXES)]


# --- typing -----------------------------------------------------------------------------------

_EXCEL_EPOCH = dt.date(1899, 12, 30)


# The typing functions below read text after NFKC (full-width digits and punctuation → ASCII).
_NFKC_TYPES = ("int", "float", "date", "month", "bool", "code")


def _non_ascii(text: pl.Expr) -> pl.Expr:
    """The distinct texts of a column that are not plain ASCII, as one list."""
    return text.filter(text.str.len_bytes() != text.str.len_chars()).unique().implode()


def _nfkc_replacements(texts: list[list[str]]) -> list[list[str]]:
    """NFKC of each text, in one polars call for all columns of a sheet."""
    flat = pl.Series([t for column in texts for t in column], dtype=pl.String).str.normalize("NFKC").to_list()
    out, start = [], 0
    for column in texts:
        out.append(flat[start : start + len(column)])
        start += len(column)
    return out


def _number(text: pl.Expr) -> pl.Expr:
    number = text.str.strip_chars().str.replace_all(r"[,\s]", "").cast(pl.Float64, strict=False)
    return pl.when(number.is_finite()).then(number)  # "nan" and "inf" are not numbers anyone typed


def _date(text: pl.Expr) -> pl.Expr:
    text = text.str.strip_chars().str.replace(r"[ T].*$", "")
    dashed = text.str.replace_all(r"[./年月]", "-").str.replace(r"日$", "")
    serial = (
        pl.when(text.str.contains(r"^\d{5}(\.0+)?$"))
        .then(text.cast(pl.Float64, strict=False))
        .otherwise(None)
    )
    return pl.coalesce(
        dashed.str.strptime(pl.Date, "%Y-%m-%d", strict=False),
        pl.when(text.str.contains(r"^\d{8}$")).then(text.str.strptime(pl.Date, "%Y%m%d", strict=False)),
        pl.lit(_EXCEL_EPOCH) + pl.duration(days=serial.cast(pl.Int64)),
    )


def _month(text: pl.Expr) -> pl.Expr:
    text = text.str.strip_chars().str.replace(r"[ T].*$", "")
    dashed = text.str.replace_all(r"[./年]", "-").str.replace(r"月$", "")
    return pl.coalesce(
        (dashed.str.extract(r"^(\d{4}-\d{1,2})", 1) + "-1").str.strptime(pl.Date, "%Y-%m-%d", strict=False),
        pl.when(text.str.contains(r"^\d{6}$")).then(
            (text + "01").str.strptime(pl.Date, "%Y%m%d", strict=False)
        ),
    )


def _bool(text: pl.Expr) -> pl.Expr:
    text = text.str.strip_chars().str.to_lowercase()
    return (
        pl.when(text.is_in(list(_TRUE)))
        .then(pl.lit(True))
        .when(text.is_in(list(_FALSE)))
        .then(pl.lit(False))
        .otherwise(None)
    )


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_EXCEL_ROUNDED = "身份证号被Excel当作数字保存，末几位已丢失，请将该列设为文本后重新填写"
_ID_LENGTH = "身份证号应为18位（最后一位可为X）"
_ID_CHECKSUM = "身份证号校验位不正确"


def id_card_problem(value: str | None) -> str | None:
    """Why a 公民身份证号码 is not valid (GB 11643), or None when it is."""
    if value is None:
        return None
    text = unicodedata.normalize("NFKC", value).strip().upper()
    if re.fullmatch(r"\d(\.\d+)?E\+?\d+", text):
        return _EXCEL_ROUNDED
    if not re.fullmatch(r"\d{17}[\dX]", text):
        return _ID_LENGTH
    total = sum(int(d) * w for d, w in zip(text[:17], _ID_WEIGHTS, strict=True))
    if _ID_CHECK[total % 11] != text[17]:
        # Excel keeps 15 significant digits: a number typed into a numeric cell ends in 000
        return _EXCEL_ROUNDED if text.endswith("000") else _ID_CHECKSUM
    return None


_ID_IN_PYTHON = "?"  # an ID card in non-ASCII digits: id_card_problem decides, in Python


def _id_card_problem_expr(values: pl.Expr) -> pl.Expr:
    """id_card_problem of a whole column for ASCII digits; _ID_IN_PYTHON for any other digits."""
    text = values.str.normalize("NFKC").str.strip_chars(_PY_SPACE).str.to_uppercase()
    total = pl.sum_horizontal(
        text.str.slice(i, 1).cast(pl.Int64, strict=False) * w for i, w in enumerate(_ID_WEIGHTS)
    )
    check = (total % 11).replace_strict(dict(enumerate(_ID_CHECK)), return_dtype=pl.String)
    return (
        pl.when(values.is_null())
        .then(None)
        .when(text.str.contains(r"^\d(\.\d+)?E\+?\d+$"))
        .then(pl.lit(_EXCEL_ROUNDED))
        .when(~text.str.contains(r"^\d{17}[\dX]$"))
        .then(pl.lit(_ID_LENGTH))
        .when(~text.str.contains(r"^[0-9]{17}[0-9X]$"))
        .then(pl.lit(_ID_IN_PYTHON))
        .when(check != text.str.slice(17, 1))
        .then(pl.when(text.str.ends_with("000")).then(pl.lit(_EXCEL_ROUNDED)).otherwise(pl.lit(_ID_CHECKSUM)))
    )


def _deadline_columns(frame: pl.DataFrame) -> list[pl.Series]:
    """__deadline (the date), __ongoing and __deadline_ok (understood) of a task sheet, read once per
    distinct (text, year)."""
    pairs = pl.DataFrame({"text": frame["deadline"], "year": frame["__typed_year"]})
    distinct = pairs.unique(maintain_order=True)
    years = [int(y) if y is not None and 1 <= y <= 9999 else None for y in distinct["year"].to_list()]
    read = read_deadlines(distinct["text"].to_list(), years, _dates_of)
    distinct = distinct.with_columns(
        pl.Series("__deadline", [d.on for d in read], dtype=pl.Date),
        pl.Series("__ongoing", [d.ongoing for d in read], dtype=pl.Boolean),
        pl.Series("__deadline_ok", [d.understood for d in read], dtype=pl.Boolean),
    )
    joined = pairs.join(distinct, on=["text", "year"], how="left", nulls_equal=True, maintain_order="left")
    return [joined["__deadline"], joined["__ongoing"], joined["__deadline_ok"]]


def _dates_of(texts: list[str]) -> list[dt.date | None]:
    return pl.select(_date(pl.lit(pl.Series(texts, dtype=pl.String)))).to_series().to_list()


_PARSERS = {"date": (_date, pl.Date), "month": (_month, pl.Date), "bool": (_bool, pl.Boolean)}


def _typed(column: Column, per_distinct: bool) -> pl.Expr:
    """The column typed. per_distinct: dates, months and yes/no are parsed once per distinct text and
    mapped back — a column of dates holds a few hundred days however many rows it has, and parsing
    one takes several regex passes; the mapping costs about a millisecond, worth it on long sheets."""
    if column.type not in _NFKC_TYPES:
        return pl.col(column.name).str.strip_chars()
    text = pl.col(f"__nfkc_{column.name}")
    if column.type in ("int", "float"):
        return _number(text)
    if column.type not in _PARSERS:  # a code
        return text.str.strip_chars()
    parse, dtype = _PARSERS[column.type]
    if not per_distinct:
        return parse(text)
    distinct = text.drop_nulls().unique(maintain_order=True)  # the same order in both uses
    return text.replace_strict(distinct, parse(distinct), default=None, return_dtype=dtype)


def output_dtype(column: Column) -> pl.DataType:
    return {
        "int": pl.Int64,
        "float": pl.Float64,
        "date": pl.Date,
        "month": pl.Date,
        "bool": pl.Boolean,
    }.get(column.type, pl.String)


def _range_text(column: Column) -> str:
    lo = (
        ""
        if column.min_value is None
        else f"{'大于' if column.min_exclusive else '不小于'}{column.min_value:g}"
    )
    hi = "" if column.max_value is None else f"不大于{column.max_value:g}"
    return "、".join(x for x in (lo, hi) if x)


_LARGEST_INT = 2.0**53


def column_problems(
    column: Column, raw: pl.Expr, typed: pl.Expr, given: pl.Expr | None = None
) -> list[tuple[pl.Expr, pl.Expr]]:
    """(condition, reason) pairs for one column; a row with any true condition is rejected."""
    header = column.header
    blank = raw.is_null()
    problems: list[tuple[pl.Expr, pl.Expr]] = []
    if column.required:
        problems.append(((given if given is not None else raw).is_null(), pl.lit(f"缺少必填项「{header}」")))
    if column.type in ("int", "float"):
        problems.append((~blank & typed.is_null(), pl.lit(f"「{header}」应为数字")))
        if column.type == "int":
            problems.append(
                (typed.is_not_null() & (typed != typed.round(0)), pl.lit(f"「{header}」应为整数"))
            )
            if column.max_value is None:  # past 2**53 a float no longer holds the integer typed
                problems.append((typed.abs() > _LARGEST_INT, pl.lit(f"「{header}」数值过大")))
        out = pl.lit(False)
        if column.min_value is not None:
            out = out | (typed <= column.min_value if column.min_exclusive else typed < column.min_value)
        if column.max_value is not None:
            out = out | (typed > column.max_value)
        if column.min_value is not None or column.max_value is not None:
            problems.append(
                (typed.is_not_null() & out, pl.lit(f"「{header}」超出范围（应{_range_text(column)}）"))
            )
    elif column.type == "date":
        problems.append((~blank & typed.is_null(), pl.lit(f"「{header}」不是有效日期")))
    elif column.type == "month":
        problems.append((~blank & typed.is_null(), pl.lit(f"「{header}」不是有效月份（应为YYYY-MM）")))
    elif column.type == "bool":
        problems.append((~blank & typed.is_null(), pl.lit(f"「{header}」应填是或否")))
    if column.allowed is not None:
        allowed = "/".join(column.allowed)
        problems.append(
            (
                ~blank & ~typed.is_in(list(column.allowed)),
                pl.lit(f"「{header}」的值不在允许范围内（{allowed}）"),
            )
        )
    return problems


@dataclass(frozen=True)
class _Check:
    """A row is rejected where `condition` is true; `problem` is the reject: struct(col, raw, reason)."""

    condition: pl.Expr
    problem: pl.Expr


def _check(condition: pl.Expr, header: str, raw: pl.Expr, reason: pl.Expr | str) -> _Check:
    reason_expr = pl.lit(reason) if isinstance(reason, str) else reason
    return _Check(condition, pl.struct(col=pl.lit(header), raw=raw, reason=reason_expr))


def _typed_col(name: str) -> pl.Expr:
    return pl.col(f"__typed_{name}")


def _row_rule_checks(kind: SheetKind, today: dt.date) -> list[_Check]:
    """Rules beyond one cell's type: impossible dates, and rules over several columns of a row."""
    t = {c.name: _typed_col(c.name) for c in kind.columns}
    rules: list[_Check] = []
    this_month = today.replace(day=1)
    for c in kind.columns:
        if c.type == "date":
            rules.append(
                _check(
                    t[c.name] > today,
                    c.header,
                    pl.col(c.name),
                    f"「{c.header}」晚于今天（{today.isoformat()}），日期不可能",
                )
            )
        elif c.type == "month":
            rules.append(
                _check(
                    t[c.name] > this_month,
                    c.header,
                    pl.col(c.name),
                    f"「{c.header}」晚于本月（{this_month:%Y-%m}），月份不可能",
                )
            )
    if kind.kind == "members":
        rules.append(
            _check(
                t["joined_on"] < t["born_on"].dt.offset_by("18y"),
                "入党日期",
                pl.col("joined_on"),
                "入党日期早于出生日期满18周岁之日",
            )
        )
        rules.append(
            _check(
                t["confirmed_on"] < t["joined_on"], "转正日期", pl.col("confirmed_on"), "转正日期早于入党日期"
            )
        )
        problem = pl.col("__id_card_problem")
        rules.append(_check(problem.is_not_null(), "公民身份证号码", pl.col("id_card"), problem))
    rules += [_check(cond, header, raw, reason) for header, raw, cond, reason in misplaced_id_cards(kind)]
    if kind.kind == "activities":
        rules.append(
            _check(t["attended"] > t["expected"], "实到人数", pl.col("attended"), "实到人数大于应到人数")
        )
    if kind.kind == "tasks":
        rules.append(
            _check(
                pl.col("deadline").is_not_null() & ~pl.col("__deadline_ok"),
                "完成时限",
                pl.col("deadline"),
                "完成时限无法识别",
            )
        )
    return rules


@dataclass(frozen=True)
class _Plan:
    """Everything about parsing a sheet kind that does not depend on the sheet: built once per kind."""

    text_columns: list[str]
    typed: list[pl.Expr]
    typed_per_distinct: list[pl.Expr]  # the same, for long sheets (see _typed)
    checks: list[_Check]
    rejected: pl.Expr  # any check true
    loaded: list[pl.Expr]  # the loaded row, without the lineage columns


@lru_cache(maxsize=64)
def _plan(kind_name: str, today: dt.date) -> _Plan:
    kind = KINDS[kind_name]
    checks: list[_Check] = []
    for c in kind.columns:
        given = pl.col(c.name)
        if c.name_headers:  # a name in place of the code satisfies "required"; it is checked later
            given = pl.coalesce(given, pl.col(c.name_column))
        for condition, reason in column_problems(c, pl.col(c.name), _typed_col(c.name), given):
            checks.append(_Check(condition, pl.struct(col=pl.lit(c.header), raw=given, reason=reason)))
    checks += _row_rule_checks(kind, today)

    def loaded_column(c: Column) -> pl.Expr:
        if kind.kind == "tasks" and c.name == "deadline":
            return pl.col("__deadline").alias("deadline")
        typed = _typed_col(c.name).cast(output_dtype(c))
        if kind.kind == "members" and c.name == "id_card":
            typed = typed.str.normalize("NFKC").str.to_uppercase()
        if kind.kind == "members" and c.name == "party_role":
            typed = typed.fill_null("普通党员")
        return typed.alias(c.name)

    loaded = [loaded_column(c) for c in kind.columns]
    loaded += [pl.col(c.name_column).str.strip_chars() for c in kind.named]
    if kind.kind == "tasks":
        loaded.append(pl.col("deadline").str.strip_chars().alias("deadline_text"))
        loaded.append(pl.col("__ongoing").fill_null(False).alias("ongoing"))
    return _Plan(
        text_columns=[c.name for c in kind.columns] + [c.name_column for c in kind.named],
        typed=[_typed(c, per_distinct=False).alias(f"__typed_{c.name}") for c in kind.columns],
        typed_per_distinct=[_typed(c, per_distinct=True).alias(f"__typed_{c.name}") for c in kind.columns],
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
# From this many rows dates are parsed per distinct text (see _typed).
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
    plan = _plan(kind.kind, today)
    text = {n: pl.col(f"c{match.columns[n]}") for n in plan.text_columns if n in match.columns}
    first_cell = pl.coalesce(cells.columns)
    # NFKC and the footer test run in Python-exact form on the few distinct non-ASCII texts only
    nfkc_names = [c.name for c in kind.columns if c.type in _NFKC_TYPES and c.name in text]
    first_cells, *non_ascii = cells.select(
        _non_ascii(first_cell).alias("first"), *[_non_ascii(text[n]).alias(n) for n in nfkc_names]
    ).row(0)
    replacements = _nfkc_replacements(non_ascii)
    normalized = [
        (text[n].replace(old, new) if old else text[n]).alias(f"__nfkc_{n}")
        for n, old, new in zip(nfkc_names, non_ascii, replacements, strict=True)
    ]
    normalized += [
        pl.lit(None, pl.String).alias(f"__nfkc_{c.name}")
        for c in kind.columns
        if c.type in _NFKC_TYPES and c.name not in text
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
    )
    if kind.kind == "members":
        frame = frame.with_columns(_id_card_problem_expr(pl.col("id_card")).alias("__id_card_problem"))
    if kind.kind == "tasks":
        typed = frame.collect()
        frame = typed.lazy().with_columns(_deadline_columns(typed))
    frame = frame.with_columns(plan.rejected.alias("__rejected")).collect()
    if kind.kind == "members":
        frame = _id_cards_in_python(frame, plan)

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


def _id_cards_in_python(frame: pl.DataFrame, plan: _Plan) -> pl.DataFrame:
    rows = (frame["__id_card_problem"] == _ID_IN_PYTHON).arg_true()
    if not rows.len():
        return frame
    problems = frame["__id_card_problem"].scatter(
        rows, [id_card_problem(v) for v in frame["id_card"].gather(rows).to_list()]
    )
    return frame.with_columns(problems).with_columns(plan.rejected.alias("__rejected"))


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


def parse_file(path: Path, source_file: str, today: dt.date | None = None) -> FileResult:
    """Parse one inbox file (`path` may be its archived copy; `source_file` is its name in the inbox);
    never raises for bad content — problems become rejects. MemoryError is raised: the caller's
    process is then in no state to go on (see worker.py)."""
    today = today or dt.date.today()
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        return whole_file_result(source_file, "不支持的文件类型（请提交 xlsx、xls、csv 或 parquet 文件）")
    if path.stat().st_size == 0:
        return whole_file_result(source_file, "文件为空（0 字节）")
    try:
        sheets = read_sheets(path, Path(source_file).stem)
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


def empty_table(kind: str) -> pl.DataFrame:
    """The typed shape of raw.<kind> (without lineage), for creating tables before any file arrives."""
    sheet_kind = KINDS[kind]
    schema = {c.name: output_dtype(c) for c in sheet_kind.columns}
    schema |= {c.name_column: pl.String for c in sheet_kind.named}
    if kind == "tasks":
        schema["deadline"] = pl.Date
        schema["deadline_text"] = pl.String
        schema["ongoing"] = pl.Boolean
    schema["_named_columns"] = pl.String
    return pl.DataFrame(schema=schema)
