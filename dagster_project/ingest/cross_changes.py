"""Which rows the checks across files must look at again after some files changed (issue 20).

The checks of crosscheck.py used to run over every row of `raw` on every run: at 100× a run with one
changed file spent 21 of its 24 s of ingest there. A row's cross-file rejects depend only on
* its own values (its file changed, or a 所在党支部 it gives by name now resolves to another code),
* whether its references are codes of its year's 组织架构 / 花名册 (the code set's rows with that
  year and code),
* the rows that share its business key (a duplicate),
* for a file a college login submitted, the college it belongs to in its year's 组织架构 tree,
so after a change only these rows are checked again, and their rejects replaced:

1. the rows of a changed, added or re-scoped file;
2. the rows whose key a row of a changed or removed file had, before or after (a duplicate appears
   or goes away with it; no key holds a code given by name, so resolving names moves no key);
3. the rows that refer to a (year, code) that a changed or removed file's 组织架构 or 花名册 row had;
4. the rows that give an org by name, in a year whose 组织架构 changed;
5. the rows of college logins' files, in a year whose 组织架构 or 花名册 changed;
6. every 任务清单 row (a task's 责任单位 are placed again on every run: task_owners.py; few rows).

Every loaded or deleted row of a file is noted in raw.cross_changes in the same transaction as the
load or delete, and the notes are consumed by the transaction that runs the checks: a run that dies
in between leaves them for the next. A warehouse whose checks were last run by other code (the
fingerprint in raw.cross_state), or never, is checked in full, as is every cold run; a full check and
an incremental one leave the same rejects (tests/ingest/test_cross_changes.py).
"""

import hashlib
import json
from pathlib import Path

import duckdb

from dagster_project.contracts import CODE_SETS, SHEET_KINDS, SheetKind, contract_fingerprint
from dagster_project.ingest.scope import owner
from dagster_project.transform.changes import PENDING_TABLE

CHANGES_TABLE = "cross_changes"
# code_year/code: who the row is about (placed_sql: a 组织架构 or 花名册 row, its own (year, code) in the
# code sets); key_hash: hash() of its key
CHANGES_DDL = "kind VARCHAR, source_file VARCHAR, key_hash UBIGINT, code_year BIGINT, code VARCHAR"
STATE_TABLE = "cross_state"
STATE_DDL = "name VARCHAR primary key, value VARCHAR"

_HERE = Path(__file__).parent
# the code whose rejects an incremental check must agree with; other code → the next check is full
_SOURCES = ("crosscheck.py", "cross_changes.py", "scope.py", "task_owners.py")
CODE_SET_KINDS = {s.kind for s in CODE_SETS.values()}


def checks_fingerprint() -> str:
    digest = hashlib.sha256(contract_fingerprint().encode())
    for name in _SOURCES:
        digest.update((_HERE / name).read_bytes())
    return digest.hexdigest()[:16]


def key_hash_sql(kind: SheetKind, alias: str = "t") -> str:
    """One value per business key (hash collisions only make a row checked again, never skipped)."""
    if not kind.key:
        return "cast(null as ubigint)"
    return f"hash({', '.join(f'{alias}.{k}' for k in kind.key)})"


def placed_sql(kind: SheetKind) -> tuple[str, str, str] | None:
    """(year, code, via) of who a row of `kind` (aliased t) is about: a 组织架构 or 花名册 row, its own
    code (as the code sets hold it); another row, the org or member it names (scope.owner). via:
    'org' or 'member'. None: a kind that names neither."""
    for via, code_set in (("org", CODE_SETS["orgs"]), ("member", CODE_SETS["members"])):
        if kind.kind == code_set.kind:
            return "t.year", f"cast(t.{code_set.column} as varchar)", via
    found = owner(kind)
    if found is None:
        return None
    column, year, via = found
    return year, f"cast(t.{column} as varchar)", via


def _note_sql(kind: SheetKind, where: str) -> str:
    year, code = (placed_sql(kind) or ("cast(null as bigint)", "cast(null as varchar)"))[:2]
    return (
        f"select '{kind.kind}' as kind, t._source_file as source_file, {key_hash_sql(kind)} as key_hash, "
        f"{year} as code_year, {code} as code from raw.{kind.table} as t where {where}"
    )


def note_file_rows(con: duckdb.DuckDBPyConnection, source_file: str) -> None:
    """Remember a file's rows as they are now in raw (call before they are deleted, and after a
    new version is inserted)."""
    kinds = " union all ".join(_note_sql(kind, "t._source_file = $file") for kind in SHEET_KINDS)
    # Gathered apart and appended only when there is something to append: in DuckDB 2.0.0 an append
    # of no rows after a large one, in one transaction, left the large one's values unreadable
    # (count(*) still saw the rows; tests/ingest/test_cross_changes.py, many notes).
    con.execute(f"create or replace temp table cross_noted as {kinds}", {"file": source_file})
    if con.execute("select count(*) from cross_noted").fetchone()[0]:
        con.execute(f"insert into raw.{CHANGES_TABLE} select * from cross_noted")
    con.execute("drop table cross_noted")


def incremental(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the last check across files was made by this code (else the next one is full)."""
    row = con.execute(f"select value from raw.{STATE_TABLE} where name = 'fingerprint'").fetchone()
    return row is not None and row[0] == checks_fingerprint()


def note_rescoped(con: duckdb.DuckDBPyConnection, scopes: dict[str, str]) -> None:
    """A file whose college login changed is checked again whole (rule 1)."""
    row = con.execute(f"select value from raw.{STATE_TABLE} where name = 'scopes'").fetchone()
    before: dict[str, str] = json.loads(row[0]) if row else {}
    changed = sorted(f for f in set(before) | set(scopes) if before.get(f) != scopes.get(f))
    for source_file in changed:
        con.execute(f"insert into raw.{CHANGES_TABLE} (kind, source_file) values (null, ?)", [source_file])


def _changed_years(kinds: tuple[str, ...]) -> str:
    listed = ", ".join(f"'{k}'" for k in kinds)
    return f"select code_year from raw.{CHANGES_TABLE} where kind in ({listed}) and code_year is not null"


def affected_sql(kind: SheetKind, scoped: dict[str, str]) -> str:
    """(_source_file, _sheet, _row_number, key_hash) of the rows of `kind` to check again."""
    from dagster_project.ingest.crosscheck import year_sql

    changes = f"raw.{CHANGES_TABLE}"
    rules = [f"t._source_file in (select source_file from {changes} where source_file is not null)"]  # 1
    if kind.key:
        keys = f"select key_hash from {changes} where kind = '{kind.kind}'"
        rules.append(f"{key_hash_sql(kind)} in ({keys})")  # 2
    for ref in kind.references:  # 3
        target = CODE_SETS[ref.target].kind
        rules.append(
            f"({year_sql(kind, ref)}, cast(t.{ref.column} as varchar)) in "
            f"(select code_year, code from {changes} where kind = '{target}')"
        )
    if kind.named:  # 4
        given = " or ".join(f"t.{c.name_column} is not null" for c in kind.named)
        rules.append(f"(({given}) and t.year in ({_changed_years(('orgs',))}))")
    owned = owner(kind)  # the year the college of a row is looked up in (scope.py)
    if scoped and owned is not None:  # 5
        year = owned[1]
        files = ", ".join("'{}'".format(f.replace("'", "''")) for f in sorted(scoped))
        rules.append(f"(t._source_file in ({files}) and {year} in ({_changed_years(tuple(CODE_SET_KINDS))}))")
    where = "true" if kind.kind == "tasks" else " or ".join(rules)  # 6
    return (
        f"select t._source_file, t._sheet, t._row_number, {key_hash_sql(kind)} as key_hash "
        f"from raw.{kind.table} as t where {where}"
    )


def pend_rows(con: duckdb.DuckDBPyConnection, kind: SheetKind, where: str) -> None:
    """The rows of `kind` matching `where` (alias t) may have changed for the next build: noted by
    the year and who they are about, or the whole table where the kind names no one."""
    placed = placed_sql(kind)
    if placed is None:
        con.execute(f"insert into raw.{PENDING_TABLE} (source_table) values (?)", [kind.table])
        return
    year, code, via = placed
    con.execute(
        f"insert into raw.{PENDING_TABLE} select distinct '{kind.table}', {year}, {code}, '{via}' "
        f"from raw.{kind.table} as t where {where}"
    )


def finish(
    con: duckdb.DuckDBPyConnection, scopes: dict[str, str], checked: set[str], whole: bool = True
) -> None:
    """The notes are consumed; the next check may be incremental against what this one left. The
    rows noted as loaded or deleted wait for the next build (transform/changes.py), as do the tables
    of the kinds `checked` again whole (a full check; an incremental one notes the rows it checked
    itself: pend_rows)."""
    for kind in SHEET_KINDS:
        if whole and kind.kind in checked:
            con.execute(f"insert into raw.{PENDING_TABLE} (source_table) values (?)", [kind.table])
            continue
        placed = placed_sql(kind)
        noted = f"from raw.{CHANGES_TABLE} where kind = '{kind.kind}'"
        into = f"insert into raw.{PENDING_TABLE} select distinct '{kind.table}'"
        if placed is None:
            con.execute(f"{into}, null, null, null {noted}")
        else:
            con.execute(f"{into}, code_year, code, '{placed[2]}' {noted}")
    con.execute(f"delete from raw.{CHANGES_TABLE}")
    con.execute(f"delete from raw.{STATE_TABLE}")
    con.execute(
        f"insert into raw.{STATE_TABLE} values ('fingerprint', ?), ('scopes', ?)",
        [checks_fingerprint(), json.dumps(scopes, ensure_ascii=False, sort_keys=True)],
    )
