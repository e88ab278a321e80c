"""ID-card numbers typed into the wrong column.

A 公民身份证号码 is kept in clear only in the column made for it (and only in schema `raw`); every
other column can end up published — 工号/学号 as the member key, a 主题 or 事由 as it was typed. So
a cell of any other column that holds something shaped like an ID-card number rejects its row.

"Shaped like" is 17 digits and a digit or X, anywhere in the cell but not inside a longer run of
digits, whatever its check character: a number with one digit mistyped still gives away someone's
district, birth date and sequence, and no column of these sheets has a legitimate 18-digit value
(codes are short, amounts small). A longer run (a 19-digit bank card number) is not an ID card. A
number Excel kept as a number shows as 1.1010519491231e+17: any such number of that size is one.
"""

import polars as pl

from dagster_project.contracts import SheetKind

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
    """(header, raw text, condition, reason) for each column of `kind` other than the ID-card column,
    including the columns where a name is given in place of a code."""
    columns = [(c.header, c.name) for c in kind.columns if c.type != "idcard"]
    columns += [(c.name_headers[0], c.name_column) for c in kind.named]
    return [
        (header, pl.col(name), looks_like_id_card(pl.col(name)), f"身份证号不应填在「{header}」列")
        for header, name in columns
    ]
