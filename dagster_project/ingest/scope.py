"""A college login submits for its own college only (报送). Two rules, applied wherever a file is
loaded — the preview of `dangjian check` and of the 数据报送 page, and every run (the submitter of a
file travels with it in the submissions log):

* a sheet kind kept for the 组织部 (SheetKind.org_only: 述职评议, 加减分, 任务清单) refuses the whole
  file, naming the kind;
* a row whose org, branch or member belongs to another college is rejected
  `不属于本单位（<that college's name>）`; a 组织架构 row of the university itself (the 党委 with no
  parent) is the 组织部's, and rejected too.

A row's college is found in the year's 组织架构 tree: the org directly under the university 党委 that the
row's org descends from (a member: the org of their branch in the 党员花名册). A code that is in no
组织架构 is left to the reference check, which rejects it already.
"""

from dagster_project.contracts import CODE_SETS, SHEET_KINDS, SheetKind
from dagster_project.ingest.reader import FileResult, whole_file_result


def org_only_refusal(kinds: list[str]) -> str | None:
    """The whole-file reason when a college login's file carries a 组织部-only kind."""
    titles = [k.title for k in SHEET_KINDS if k.kind in kinds and k.org_only]
    if not titles:
        return None
    return (
        f"「{'」「'.join(titles)}」由组织部报送，学院账号不能提交：整份文件未入库。"
        "请把这些工作表删去后重新提交，或交组织部报送"
    )


def refuse_org_only(result: FileResult) -> FileResult:
    """The file as a college login may load it: unchanged, or refused whole."""
    reason = org_only_refusal([s.kind for s in result.sheets])
    return result if reason is None else whole_file_result(result.source_file, reason)


def _tree_sql(codes: str) -> str:
    """(year, org_code, college_code) of every org reachable from a university 党委 (college_code null
    for the 党委 itself)."""
    return f"""
        with recursive tree as (
            select year, org_code, cast(null as varchar) as college_code
            from {codes}.orgs where parent_code is null
            union
            select child.year, child.org_code, coalesce(tree.college_code, child.org_code)
            from {codes}.orgs as child
            inner join tree on child.year = tree.year and child.parent_code = tree.org_code
        )
        select tree.year, tree.org_code, tree.college_code,
               coalesce((select min(o.org_name) from {codes}.orgs as o
                         where o.year = tree.year and o.org_code = tree.college_code), tree.college_code)
                   as college_name,
               (select min(o.org_name) from {codes}.orgs as o
                where o.year = tree.year and o.org_code = tree.org_code) as org_name
        from tree
    """


def owner(kind: SheetKind) -> tuple[str, str, str] | None:
    """(column, year expression, how the column names an org: 'org' or 'member') of a kind's rows."""
    from dagster_project.ingest.crosscheck import year_sql  # crosscheck runs this module's checks

    if kind.kind == CODE_SETS["orgs"].kind:
        column = CODE_SETS["orgs"].column
        return column, f"t.{kind.key[0]}", "org"
    for ref in kind.references:
        via = "member" if CODE_SETS[ref.target].kind == CODE_SETS["members"].kind else "org"
        return ref.column, year_sql(kind, ref), via
    return None


def scope_problems_sql(kind: SheetKind, rows: str, scoped: dict[str, str], codes: str = "raw") -> str | None:
    """The rows of `rows` (lineage columns included) in a file of `scoped` ({file: college code})
    that belong to another college: (_source_file, _sheet, _row_number, column_name, raw_value,
    reason). None when the kind names no org."""
    found = owner(kind)
    if found is None or not scoped:
        return None
    column, year, via = found
    files = ", ".join(
        "('{}', '{}')".format(name.replace("'", "''"), college.replace("'", "''"))
        for name, college in scoped.items()
    )
    org = f"t.{column}"
    if via == "member":
        org = (
            f"(select min(m.branch_code) from {codes}.members as m "
            f"where m.year = {year} and m.member_key = t.{column})"
        )
    header = kind.column(column).header
    university = kind.kind == CODE_SETS["orgs"].kind
    return f"""
        select t._source_file, t._sheet, t._row_number, '{header}' as column_name,
               cast(t.{column} as varchar) as raw_value,
               case when tree.college_code is null
                    then '组织架构中的校级组织（' || coalesce(tree.org_name, t.{column})
                         || '）只能由组织部报送'
                    else '不属于本单位（' || tree.college_name || '）' end as reason
        from {rows} as t
        inner join (values {files}) as scoped(source_file, college_code)
            on scoped.source_file = t._source_file
        inner join ({_tree_sql(codes)}) as tree
            on tree.year = {year} and tree.org_code = {org}
        where tree.college_code is distinct from scoped.college_code
          and (tree.college_code is not null or {str(university).lower()})
    """
