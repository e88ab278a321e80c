"""Reading the spreadsheets colleges send: find each sheet's kind by its header row, type every cell,
and split rows into loaded rows and rejects (with the Excel row number and a reason in Chinese).

Pure functions over files and frames; the Dagster asset that writes DuckDB lives in `defs/ingest`.
"""

import csv
import datetime as dt
import io
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from python_calamine import CalamineWorkbook

from dagster_project.contracts import KINDS, SHEET_KINDS, Column, SheetKind

HEADER_SCAN_ROWS = 30
FOOTER_PREFIXES = ("合计", "总计", "小计", "填表人", "审核人", "制表人", "填报人", "负责人签字")
SUPPORTED_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".csv")
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


def normalize_header(value: object) -> str:
    """Headers match after NFKC (full-width → half-width), dropping whitespace and required-markers."""
    text = unicodedata.normalize("NFKC", str(value or ""))
    return re.sub(r"[\s*＊]", "", text)


def cell_text(value: object) -> str | None:
    """One canonical text per cell, whatever type the spreadsheet library handed us."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.timedelta):
        return str(value)
    text = str(value).strip()
    return text or None


@dataclass
class RawSheet:
    name: str
    rows: list[list[str | None]]


def read_cells(path: Path) -> list[RawSheet]:
    """Every sheet of a workbook as text cells, row 0 being Excel row 1 (leading blanks kept)."""
    if path.suffix.lower() == ".csv":
        return [RawSheet(path.stem, _read_csv_rows(path))]
    workbook = CalamineWorkbook.from_path(str(path))
    sheets = []
    for name in workbook.sheet_names:
        rows = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
        sheets.append(RawSheet(name, [[cell_text(v) for v in row] for row in rows]))
    return sheets


def _read_csv_rows(path: Path) -> list[list[str | None]]:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ValueError("无法识别的文本编码（请另存为 UTF-8 或 GBK 编码的 CSV）")
    return [[cell_text(v) for v in row] for row in csv.reader(io.StringIO(text))]


@dataclass
class HeaderMatch:
    kind: SheetKind
    row_index: int  # 0-based; Excel row = row_index + 1
    columns: dict[str, int]  # canonical column name -> position in the row


def match_header(row: list[str | None]) -> HeaderMatch | None:
    """The sheet kind whose required headers all appear in this row (most matched headers wins)."""
    normalized = [normalize_header(v) for v in row]
    best: HeaderMatch | None = None
    best_score = 0
    for kind in SHEET_KINDS:
        found: dict[str, int] = {}
        for column in kind.columns:
            for key, headers in ((column.name, column.headers), (column.name_column, column.name_headers)):
                wanted = {normalize_header(h) for h in headers}
                position = next(
                    (i for i, text in enumerate(normalized) if text in wanted and i not in found.values()),
                    None,
                )
                if position is not None:
                    found[key] = position
                    break
        if all(c.name in found or c.name_column in found for c in kind.required) and len(found) > best_score:
            best, best_score = HeaderMatch(kind, -1, found), len(found)
    return best


def find_header(rows: list[list[str | None]]) -> HeaderMatch | None:
    for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        if sum(1 for v in row if v) < 2:
            continue
        match = match_header(row)
        if match is not None:
            match.row_index = i
            return match
    return None


def is_footer(row: list[str | None]) -> bool:
    first = next((v for v in row if v), None)
    return first is not None and normalize_header(first).startswith(FOOTER_PREFIXES)


# --- typing -----------------------------------------------------------------------------------

_EXCEL_EPOCH = dt.date(1899, 12, 30)
_TODAY_FUTURE_SLACK = dt.timedelta(days=0)


def _nfkc(expr: pl.Expr) -> pl.Expr:
    return expr.str.normalize("NFKC").str.strip_chars()


def _number(expr: pl.Expr) -> pl.Expr:
    number = _nfkc(expr).str.replace_all(r"[,\s]", "").cast(pl.Float64, strict=False)
    # "NaN", "inf" and 1e999 parse as floats but are no number a college means
    return pl.when(number.is_finite()).then(number)


def _date(expr: pl.Expr) -> pl.Expr:
    text = _nfkc(expr).str.replace(r"[ T].*$", "")
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


def _month(expr: pl.Expr) -> pl.Expr:
    text = _nfkc(expr).str.replace(r"[ T].*$", "")
    dashed = text.str.replace_all(r"[./年]", "-").str.replace(r"月$", "")
    return pl.coalesce(
        (dashed.str.extract(r"^(\d{4}-\d{1,2})", 1) + "-1").str.strptime(pl.Date, "%Y-%m-%d", strict=False),
        pl.when(text.str.contains(r"^\d{6}$")).then(
            (text + "01").str.strptime(pl.Date, "%Y%m%d", strict=False)
        ),
    )


def _bool(expr: pl.Expr) -> pl.Expr:
    text = _nfkc(expr).str.to_lowercase()
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


def id_card_problem(value: str | None) -> str | None:
    """Why a 公民身份证号码 is not valid (GB 11643), or None when it is."""
    if value is None:
        return None
    text = unicodedata.normalize("NFKC", value).strip().upper()
    if re.fullmatch(r"\d(\.\d+)?E\+?\d+", text):
        return _EXCEL_ROUNDED
    if not re.fullmatch(r"\d{17}[\dX]", text):
        return "身份证号应为18位（最后一位可为X）"
    total = sum(int(d) * w for d, w in zip(text[:17], _ID_WEIGHTS, strict=True))
    if _ID_CHECK[total % 11] != text[17]:
        # Excel keeps 15 significant digits: a number typed into a numeric cell ends in 000
        return _EXCEL_ROUNDED if text.endswith("000") else "身份证号校验位不正确"
    return None


_DEADLINE_OPEN = ("常态化推进", "长期坚持", "持续推进", "长期")


def parse_deadline(text: str | None, year: int | None) -> tuple[dt.date | None, bool]:
    """A task's 完成时限 → (deadline, understood). Open-ended texts are understood with no date."""
    if text is None:
        return None, False
    t = unicodedata.normalize("NFKC", text).strip()
    if any(t.startswith(p) for p in _DEADLINE_OPEN):
        return None, True
    parsed = pl.select(_date(pl.lit(t))).item()
    if parsed is not None:
        return parsed, True
    m = re.fullmatch(r"(?:(\d{4})年)?(\d{1,2})月(?:-|—|–|~|至)(?:(\d{4})年)?(\d{1,2})月(?:底)?(?:前)?", t)
    if m:
        y, month = int(m.group(3) or m.group(1) or year or 0), int(m.group(4))
        if y <= 0 or not 1 <= month <= 12:
            return None, False
        return _month_end(y, month), True
    m = re.fullmatch(r"(?:(\d{4})年)?(\d{1,2})月(底|末|上旬|中旬|下旬)?(?:前|以前|之前)?", t)
    if m:
        y, month, part = int(m.group(1) or year or 0), int(m.group(2)), m.group(3)
        if y <= 0 or not 1 <= month <= 12:
            return None, False
        if part == "上旬":
            return dt.date(y, month, 10), True
        if part == "中旬":
            return dt.date(y, month, 20), True
        return _month_end(y, month), True
    return None, False


def _plausible_year(value: float | None) -> int | None:
    """A 年度 cell usable to complete a deadline like 「6月底」; a bad 年度 is rejected by its own rule."""
    return int(value) if value is not None and 1 <= value <= 9999 else None


def _month_end(year: int, month: int) -> dt.date:
    return (dt.date(year + month // 12, month % 12 + 1, 1)) - dt.timedelta(days=1)


def _typed(column: Column, raw: pl.Expr) -> pl.Expr:
    match column.type:
        case "int" | "float":
            return _number(raw)
        case "date":
            return _date(raw)
        case "month":
            return _month(raw)
        case "bool":
            return _bool(raw)
        case "code":
            return _nfkc(raw)
        case _:
            return raw.str.strip_chars()


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


@dataclass
class SheetResult:
    kind: str
    sheet: str
    loaded: pl.DataFrame
    rejects: pl.DataFrame
    rows_read: int


def parse_sheet(raw_sheet: RawSheet, match: HeaderMatch, source_file: str, today: dt.date) -> SheetResult:
    kind = match.kind
    header_row = match.row_index
    body: list[tuple[int, list[str | None]]] = []
    for i, row in enumerate(raw_sheet.rows[header_row + 1 :], start=header_row + 2):
        if not any(row) or is_footer(row):
            continue
        body.append((i, row))

    def cell(row: list[str | None], pos: int | None) -> str | None:
        return row[pos] if pos is not None and pos < len(row) else None

    text_columns = [c.name for c in kind.columns] + [c.name_column for c in kind.named]
    frame = pl.DataFrame(
        {
            "_row_number": [n for n, _ in body],
            **{n: [cell(r, match.columns.get(n)) for _, r in body] for n in text_columns},
        },
        schema={"_row_number": pl.Int64, **{n: pl.String for n in text_columns}},
    )
    frame = frame.with_columns(_typed(c, pl.col(c.name)).alias(f"__typed_{c.name}") for c in kind.columns)

    checks = []
    for c in kind.columns:
        given = pl.col(c.name)
        if c.name_headers:  # a name in place of the code satisfies "required"; it is checked later
            given = pl.coalesce(given, pl.col(c.name_column))
        for j, (cond, reason) in enumerate(
            column_problems(c, pl.col(c.name), pl.col(f"__typed_{c.name}"), given)
        ):
            checks.append(
                pl.when(cond)
                .then(pl.struct(col=pl.lit(c.header), raw=given, reason=reason))
                .alias(f"__p_{c.name}_{j}")
            )
    checks.extend(_row_rule_checks(kind, today))
    frame = frame.with_columns(checks)
    problem_cols = [c for c in frame.columns if c.startswith("__p_")]

    rejects = (
        frame.select("_row_number", _row_values(kind).alias("row_values"), *problem_cols)
        .unpivot(index=["_row_number", "row_values"], on=problem_cols)
        .drop_nulls("value")
        .unnest("value")
        .select(
            pl.lit(source_file).alias("source_file"),
            pl.lit(raw_sheet.name).alias("sheet"),
            pl.col("_row_number").alias("row_number"),
            pl.col("col").alias("column_name"),
            pl.col("raw").alias("raw_value"),
            pl.col("reason"),
            pl.lit(kind.kind).alias("kind"),
            pl.col("row_values"),
            pl.lit("parse").alias("check_stage"),
        )
        .sort("row_number", "column_name")
        if frame.height
        else pl.DataFrame(schema=REJECT_SCHEMA)
    )
    bad_rows = rejects["row_number"].unique().to_list()
    loaded = frame.filter(~pl.col("_row_number").is_in(bad_rows)).select(
        *[pl.col(f"__typed_{c.name}").cast(output_dtype(c)).alias(c.name) for c in kind.columns],
        *[pl.col(c.name_column).str.strip_chars() for c in kind.named],
        *_extra_columns(kind),
        pl.lit(",".join(c.name for c in kind.named if c.name_column in match.columns)).alias(
            "_named_columns"
        ),
        pl.lit(source_file).alias("_source_file"),
        pl.lit(raw_sheet.name).alias("_sheet"),
        pl.col("_row_number"),
    )
    return SheetResult(kind.kind, raw_sheet.name, _finish(kind, loaded), rejects, frame.height)


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


def _extra_columns(kind: SheetKind) -> list[pl.Expr]:
    if kind.kind == "tasks":
        return [pl.col("deadline").str.strip_chars().alias("deadline_text")]
    return []


def _rule(name: str, when: pl.Expr, header: str, raw: pl.Expr, reason: pl.Expr | str) -> pl.Expr:
    reason_expr = pl.lit(reason) if isinstance(reason, str) else reason
    return (
        pl.when(when)
        .then(pl.struct(col=pl.lit(header), raw=raw, reason=reason_expr))
        .alias(f"__p_rule_{name}")
    )


def _row_rule_checks(kind: SheetKind, today: dt.date) -> list[pl.Expr]:
    """Rules beyond one cell's type: impossible dates, and rules over several columns of a row."""
    t = {c.name: pl.col(f"__typed_{c.name}") for c in kind.columns}
    rules: list[pl.Expr] = []
    this_month = today.replace(day=1)
    for c in kind.columns:
        if c.type == "date":
            rules.append(
                _rule(
                    f"future_{c.name}",
                    t[c.name] > today,
                    c.header,
                    pl.col(c.name),
                    f"「{c.header}」晚于今天（{today.isoformat()}），日期不可能",
                )
            )
        elif c.type == "month":
            rules.append(
                _rule(
                    f"future_{c.name}",
                    t[c.name] > this_month,
                    c.header,
                    pl.col(c.name),
                    f"「{c.header}」晚于本月（{this_month:%Y-%m}），月份不可能",
                )
            )
    if kind.kind == "members":
        rules.append(
            _rule(
                "joined_adult",
                t["joined_on"] < t["born_on"].dt.offset_by("18y"),
                "入党日期",
                pl.col("joined_on"),
                "入党日期早于出生日期满18周岁之日",
            )
        )
        rules.append(
            _rule(
                "confirmed_after_joined",
                t["confirmed_on"] < t["joined_on"],
                "转正日期",
                pl.col("confirmed_on"),
                "转正日期早于入党日期",
            )
        )
    if kind.kind == "activities":
        rules.append(
            pl.when(t["attended"] > t["expected"])
            .then(
                pl.struct(
                    col=pl.lit("实到人数"), raw=pl.col("attended"), reason=pl.lit("实到人数大于应到人数")
                )
            )
            .alias("__p_rule_attendance")
        )
    if kind.kind == "tasks":
        understood = pl.struct(deadline=pl.col("deadline"), year=t["year"]).map_elements(
            lambda s: parse_deadline(s["deadline"], _plausible_year(s["year"]))[1],
            return_dtype=pl.Boolean,
        )
        rules.append(
            pl.when(pl.col("deadline").is_not_null() & ~understood)
            .then(
                pl.struct(col=pl.lit("完成时限"), raw=pl.col("deadline"), reason=pl.lit("完成时限无法识别"))
            )
            .alias("__p_rule_deadline")
        )
    if kind.kind == "members":
        rules.append(
            pl.when(
                pl.col("id_card").is_not_null()
                & pl.col("id_card").map_elements(
                    lambda v: id_card_problem(v) is not None, return_dtype=pl.Boolean
                )
            )
            .then(
                pl.struct(
                    col=pl.lit("公民身份证号码"),
                    raw=pl.col("id_card"),
                    reason=pl.col("id_card").map_elements(id_card_problem, return_dtype=pl.String),
                )
            )
            .alias("__p_rule_idcard")
        )
    return rules


def _finish(kind: SheetKind, loaded: pl.DataFrame) -> pl.DataFrame:
    if kind.kind == "tasks" and loaded.height:
        deadlines = [
            parse_deadline(text, year)[0]
            for text, year in zip(loaded["deadline_text"], loaded["year"], strict=True)
        ]
        loaded = loaded.with_columns(pl.Series("deadline", deadlines, dtype=pl.Date))
    elif kind.kind == "tasks":
        loaded = loaded.with_columns(pl.col("deadline").cast(pl.Date))
    if kind.kind == "members":
        loaded = loaded.with_columns(
            pl.col("id_card").str.normalize("NFKC").str.to_uppercase(),
            pl.col("party_role").fill_null("普通党员"),
        )
    return loaded


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
    head = path.read_bytes()[:8]
    if path.suffix.lower() in (".xlsx", ".xlsm") and head == _OLE_MAGIC:
        # Excel/WPS wrap a password-protected workbook in an OLE container
        return "文件设置了打开密码（已加密），请取消密码后重新提交"
    if "password" in str(exc).lower() or "encrypt" in str(exc).lower():
        return "文件设置了打开密码（已加密），请取消密码后重新提交"
    return f"文件无法读取（可能已损坏或不是真正的 Excel 文件）：{exc}"


def parse_file(path: Path, source_file: str, today: dt.date | None = None) -> FileResult:
    """Parse one inbox file; never raises for bad content — problems become rejects."""
    today = today or dt.date.today()

    def whole_file(reason: str) -> FileResult:
        return FileResult(source_file, [], _file_reject(source_file, reason))

    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        return whole_file("不支持的文件类型（请提交 xlsx、xls 或 csv 文件）")
    if path.stat().st_size == 0:
        return whole_file("文件为空（0 字节）")
    try:
        sheets = read_cells(path)
    except Exception as exc:  # corrupt, encrypted, truncated: one reject names the file
        return whole_file(_unreadable_reason(path, exc))
    results = [
        parse_sheet(raw_sheet, match, source_file, today)
        for raw_sheet in sheets
        if (match := find_header(raw_sheet.rows)) is not None
    ]
    if not results:
        return whole_file(
            "未找到可识别的表头：没有一个工作表的列名与模板一致（可用 dangjian templates 获取模板）"
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
    schema["_named_columns"] = pl.String
    return pl.DataFrame(schema=schema)
