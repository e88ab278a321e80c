"""Where every loaded row went: for each sheet kind, the rows `raw` holds and no check rejected, and
whether each reached a public table (schema marts) — or is one of the documented exclusions below.

A row reaches a mart when a mart row carries its lineage (file, sheet where the mart has it, Excel
row), or, for the kinds whose marts aggregate rows (党费, 述职评议, 加减分), when the score it feeds
exists for its org/member and year.

Documented exclusions (what the marts leave out on purpose, and say so in their descriptions):
- 述职评议 and 加减分 of an org that is neither a 党支部 nor a 二级党组织 (the university 党委 itself,
  an org between a college and its branches): only branches and colleges are scored.
"""

import duckdb

# kind → SQL selecting (source_file, sheet, row_number, why) of its loaded rows that reach no mart
_LOADED = """
    select * from raw.{kind} as x
    where not exists (
        select 1 from raw.rejects as r
        where r.check_stage = 'cross' and r.source_file = x._source_file
          and r.sheet = x._sheet and r.row_number = x._row_number
    )
"""


def _by_lineage(kind: str, mart: str, with_sheet: bool) -> str:
    sheet = "and m.source_sheet = l._sheet" if with_sheet else ""
    return f"""
        select l._source_file, l._sheet, l._row_number, '不在 marts.{mart} 中' as why
        from ({_LOADED.format(kind=kind)}) as l
        where not exists (
            select 1 from marts.{mart} as m
            where m.source_file = l._source_file and m.source_row = l._row_number {sheet}
        )
    """


def _scored_orgs(kind: str, what: str) -> str:
    return f"""
        select l._source_file, l._sheet, l._row_number, '{what}' as why
        from ({_LOADED.format(kind=kind)}) as l
        left join marts.dim_org as o on o.year = l.year and o.org_code = l.org_code
        where (o.org_code is null or o.is_branch or o.is_college)
          and not exists (
              select 1 from marts.college_scores as c
              where c.year = l.year and c.college_code = l.org_code and c.quarter = 4
                and ('{kind}' <> 'evaluations' or c.evaluation_score is not null)
          )
          and not exists (
              select 1 from marts.branch_scores as b
              where b.year = l.year and b.branch_code = l.org_code and b.quarter = 4
                and ('{kind}' <> 'evaluations' or exists (
                    select 1 from marts.branch_indicators as i
                    where i.period = b.period and i.org_code = b.branch_code and i.indicator = 'satisfaction'
                ))
          )
    """


CHECKS: dict[str, str] = {
    "orgs": _by_lineage("orgs", "dim_org", with_sheet=False),
    "members": _by_lineage("members", "dim_member", with_sheet=False),
    "training": _by_lineage("training", "training_records", with_sheet=True),
    "activities": _by_lineage("activities", "activity_records", with_sheet=True),
    "funding": _by_lineage("funding", "funding_records", with_sheet=True),
    "checklist": _by_lineage("checklist", "checklist_answers", with_sheet=False),
    "tasks": _by_lineage("tasks", "tasks", with_sheet=True),
    # a ledger row of someone who has not applied by a period's end of its year has no period yet
    "development": _by_lineage("development", "development_records", with_sheet=True)
    + " and l.applied_on <= make_date(l.year, 12, 31)",
    "dues": f"""
        select l._source_file, l._sheet, l._row_number, '党费没有计入任何支部的 dues_on_time' as why
        from ({_LOADED.format(kind="dues")}) as l
        where not exists (
            select 1 from marts.dim_member as m
            join marts.branch_indicators as i
              on i.org_code = m.branch_code and i.year = m.year and i.indicator = 'dues_on_time'
            where m.year = year(l.month) and m.member_key = l.member_key
        )
    """,
    "evaluations": _scored_orgs("evaluations", "述职评议没有计入任何得分"),
    "adjustments": _scored_orgs("adjustments", "加减分没有计入任何得分"),
    # the latest row of each problem is in marts.rectifications; an earlier one was superseded by it;
    # a 问题编号 the problems do not know is a reject
    "rectifications": f"""
        select l._source_file, l._sheet, l._row_number, '不在 marts.rectifications 中，也不在拒收清单中' as why
        from ({_LOADED.format(kind="rectifications")}) as l
        where not exists (
            select 1 from marts.rectifications as m
            where m.year = l.year and m.org_code = l.org_code
              and coalesce(m.problem_id, m.description) = coalesce(l.problem_id, l.description)
              and m.source_file is not null
        )
          and not exists (
            select 1 from marts.rejects as r
            where r.check_stage = 'problem' and r.source_file = l._source_file
              and r.sheet = l._sheet and r.row_number = l._row_number
        )
    """,
}


def unplaced_rows(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    """{kind: [(file, sheet, row, why)]} of loaded rows that reached no mart; empty when all did."""
    out = {}
    for kind, sql in CHECKS.items():
        rows = con.execute(sql + " order by 1, 2, 3").fetchall()
        if rows:
            out[kind] = rows
    return out


def loaded_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Loaded rows per kind (what the reconciliation looked at; a kind with none proves nothing)."""
    return {
        kind: con.execute(f"select count(*) from ({_LOADED.format(kind=kind)})").fetchone()[0]
        for kind in CHECKS
    }
