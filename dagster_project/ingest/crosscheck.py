"""Rules that need every file at once, run after the inbox is in step: names given instead of codes
are resolved, references to 组织架构 and 党员花名册 are checked, and a business key that appears twice
(in one file or in two) is reported for both rows. Such rows stay in `raw` for the record and are
listed in raw.rejects with check_stage = 'cross'; staging reads raw without them.

A correction in one file (a new branch in 组织架构) clears the rejects it explains in the others. A
cold run checks every row; a run after some files changed checks again only the rows those changes
can reach (cross_changes.py), and leaves the rejects a full check would.
"""

from collections.abc import Callable

import duckdb

from dagster_project.contracts import CODE_SETS, SHEET_KINDS, CodeSet, Reference, SheetKind
from dagster_project.ingest.cross_changes import affected_sql, key_hash_sql, note_rescoped, pend_rows
from dagster_project.ingest.scope import scope_problems_sql
from dagster_project.ingest.task_owners import place_task_owners


def code_set_sql(target: CodeSet, codes: str = "raw") -> str:
    """(year, code) of every code in a code set, from schema `codes` (raw in a run; a preview's
    schema of the published codes plus the previewed file's own)."""
    sql = f"select year, {target.column} as code from {codes}.{target.kind}"
    if target.only is not None:
        column, values = target.only
        sql += f" where {column} in ({', '.join(repr(v) for v in values)})"
    return sql


def year_sql(kind: SheetKind, ref: Reference) -> str:
    """The assessment year of a row aliased `t`: its int column, or the year its date falls in."""
    column = kind.column(ref.year_from)
    # Qualified with the row's alias `t`: inside the check's subquery a bare `year` would be the
    # target's own column, and a row of a year without that 组织架构 would pass unchecked.
    return f"t.{column.name}" if column.type == "int" else f"year(t.{column.name})"


def _row_values_sql(kind: SheetKind, alias: str) -> str:
    pairs = []
    for c in kind.columns:
        value = f"cast({alias}.{c.name} as varchar)"
        if c.type == "idcard":
            value = f"left({alias}.{c.name}, 4) || '**********' || right({alias}.{c.name}, 4)"
        pairs.append(f"'{c.header}', {value}")
    return f"cast(json_object({', '.join(pairs)}) as varchar)"


def insert_rejects(con: duckdb.DuckDBPyConnection, kind: SheetKind, alias: str, body: str) -> None:
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


def resolve_names(con: duckdb.DuckDBPyConnection, codes: str = "raw") -> None:
    """Codes given as names (所在党支部) → codes of that year's 组织架构, by exact name."""
    for kind in SHEET_KINDS:
        for column in kind.named:
            con.execute(
                f"""
                update raw.{kind.table} as t
                set {column.name} = (
                    select min(o.org_code) from {codes}.orgs as o
                    where o.year = t.year and o.org_name = t.{column.name_column}
                )
                where t.{column.name_column} is not null
                """
            )


def reference_problems_sql(kind: SheetKind, ref: Reference, rows: str, codes: str = "raw") -> str:
    """The rows of `rows` (a relation of `kind`'s loaded rows, lineage columns included) whose `ref`
    names no code of its year: (_source_file, _sheet, _row_number, column_name, raw_value, reason).
    The code sets are read from schema raw, so a preview of one file can run it against a warehouse."""
    column = kind.column(ref.column)
    target = CODE_SETS[ref.target]
    year = year_sql(kind, ref)
    given = f"coalesce(t.{column.name_column}, t.{ref.column})" if column.name_headers else f"t.{ref.column}"
    return f"""
        select t._source_file, t._sheet, t._row_number,
               '{column.header}' as column_name, {given} as raw_value,
               '「{column.header}」' || {given} || ' 不在'
                   || cast({year} as varchar) || '年度{target.label}中' as reason
        from {rows} as t
        where ({given}) is not null
          and not exists (
              select 1 from ({code_set_sql(target, codes)}) as target
              where target.year = {year} and target.code = t.{ref.column}
          )
        """


# The rows of a kind a check looks at: all of raw.<table>, or those a change can reach.
Rows = Callable[[SheetKind], str]


def _every_row(kind: SheetKind) -> str:
    return f"raw.{kind.table}"


def check_references(con: duckdb.DuckDBPyConnection, codes: str = "raw", rows: Rows = _every_row) -> None:
    """Every reference a sheet kind declares (SheetKind.references), row by row."""
    for kind in SHEET_KINDS:
        for ref in kind.references:
            insert_rejects(con, kind, "r", reference_problems_sql(kind, ref, rows(kind), codes))


# Rows a duplicate's reason lists: enough to find the copies, however many there are.
DUPLICATE_ROWS_LISTED = 3


def check_duplicates(
    con: duckdb.DuckDBPyConnection, rows: Rows = _every_row, only: Callable[[SheetKind], str] | None = None
) -> None:
    """Each row whose business key other rows share is one reject naming the key, how many rows
    have it and the first DUPLICATE_ROWS_LISTED of them. Rows are grouped by key (a window and one
    aggregate), so time and memory grow with the rows, not with the square of a group's size, and
    each reason has the same bounded length however often a row was pasted.
    rows: every row with a key of the rows checked; only: a condition on them (alias n), or None."""
    for kind in SHEET_KINDS:
        if not kind.key:  # a kind whose rows may repeat (整改台账: the latest report of a problem counts)
            continue
        key = ", ".join(kind.key)
        headers = "、".join(kind.column(k).header for k in kind.key)
        key_text = " || '、' || ".join(f"coalesce(cast(n.{k} as varchar), '（空）')" for k in kind.key)
        same_key = " and ".join(f"n.{k} is not distinct from f.{k}" for k in kind.key)
        place = "'「' || _source_file || '」' || _sheet || '第' || _row_number || '行'"
        insert_rejects(
            con,
            kind,
            "r",
            f"""
            with numbered as (
                select _source_file, _sheet, _row_number, {key},
                       count(*) over same as copies,
                       row_number() over (same order by _source_file, _sheet, _row_number) as position
                from {rows(kind)}
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
            where n.copies > 1 and {only(kind) if only else "true"}
            """,
        )


def check_scope(
    con: duckdb.DuckDBPyConnection, scoped: dict[str, str], codes: str = "raw", rows: Rows = _every_row
) -> None:
    """Rows of a college login's files that belong to another college (scope.py)."""
    for kind in SHEET_KINDS:
        body = scope_problems_sql(kind, rows(kind), scoped, codes)
        if body is not None:
            insert_rejects(con, kind, "r", body)


def check_across_files(
    con: duckdb.DuckDBPyConnection,
    scopes: dict[str, str] | None = None,
    codes: str = "raw",
    changed_only: bool = False,
) -> set[str]:
    """scopes: {file: college code} of the files a college login submitted (their rows must be the
    college's own, scope.py); codes: the schema the code sets are read from (a preview's differs);
    changed_only: check again only the rows the changes noted in raw.cross_changes can reach.
    Returns the kinds whose rows were checked again (their rejects across files may have changed)."""
    scopes = scopes or {}
    if changed_only:
        note_rescoped(con, scopes)
    else:
        con.execute("delete from raw.rejects where check_stage = 'cross'")
    resolve_names(con, codes)
    checked = {kind.kind for kind in SHEET_KINDS}
    if changed_only:
        checked = _check_changed(con, scopes, codes)
    else:
        check_references(con, codes)
        check_scope(con, scopes, codes)
        check_duplicates(con)
    place_task_owners(con, orgs_table=f"{codes}.orgs")  # 任务清单's 责任单位 (task_owners.py)
    return checked


def _check_changed(con: duckdb.DuckDBPyConnection, scopes: dict[str, str], codes: str) -> set[str]:
    def affected(kind: SheetKind) -> str:
        return f"cross_affected_{kind.kind}"

    def same_row(kind: SheetKind, alias: str) -> str:
        return (
            f"exists (select 1 from {affected(kind)} as a where a._source_file = {alias}._source_file "
            f"and a._sheet = {alias}._sheet and a._row_number = {alias}._row_number)"
        )

    for kind in SHEET_KINDS:
        con.execute(f"create or replace temp table {affected(kind)} as {affected_sql(kind, scopes)}")
        con.execute(
            f"""
            delete from raw.rejects as r
            where r.check_stage = 'cross' and r.kind = '{kind.kind}' and exists (
                select 1 from {affected(kind)} as a
                where a._source_file = r.source_file and a._sheet = r.sheet and a._row_number = r.row_number
            )
            """
        )

    def rows(kind: SheetKind) -> str:
        return f"(select * from raw.{kind.table} as t where {same_row(kind, 't')})"

    def sharing_a_key(kind: SheetKind) -> str:
        return (
            f"(select * from raw.{kind.table} as t "
            f"where {key_hash_sql(kind)} in (select key_hash from {affected(kind)}))"
        )

    check_references(con, codes, rows)
    check_scope(con, scopes, codes, rows)
    check_duplicates(con, sharing_a_key, lambda kind: same_row(kind, "n"))
    checked = set()
    for kind in SHEET_KINDS:
        if con.execute(f"select count(*) from {affected(kind)}").fetchone()[0]:
            checked.add(kind.kind)
            pend_rows(con, kind, same_row(kind, "t"))  # their rejects may have changed: the build reads them
        con.execute(f"drop table {affected(kind)}")
    return checked
