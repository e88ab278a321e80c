"""The rules a row of a sheet must keep, as polars expressions over the sheet's frame: a row is
rejected where any check's condition is true, with one reject per broken check naming the column,
the value as typed and a reason in Chinese.

Every rule comes from the contract: each column's own (required, its type, its range, its allowed
values), each column type's (a date not after today, a valid ID-card number, a 完成时限 that can be
read), the kind's row rules (SheetKind.row_rules), and one for every column: no ID-card number
outside the ID-card column (idcards.py). Nothing here names a sheet kind.
"""

import datetime as dt
from dataclasses import dataclass

import polars as pl

from dagster_project.contracts import Column, RowRule, SheetKind
from dagster_project.ingest.deadlines import deadline_names
from dagster_project.ingest.idcards import misplaced_id_cards
from dagster_project.ingest.typed import typed_col

_LARGEST_INT = 2.0**53


@dataclass(frozen=True)
class Check:
    """A row is rejected where `condition` is true; `problem` is the reject: struct(col, raw, reason)."""

    condition: pl.Expr
    problem: pl.Expr


def check(condition: pl.Expr, header: str, raw: pl.Expr, reason: pl.Expr | str) -> Check:
    reason_expr = pl.lit(reason) if isinstance(reason, str) else reason
    return Check(condition, pl.struct(col=pl.lit(header), raw=raw, reason=reason_expr))


def id_card_problem_col(column: Column) -> pl.Expr:
    """Why the ID card of `column` is not valid (null when it is), added to the frame by the reader."""
    return pl.col(f"__problem_{column.name}")


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
                (typed.is_not_null() & out, pl.lit(f"「{header}」超出范围（应{column.range_text}）"))
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


def cell_checks(kind: SheetKind) -> list[Check]:
    """Each column's own rules. A column where a name may stand in for the code is "given" by either."""
    checks: list[Check] = []
    for c in kind.columns:
        given = pl.col(c.name)
        if c.name_headers:  # a name in place of the code satisfies "required"; it is checked later
            given = pl.coalesce(given, pl.col(c.name_column))
        for condition, reason in column_problems(c, pl.col(c.name), typed_col(c.name), given):
            checks.append(Check(condition, pl.struct(col=pl.lit(c.header), raw=given, reason=reason)))
    return checks


def _not_in_future(c: Column, today: dt.date) -> Check | None:
    if c.type == "date":
        reason = f"「{c.header}」晚于今天（{today.isoformat()}），日期不可能"
        return check(typed_col(c.name) > today, c.header, pl.col(c.name), reason)
    if c.type == "month":
        this_month = today.replace(day=1)
        reason = f"「{c.header}」晚于本月（{this_month:%Y-%m}），月份不可能"
        return check(typed_col(c.name) > this_month, c.header, pl.col(c.name), reason)
    return None


def _row_rule(kind: SheetKind, rule: RowRule) -> Check:
    left, right = typed_col(rule.column), typed_col(rule.other)
    if rule.op in ("required_if", "required_unless"):
        if rule.op == "required_unless":
            when = right.is_null()
        else:
            when = right.is_in(list(rule.values)) if rule.values else right.is_not_null()
        return check(left.is_null() & when, kind.column(rule.column).header, pl.col(rule.column), rule.reason)
    if rule.years:
        right = right.dt.offset_by(f"{rule.years}y")
    condition = left < right if rule.op == "<" else left > right
    return check(condition, kind.column(rule.column).header, pl.col(rule.column), rule.reason)


def row_checks(kind: SheetKind, today: dt.date) -> list[Check]:
    """Rules beyond one cell's value: impossible dates, the kind's rules over several columns of a
    row, valid ID-card numbers, none outside their column, and 完成时限 that can be read. `today` is
    the day the file was first loaded (ingest/store.py), so the same file always gives the same rows."""
    rules = [r for c in kind.columns if (r := _not_in_future(c, today)) is not None]
    rules += [_row_rule(kind, rule) for rule in kind.row_rules]
    for c in kind.columns:
        if c.type == "idcard":
            problem = id_card_problem_col(c)
            rules.append(check(problem.is_not_null(), c.header, pl.col(c.name), problem))
    rules += [check(cond, header, raw, reason) for header, raw, cond, reason in misplaced_id_cards(kind)]
    for c in kind.columns:
        if c.type == "deadline":
            understood = pl.col(deadline_names(c.name)[2])
            rules.append(
                check(
                    pl.col(c.name).is_not_null() & ~understood,
                    c.header,
                    pl.col(c.name),
                    f"{c.header}无法识别",
                )
            )
    return rules
