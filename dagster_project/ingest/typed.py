"""Typing text cells: polars expressions that turn a column of text (as formats.py gives it) into
numbers, dates, months and yes/no, by the column's type in the contract. A text that is not a value
of its type types as null; rules.py turns that into a reject.

Numbers, dates, months, yes/no and codes are read after NFKC (full-width digits and punctuation →
ASCII). NFKC runs in Python-exact form on the few distinct non-ASCII texts of a sheet only
(`non_ascii`, `nfkc_replacements`), and the typed columns read `__nfkc_<name>`.
"""

import datetime as dt

import polars as pl

from dagster_project.contracts import Column

NFKC_TYPES = ("int", "float", "date", "month", "bool", "code")

_TRUE = {"是", "y", "yes", "true", "1", "√", "✓", "✔", "对"}
_FALSE = {"否", "n", "no", "false", "0", "×", "✗", "✘", "x", "不是"}
_EXCEL_EPOCH = dt.date(1899, 12, 30)


def typed_col(name: str) -> pl.Expr:
    """The typed value of column `name` (added to a sheet's frame by `typed`)."""
    return pl.col(f"__typed_{name}")


def nfkc_col(name: str) -> pl.Expr:
    return pl.col(f"__nfkc_{name}")


def non_ascii(text: pl.Expr) -> pl.Expr:
    """The distinct texts of a column that are not plain ASCII, as one list."""
    return text.filter(text.str.len_bytes() != text.str.len_chars()).unique().implode()


def nfkc_replacements(texts: list[list[str]]) -> list[list[str]]:
    """NFKC of each text, in one polars call for all columns of a sheet."""
    flat = pl.Series([t for column in texts for t in column], dtype=pl.String).str.normalize("NFKC").to_list()
    out, start = [], 0
    for column in texts:
        out.append(flat[start : start + len(column)])
        start += len(column)
    return out


def number(text: pl.Expr) -> pl.Expr:
    value = text.str.strip_chars().str.replace_all(r"[,\s]", "").cast(pl.Float64, strict=False)
    return pl.when(value.is_finite()).then(value)  # "nan" and "inf" are not numbers anyone typed


def date(text: pl.Expr) -> pl.Expr:
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


def month(text: pl.Expr) -> pl.Expr:
    text = text.str.strip_chars().str.replace(r"[ T].*$", "")
    dashed = text.str.replace_all(r"[./年]", "-").str.replace(r"月$", "")
    return pl.coalesce(
        (dashed.str.extract(r"^(\d{4}-\d{1,2})", 1) + "-1").str.strptime(pl.Date, "%Y-%m-%d", strict=False),
        pl.when(text.str.contains(r"^\d{6}$")).then(
            (text + "01").str.strptime(pl.Date, "%Y%m%d", strict=False)
        ),
    )


def yes_no(text: pl.Expr) -> pl.Expr:
    text = text.str.strip_chars().str.to_lowercase()
    return (
        pl.when(text.is_in(list(_TRUE)))
        .then(pl.lit(True))
        .when(text.is_in(list(_FALSE)))
        .then(pl.lit(False))
        .otherwise(None)
    )


def dates_of(texts: list[str]) -> list[dt.date | None]:
    """Texts read as a date column reads them, in one call."""
    return pl.select(date(pl.lit(pl.Series(texts, dtype=pl.String)))).to_series().to_list()


_PARSERS = {"date": (date, pl.Date), "month": (month, pl.Date), "bool": (yes_no, pl.Boolean)}


def typed(column: Column, per_distinct: bool) -> pl.Expr:
    """The column typed. per_distinct: dates, months and yes/no are parsed once per distinct text and
    mapped back — a column of dates holds a few hundred days however many rows it has, and parsing
    one takes several regex passes; the mapping costs about a millisecond, worth it on long sheets.
    A deadline stays text here: deadlines.py reads it, with its year."""
    if column.type not in NFKC_TYPES:
        return pl.col(column.name).str.strip_chars()
    text = nfkc_col(column.name)
    if column.type in ("int", "float"):
        return number(text)
    if column.type not in _PARSERS:  # a code
        return text.str.strip_chars()
    parse, dtype = _PARSERS[column.type]
    if not per_distinct:
        return parse(text)
    distinct = text.drop_nulls().unique(maintain_order=True)  # the same order in both uses
    return text.replace_strict(distinct, parse(distinct), default=None, return_dtype=dtype)


def output_dtype(column: Column) -> pl.DataType:
    """The type of the column as loaded into schema raw."""
    return {
        "int": pl.Int64,
        "float": pl.Float64,
        "date": pl.Date,
        "month": pl.Date,
        "bool": pl.Boolean,
        "deadline": pl.Date,
    }.get(column.type, pl.String)


DERIVED_DTYPES = {"str": pl.String, "bool": pl.Boolean}
