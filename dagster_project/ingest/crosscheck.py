"""Rules that need every file at once, run after the inbox is in step: names given instead of codes
are resolved, references to 组织架构 and 党员花名册 are checked, and a business key that appears twice
(in one file or in two) is reported for both rows. Such rows stay in `raw` for the record and are
listed in raw.rejects with check_stage = 'cross'; staging reads raw without them.

Recomputed in full on every run: a correction in one file (a new branch in 组织架构) clears the
rejects it explains in the others.
"""

from dataclasses import dataclass

import duckdb

from dagster_project.contracts import KINDS, SHEET_KINDS, SheetKind
from dagster_project.ingest.task_owners import place_task_owners

BRANCH_TYPES = ("党支部", "直属党支部")


@dataclass(frozen=True)
class Reference:
    kind: str
    column: str
    target: str  # orgs | branches | members
    year: str  # SQL for the assessment year of the row (alias t)


# The year is qualified with the row's alias `t`: inside the check's subquery a bare `year` would be
# the target's own column, and a row of a year without that 组织架构 would pass unchecked.
REFERENCES = (
    Reference("orgs", "parent_code", "orgs", "t.year"),
    Reference("members", "branch_code", "branches", "t.year"),
    Reference("training", "member_key", "members", "year(t.started_on)"),
    Reference("dues", "member_key", "members", "year(t.month)"),
    Reference("activities", "org_code", "orgs", "year(t.held_on)"),
    Reference("funding", "org_code", "orgs", "year(t.booked_on)"),
    Reference("evaluations", "org_code", "orgs", "t.year"),
    Reference("adjustments", "org_code", "orgs", "t.year"),
    Reference("checklist", "org_code", "orgs", "t.year"),
)

_TARGETS = {
    "orgs": ("select year, org_code as code from raw.orgs", "组织架构"),
    "branches": (
        f"select year, org_code as code from raw.orgs where org_type in {BRANCH_TYPES}",
        "组织架构（作为党支部）",
    ),
    "members": ("select year, member_key as code from raw.members", "党员花名册"),
}


def _row_values_sql(kind: SheetKind, alias: str) -> str:
    pairs = []
    for c in kind.columns:
        value = f"cast({alias}.{c.name} as varchar)"
        if c.type == "idcard":
            value = f"left({alias}.{c.name}, 4) || '**********' || right({alias}.{c.name}, 4)"
        pairs.append(f"'{c.header}', {value}")
    return f"cast(json_object({', '.join(pairs)}) as varchar)"


def _insert_rejects(con: duckdb.DuckDBPyConnection, kind: SheetKind, alias: str, body: str) -> None:
    """body: a query over raw.<kind> aliased `alias`, selecting column_name, raw_value, reason."""
    con.execute(
        f"""
        insert into raw.rejects
            (source_file, sheet, row_number, column_name, raw_value, reason, kind, row_values,
             check_stage, file_hash, loaded_at)
        select {alias}._source_file, {alias}._sheet, {alias}._row_number, problem.column_name,
               problem.raw_value, problem.reason, '{kind.kind}', {_row_values_sql(kind, alias)},
               'cross', {alias}._file_hash, {alias}._loaded_at
        from raw.{kind.table} as {alias}
        inner join ({body}) as problem
            on problem._source_file = {alias}._source_file
            and problem._sheet = {alias}._sheet
            and problem._row_number = {alias}._row_number
        """
    )


def resolve_names(con: duckdb.DuckDBPyConnection) -> None:
    """Codes given as names (所在党支部) → codes of that year's 组织架构, by exact name."""
    for kind in SHEET_KINDS:
        for column in kind.named:
            con.execute(
                f"""
                update raw.{kind.table} as t
                set {column.name} = (
                    select min(o.org_code) from raw.orgs as o
                    where o.year = t.year and o.org_name = t.{column.name_column}
                )
                where t.{column.name_column} is not null
                """
            )


def check_references(con: duckdb.DuckDBPyConnection) -> None:
    for ref in REFERENCES:
        kind = KINDS[ref.kind]
        column = kind.column(ref.column)
        target_sql, target_label = _TARGETS[ref.target]
        given = (
            f"coalesce(t.{column.name_column}, t.{ref.column})" if column.name_headers else f"t.{ref.column}"
        )
        _insert_rejects(
            con,
            kind,
            "r",
            f"""
            select t._source_file, t._sheet, t._row_number,
                   '{column.header}' as column_name, {given} as raw_value,
                   '「{column.header}」' || {given} || ' 不在'
                       || cast({ref.year} as varchar) || '年度{target_label}中' as reason
            from raw.{kind.table} as t
            where ({given}) is not null
              and not exists (
                  select 1 from ({target_sql}) as target
                  where target.year = {ref.year} and target.code = t.{ref.column}
              )
            """,
        )


# Rows a duplicate's reason lists: enough to find the copies, however many there are.
DUPLICATE_ROWS_LISTED = 3


def check_duplicates(con: duckdb.DuckDBPyConnection) -> None:
    """Each row whose business key other rows share is one reject naming the key, how many rows
    have it and the first DUPLICATE_ROWS_LISTED of them. Rows are grouped by key (a window and one
    aggregate), so time and memory grow with the rows, not with the square of a group's size, and
    each reason has the same bounded length however often a row was pasted."""
    for kind in SHEET_KINDS:
        key = ", ".join(kind.key)
        headers = "、".join(kind.column(k).header for k in kind.key)
        key_text = " || '、' || ".join(f"coalesce(cast(n.{k} as varchar), '（空）')" for k in kind.key)
        same_key = " and ".join(f"n.{k} is not distinct from f.{k}" for k in kind.key)
        place = "'「' || _source_file || '」' || _sheet || '第' || _row_number || '行'"
        _insert_rejects(
            con,
            kind,
            "r",
            f"""
            with numbered as (
                select _source_file, _sheet, _row_number, {key},
                       count(*) over same as copies,
                       row_number() over (same order by _source_file, _sheet, _row_number) as position
                from raw.{kind.table}
                window same as (partition by {key})
            ),
            firsts as (
                select {key}, string_agg({place}, '、' order by position) as places
                from numbered
                where copies > 1 and position <= {DUPLICATE_ROWS_LISTED}
                group by all
            )
            select n._source_file, n._sheet, n._row_number,
                   '{kind.column(kind.key[-1]).header}' as column_name,
                   cast(n.{kind.key[-1]} as varchar) as raw_value,
                   '重复：{headers}为「' || {key_text} || '」的行共 '
                       || n.copies || ' 行（' || f.places
                       || case when n.copies > {DUPLICATE_ROWS_LISTED} then '等' else '' end
                       || '），均未入库，请只保留一行' as reason
            from numbered as n
            inner join firsts as f on {same_key}
            where n.copies > 1
            """,
        )


def check_across_files(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("delete from raw.rejects where check_stage = 'cross'")
    resolve_names(con)
    check_references(con)
    check_duplicates(con)
    place_task_owners(con)  # 任务清单's 责任单位: orgs, departments, groups (task_owners.py)
