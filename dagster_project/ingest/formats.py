"""Files as text: every sheet of a workbook (.xlsx, .xlsm, .xls), a CSV (UTF-8 or GBK) or a Parquet
file becomes a polars frame of text cells (column `c{j}` is the sheet's column j, null is a blank
cell, row i is the sheet's row i + 1), converted as `cell_text` converts one value.

Only the table is read: a sheet's header is found among its first rows (header.py), and from there
only the header's width — cells to the right of the rightmost recognised header are never turned
into Python values. A sheet without a header is read no further than those first rows. The checks
of guard.py run before anything is parsed, and raise `Rejected` for a file past their limits.

* workbooks: row i is Excel row i + 1;
* CSV: row i is the record's number counting the file's first line as 1 — the row Excel shows when
  it opens the file (blank lines count, a quoted value spanning lines is one record);
* Parquet: the header is the column names, taken as row 1, so data row i (0-based) is row i + 2.
"""

import codecs
import contextlib
import csv
import datetime as dt
import io
import itertools
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from python_calamine import CalamineWorkbook

from dagster_project.ingest.guard import EXCEL_COLUMNS, check_area, check_csv_lines, check_zip
from dagster_project.ingest.header import HEADER_SCAN_ROWS, HeaderMatch, find_header
from dagster_project.ingest.sheetxml import prepare_workbook

# What Python's str.strip() calls whitespace. polars' default leaves out a few control characters
# (U+001C–U+001F), so the set is spelled out to cut cells exactly as cell_text does.
PY_SPACE = "".join(c for c in map(chr, range(0x3001)) if c.isspace())
# Rows of a workbook sheet turned into Python values at a time: the sheet's values never all exist
# as Python objects at once (a million rows of 14 columns would be 1.2 GB of them).
BATCH_ROWS = 65_536


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
class TextSheet:
    """A sheet as text: String column `c{j}` is the sheet's column j (null = blank), row i is row i + 1."""

    name: str
    cells: pl.DataFrame


def _table_width(rows: Iterable[Iterable[object]]) -> HeaderMatch | None:
    """The header among a sheet's first rows of Python values."""
    texts = [[cell_text(v) for v in itertools.islice(row, EXCEL_COLUMNS)] for row in rows]
    return find_header(texts)


# --- Python values → text columns ---------------------------------------------------------------------


def clean_text(texts: pl.Expr) -> pl.Expr:
    stripped = texts.str.strip_chars(PY_SPACE)
    return pl.when(stripped != "").then(stripped)


def _float_text(numbers: pl.Expr) -> pl.Expr:
    """cell_text of floats: whole numbers without ".0"; polars writes the others as Python's repr does
    for 1e-4 ≤ |x| < 1e16 (outside it, in exponent form, they differ: see _odd_float)."""
    size = numbers.abs()
    whole = (size < 1e15) & (numbers == numbers.round(0))
    return (
        pl.when(whole)
        .then(numbers.cast(pl.Int64, strict=False).cast(pl.String))
        .when((size >= 1e-4) & (size < 1e16))
        .then(numbers.cast(pl.String))
    )


def _odd_float(numbers: pl.Expr) -> pl.Expr:
    """Floats _float_text leaves to Python's repr (tiny, huge, nan, inf)."""
    size = numbers.abs()
    whole = (size < 1e15) & (numbers == numbers.round(0))
    return numbers.is_not_null() & ~whole & ~((size >= 1e-4) & (size < 1e16))


def _part_text(name: str, dtype: pl.DataType) -> pl.Expr:
    """cell_text of one typed column."""
    column = pl.col(name)
    if dtype == pl.String:
        return clean_text(column)
    if dtype == pl.Float64:
        return _float_text(column)
    if dtype == pl.Date:
        return column.dt.strftime("%Y-%m-%d")
    if isinstance(dtype, pl.Datetime):
        return column.dt.date().dt.strftime("%Y-%m-%d")
    if dtype == pl.Boolean:
        return pl.when(column).then(pl.lit("是")).when(~column).then(pl.lit("否"))
    if dtype.is_integer():
        return column.cast(pl.String)
    raise TypeError(dtype)


def text_cells(typed: pl.DataFrame, columns: list[list[str]]) -> pl.DataFrame:
    """The text frame of a sheet from typed columns: sheet column j is the first non-null of the typed
    columns named in columns[j] (a column holding strings and numbers comes as one typed column per
    Python type). One polars query for the whole sheet; the schema is read once (reading it per
    column made a sheet's cost grow with the square of its width)."""
    schema = typed.schema
    texts = []
    for j, names in enumerate(columns):
        parts = [_part_text(name, schema[name]) for name in names]
        texts.append((pl.coalesce(parts) if len(parts) > 1 else parts[0]).alias(f"c{j}"))
    floats = [name for name, dtype in schema.items() if dtype == pl.Float64]
    owner = {name: j for j, names in enumerate(columns) for name in names}
    cells = typed.select(*texts, *[_odd_float(pl.col(n)).any().alias(f"odd {n}") for n in floats])
    for name in floats:
        # a sheet with no rows (a Parquet file of a header only) has no aggregate row to look at
        if cells.height and cells[f"odd {name}"][0]:
            j = owner[name]
            rows = typed.select(_odd_float(pl.col(name)).arg_true()).to_series()
            reprs = [repr(v) for v in typed[name].gather(rows).to_list()]
            cells = cells.with_columns(cells[f"c{j}"].scatter(rows, reprs))
    return cells.drop(f"odd {n}" for n in floats)


_POLARS_TYPES = {
    str: pl.String,
    float: pl.Float64,
    bool: pl.Boolean,
    dt.date: pl.Date,
    dt.datetime: pl.Datetime("us"),
}


def text_frame(rows: list[list[object]], width: int | None = None) -> pl.DataFrame:
    """Rows of cell values (ragged allowed) → one text column per sheet column, as cell_text would
    give (`width` columns when given: more are cut, fewer filled with blanks). Each column is split
    by Python type so that polars converts every type in bulk."""
    typed: dict[str, pl.Series] = {}
    columns: list[list[str]] = []
    transposed = itertools.zip_longest(*rows, fillvalue=None) if rows else iter(())
    if width is not None:
        blank = (None,) * len(rows)
        transposed = itertools.islice(itertools.chain(transposed, itertools.repeat(blank)), width)
    for j, values in enumerate(transposed):
        types = set(map(type, values)) - {type(None)}
        names = []
        for cell_type in types or {type(None)}:
            name = f"c{j} {cell_type.__name__}"
            picked = values if len(types) <= 1 else [v if type(v) is cell_type else None for v in values]
            if cell_type in _POLARS_TYPES:
                typed[name] = pl.Series(picked, dtype=_POLARS_TYPES[cell_type])
            else:  # ints from .xls, durations, anything rarer: one by one
                typed[name] = pl.Series([cell_text(v) for v in picked], dtype=pl.String)
            names.append(name)
        columns.append(names)
    return text_cells(pl.DataFrame(typed), columns)


# --- workbooks ------------------------------------------------------------------------------------------


def _sheet_cells(sheet) -> pl.DataFrame:
    """A calamine sheet's table as text, as wide as its header; nothing when it has none."""
    head = sheet.to_python(skip_empty_area=False, nrows=HEADER_SCAN_ROWS)
    match = _table_width(head)
    if match is None or sheet.start is None:
        return pl.DataFrame()  # no table: the reader finds no header in it either
    (_, first_column), (last_row, _) = sheet.start, sheet.end
    width = match.width
    check_area(sheet.name, last_row + 1, width)
    # iter_rows gives every row from row 1 (blank ones above the table included) but only the
    # columns from the first one holding a cell; the blanks left of it are put back here
    pad, take = [None] * first_column, max(width - first_column, 0)
    frames, batch = [], []
    for row in sheet.iter_rows():
        batch.append(pad + row[:take])
        if len(batch) == BATCH_ROWS:
            frames.append(text_frame(batch, width))
            batch = []
    if batch or not frames:
        frames.append(text_frame(batch, width))
    return pl.concat(frames, rechunk=False) if len(frames) > 1 else frames[0]


def _workbook_sheets(path: Path) -> list[TextSheet]:
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        check_zip(path)
    with tempfile.TemporaryDirectory(prefix="dangjian-sheet-") as workdir:
        readable = prepare_workbook(path, Path(workdir)) if suffix in (".xlsx", ".xlsm") else path
        workbook = CalamineWorkbook.from_path(str(readable))
        return [TextSheet(n, _sheet_cells(workbook.get_sheet_by_name(n))) for n in workbook.sheet_names]


# --- CSV --------------------------------------------------------------------------------------------------

_UNKNOWN_ENCODING = "无法识别的文本编码（请另存为 UTF-8 或 GBK 编码的 CSV）"


def _csv_head(source: Path | bytes) -> list[list[str]]:
    """The first records of UTF-8 text (the header is among them). Raises UnicodeDecodeError when
    the beginning is not UTF-8."""
    size = 1 << 16
    while True:
        if isinstance(source, bytes):
            head, whole = source[:size], size >= len(source)
        else:
            with source.open("rb") as fh:
                head = fh.read(size + 1)
            head, whole = head[:size], len(head) <= size
        text = codecs.getincrementaldecoder("utf-8-sig")().decode(head, final=whole)
        records = list(itertools.islice(csv.reader(io.StringIO(text)), HEADER_SCAN_ROWS + 1))
        if whole or len(records) > HEADER_SCAN_ROWS:
            # without the whole file the last record read may be cut short; it is not among the first 30
            return records[:HEADER_SCAN_ROWS]
        size *= 4


def _csv_cells(source: Path | bytes) -> pl.DataFrame:
    """A UTF-8 CSV as text columns, read by polars (multi-threaded, no Python per row) as wide as its
    header; nothing when it has none."""
    head = _csv_head(source)
    match = _table_width(head)
    if match is None:
        return pl.DataFrame()  # no table: the reader finds no header in it either
    cells = pl.read_csv(
        source if isinstance(source, Path) else io.BytesIO(source),
        has_header=False,
        infer_schema=False,
        schema={f"c{j}": pl.String for j in range(match.width)},
        truncate_ragged_lines=True,
        missing_columns="insert",
        raise_if_empty=False,
    )
    return cells.select(clean_text(pl.col(c)).alias(c) for c in cells.columns)


def _csv_sheet(path: Path, name: str) -> TextSheet:
    check_csv_lines(path)
    try:
        return TextSheet(name, _csv_cells(path))
    except (UnicodeDecodeError, pl.exceptions.ComputeError):
        pass  # not UTF-8 (polars reads nothing else), or quoting polars will not accept
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):  # GB18030 is a superset of GBK
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ValueError(_UNKNOWN_ENCODING)
    if encoding == "gb18030":  # a GBK file (small, from WPS): polars reads it once it is UTF-8
        with contextlib.suppress(pl.exceptions.ComputeError):
            return TextSheet(name, _csv_cells(text.encode("utf-8")))
    # quoting polars will not accept (an unclosed quote): Python's csv module, as lenient as ever
    records = csv.reader(io.StringIO(text))
    head = list(itertools.islice(records, HEADER_SCAN_ROWS))
    match = _table_width(head)
    if match is None:
        return TextSheet(name, pl.DataFrame())
    rows = [row[: match.width] for row in itertools.chain(head, records)]
    return TextSheet(name, text_frame(rows, match.width))


# --- Parquet ------------------------------------------------------------------------------------------------


def _parquet_sheet(path: Path, name: str) -> TextSheet:
    """The column names are the header (row 1); only the columns up to the header's width are read."""
    names = list(pl.read_parquet_schema(path))
    header = [cell_text(n) for n in names]
    match = _table_width([header])
    if match is None:
        return TextSheet(name, pl.DataFrame())
    width = match.width
    header_row = pl.DataFrame({f"c{j}": pl.Series([header[j]], dtype=pl.String) for j in range(width)})
    check_area(name, pl.scan_parquet(path).select(pl.len()).collect().item() + 1, width)
    data = pl.read_parquet(path, columns=names[:width])
    typed = {}
    for j, values in enumerate(data.iter_columns()):
        dtype = values.dtype
        if dtype in (pl.String, pl.Categorical) or isinstance(dtype, pl.Enum):
            values = values.cast(pl.String)
        elif dtype.is_float():
            values = values.cast(pl.Float64)
        elif not (dtype in (pl.Date, pl.Boolean) or isinstance(dtype, pl.Datetime) or dtype.is_integer()):
            values = pl.Series([cell_text(v) for v in values.to_list()], dtype=pl.String)
        typed[f"c{j}"] = values
    body = text_cells(pl.DataFrame(typed), [[f"c{j}"] for j in range(data.width)])
    return TextSheet(name, pl.concat([header_row, body], rechunk=False))


def read_sheets(path: Path, name: str | None = None) -> list[TextSheet]:
    """Every sheet of a file as text columns; a CSV or Parquet file is one sheet, named `name` (the
    file's name without its extension: the file read may be an archived copy named by its hash)."""
    suffix = path.suffix.lower()
    name = name or path.stem
    if suffix == ".csv":
        return [_csv_sheet(path, name)]
    if suffix == ".parquet":
        return [_parquet_sheet(path, name)]
    return _workbook_sheets(path)
