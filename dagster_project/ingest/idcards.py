"""ID-card numbers (公民身份证号码): valid in their own column, never in another.

In a column of type idcard a number must be valid (GB 11643: 17 digits and a check character); one
that Excel kept as a number (1.1010519491231e+17, or 15 significant digits and zeros) gets its own
reason, since the digits are lost and only re-entering the column as text helps.

A 公民身份证号码 is kept in clear only in the column made for it (and only in schema `raw`); every
other column can end up published — 工号/学号 as the member key, a 主题 or 事由 as it was typed. So
a cell of any other column that holds something shaped like an ID-card number rejects its row.

"Shaped like" is 17 digits and a digit or X, anywhere in the cell but not inside a longer run of
digits, whatever its check character: a number with one digit mistyped still gives away someone's
district, birth date and sequence, and no column of these sheets has a legitimate 18-digit value
(codes are short, amounts small). A longer run (a 19-digit bank card number) is not an ID card. A
number Excel kept as a number shows as 1.1010519491231e+17: any such number of that size is one.
"""

import re
import unicodedata

import polars as pl

from dagster_project.contracts import SheetKind
from dagster_project.ingest.formats import PY_SPACE

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_EXCEL_ROUNDED = "身份证号被Excel当作数字保存，末几位已丢失，请将该列设为文本后重新填写"
_ID_LENGTH = "身份证号应为18位（最后一位可为X）"
_ID_CHECKSUM = "身份证号校验位不正确"
IN_PYTHON = "?"  # an ID card in non-ASCII digits: id_card_problem decides, in Python


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


def id_card_problems(values: pl.Expr) -> pl.Expr:
    """id_card_problem of a whole column for ASCII digits; IN_PYTHON for any other digits (then
    `id_cards_in_python` decides)."""
    text = values.str.normalize("NFKC").str.strip_chars(PY_SPACE).str.to_uppercase()
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
        .then(pl.lit(IN_PYTHON))
        .when(check != text.str.slice(17, 1))
        .then(pl.when(text.str.ends_with("000")).then(pl.lit(_EXCEL_ROUNDED)).otherwise(pl.lit(_ID_CHECKSUM)))
    )


def id_cards_in_python(frame: pl.DataFrame, column: str, problem: str) -> pl.DataFrame | None:
    """`frame` with the IN_PYTHON rows of its `problem` column decided by id_card_problem, or None
    when there are none."""
    rows = (frame[problem] == IN_PYTHON).arg_true()
    if not rows.len():
        return None
    problems = frame[problem].scatter(
        rows, [id_card_problem(v) for v in frame[column].gather(rows).to_list()]
    )
    return frame.with_columns(problems)


# Full-width digits and x spelled out rather than NFKC-normalizing every cell of every column (ten
# times slower); one pattern, so each cell is scanned once.
_DIGIT = "[0-9０-９]"
_SHAPE = f"(^|[^0-9０-９]){_DIGIT}{{17}}[0-9０-９XxＸｘ]([^0-9０-９]|$)"
_AS_EXCEL_NUMBER = r"^[0-9](\.[0-9]+)?[eE]\+?17$"
_ID_CARD = f"{_SHAPE}|{_AS_EXCEL_NUMBER}"


def looks_like_id_card(text: pl.Expr) -> pl.Expr:
    """True where a text cell holds an ID-card number."""
    return text.str.contains(_ID_CARD)


def misplaced_id_cards(kind: SheetKind) -> list[tuple[str, pl.Expr, pl.Expr, str]]:
    """(header, raw text, condition, reason) for each column of `kind` other than an ID-card column,
    including the columns where a name is given in place of a code."""
    columns = [(c.header, c.name) for c in kind.columns if c.type != "idcard"]
    columns += [(c.name_headers[0], c.name_column) for c in kind.named]
    return [
        (header, pl.col(name), looks_like_id_card(pl.col(name)), f"身份证号不应填在「{header}」列")
        for header, name in columns
    ]
