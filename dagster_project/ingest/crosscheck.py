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


def check_duplicates(con: duckdb.DuckDBPyConnection) -> None:
    for kind in SHEET_KINDS:
        key = kind.key
        headers = "、".join(kind.column(k).header for k in key)
        same_key = " and ".join(f"a.{k} is not distinct from b.{k}" for k in key)
        _insert_rejects(
            con,
            kind,
            "r",
            f"""
            with repeated as (
                select * from (
                    select *, count(*) over (partition by {", ".join(key)}) as n from raw.{kind.table}
                ) where n > 1
            )
            select a._source_file, a._sheet, a._row_number,
                   '{kind.column(key[-1]).header}' as column_name,
                   cast(a.{key[-1]} as varchar) as raw_value,
                   '与' || string_agg(
                       '「' || b._source_file || '」' || b._sheet || '第' || b._row_number || '行',
                       '、' order by b._source_file, b._sheet, b._row_number
                   ) || '重复（{headers}相同），两行均未入库，请删除其中一行' as reason
            from repeated as a
            inner join repeated as b
                on {same_key}
                and not (a._source_file = b._source_file and a._sheet = b._sheet
                         and a._row_number = b._row_number)
            group by a._source_file, a._sheet, a._row_number, a.{key[-1]}
            """,
        )


def check_across_files(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("delete from raw.rejects where check_stage = 'cross'")
    resolve_names(con)
    check_references(con)
    check_duplicates(con)
    place_task_owners(con)  # 任务清单's 责任单位: orgs, departments, groups (task_owners.py)
