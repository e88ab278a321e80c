"""Adding a sheet kind is one declaration in dagster_project/contracts, its staging model and the
regenerated source docs — and whatever is still missing fails here, naming the kind.

The rules of a kind live on its declaration: a kind declared only in a test (never listed in
SHEET_KINDS) gets its row rules, its default, its derived column and its references applied by the
reader and the checks across files, with nothing of it written anywhere else.
"""

import datetime as dt
import json

import duckdb
import polars as pl
import pytest
import yaml
from python_calamine import CalamineWorkbook

from dagster_project.contracts import SHEET_KINDS, Column, Derived, Reference, RowRule, SheetKind
from dagster_project.contracts.common import ORG, YEAR
from dagster_project.ingest.crosscheck import reference_problems_sql
from dagster_project.ingest.formats import TextSheet
from dagster_project.ingest.header import HeaderMatch
from dagster_project.ingest.raw_docs import SOURCES_PATH
from dagster_project.ingest.reader import empty_table, parse_sheet
from dagster_project.ingest.store import expected_tables
from dagster_project.reports.templates import HEADER_ROW, template_name, write_templates

TODAY = dt.date(2025, 3, 1)


# --- every declared kind has everything it needs ------------------------------------------------------


def _staging_models(manifest: dict) -> dict[str, dict]:
    return {
        node["name"]: node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["original_file_path"].startswith("models/staging/")
    }


# dbt nodes that must read every staging model of a sheet kind, and what they do with it.
NEEDS_EVERY_STAGING_MODEL = {
    "model.dangjian.load_summary": "the years of each file (load_summary.years; what a freeze lists per year)",
    "test.dangjian.assert_every_row_read_is_loaded_or_rejected": (
        "the staged rows counted against rows read (dbt/tests/singular/assert_every_row_read_is_loaded_or_rejected.sql)"
    ),
}


def _feeds(manifest: dict, node: str, target: str) -> bool:
    """Whether `node` is among the ancestors of `target` in dbt's graph."""
    seen, todo = set(), [target]
    while todo:
        current = todo.pop()
        for parent in manifest["parent_map"].get(current, []):
            if parent == node:
                return True
            if parent not in seen:
                seen.add(parent)
                todo.append(parent)
    return False


@pytest.mark.parametrize("kind", SHEET_KINDS, ids=lambda k: k.kind)
def test_every_sheet_kind_has_a_raw_table_a_staging_model_a_template_and_docs(kind, dbt_manifest, tmp_path):
    missing = []
    if kind.table not in expected_tables():
        missing.append(f"raw.{kind.table} (ingest/store.py)")

    (sources,) = yaml.safe_load(SOURCES_PATH.read_text(encoding="utf-8"))["sources"]
    manifest = json.loads(dbt_manifest.read_text(encoding="utf-8"))
    source = f"source.dangjian.{sources['name']}.{kind.table}"
    readers = [m for m in _staging_models(manifest).values() if source in m["depends_on"]["nodes"]]
    if not readers:
        missing.append(
            f"a staging model reading source('{sources['name']}', '{kind.table}') (dbt/models/staging/)"
        )
    elif not all(m["description"].strip() for m in readers):
        missing.append(f"a description of {', '.join(m['name'] for m in readers)} (its .yml)")
    if readers:  # the one list in dbt of the staging models that hold a sheet kind's rows
        for needed_by, what in NEEDS_EVERY_STAGING_MODEL.items():
            if not any(_feeds(manifest, reader["unique_id"], needed_by) for reader in readers):
                missing.append(f"{' or '.join(r['name'] for r in readers)} among {what}")

    documented = {t["name"]: t for t in sources["tables"]}
    if kind.table not in documented:
        missing.append(
            f"{kind.table} in {SOURCES_PATH.name} (uv run python -m dagster_project.ingest.raw_docs)"
        )
    else:
        columns = {c["name"] for c in documented[kind.table]["columns"]}
        undocumented = [c.name for c in kind.columns if c.name not in columns]
        if undocumented:
            missing.append(f"columns {undocumented} in {SOURCES_PATH.name} (regenerate it)")

    written = {p.name: p for p in write_templates(tmp_path)}
    if template_name(kind) not in written:
        missing.append(f"the template {template_name(kind)}")
    else:
        sheet = CalamineWorkbook.from_path(str(written[template_name(kind)])).get_sheet_by_name(kind.title)
        header = sheet.to_python(skip_empty_area=False)[HEADER_ROW]
        if header[: len(kind.columns)] != [c.header for c in kind.columns]:
            missing.append(f"the template's header row ({header})")
    assert not missing, f"sheet kind {kind.kind} ({kind.title}) lacks: " + "; ".join(missing)


def test_every_sheet_kind_declared_in_contracts_is_listed_in_sheet_kinds():
    """A kind's module written but not listed would simply never be read."""
    import importlib
    import pkgutil

    from dagster_project import contracts

    declared = set()
    for module in pkgutil.iter_modules(contracts.__path__):
        values = vars(importlib.import_module(f"{contracts.__name__}.{module.name}")).values()
        declared |= {v.kind for v in values if isinstance(v, SheetKind)}
    assert declared == {k.kind for k in SHEET_KINDS}


def test_a_misspelt_column_in_a_declaration_fails_when_the_kind_is_declared():
    with pytest.raises(ValueError, match="unknown columns \\['plannd'\\]"):
        SheetKind(
            "visits",
            "走访台账",
            (Column("planned", "计划人数", "int"), Column("visited", "走访人数", "int")),
            row_rules=(RowRule("visited", ">", "plannd", "走访人数大于计划人数"),),
        )


# --- a kind's rules come from its declaration ---------------------------------------------------------

VISITS = SheetKind(
    "visits",
    "走访台账",
    (
        YEAR,
        ORG,
        Column("visited_on", "走访日期", "date", required=True),
        Column("planned", "计划人数", "int", min_value=0),
        Column("visited", "走访人数", "int", min_value=0),
        Column("way", "方式", allowed=("上门", "电话"), default="上门"),
        Column("summary", "情况"),
    ),
    key=("org_code", "visited_on"),
    row_rules=(RowRule("visited", ">", "planned", "走访人数大于计划人数"),),
    derived=(Derived("summary_text", "summary", "text", "str", "情况原文"),),
    references=(Reference("org_code", "orgs", "visited_on"),),
)
HEADERS = ["年度", "组织编码", "走访日期", "计划人数", "走访人数", "方式", "情况"]
ROWS = [
    ["2024", "0101", "2024-05-06", "3", "2", None, "  谈心  "],  # Excel row 2: loads, 方式 = 上门
    ["2024", "0101", "2024-05-07", "3", "5", "电话", None],  # row 3: 5 visited of 3 planned
    ["2024", "9901", "2024-05-08", "4", "4", "电话", None],  # row 4: loads; no such org (cross check)
    ["2024", "0101", "2026-01-01", "1", "1", "上门", None],  # row 5: after TODAY
]


def _sheet() -> TextSheet:
    rows = [HEADERS, *ROWS]
    cells = pl.DataFrame(
        {f"c{j}": pl.Series([r[j] for r in rows], dtype=pl.String) for j in range(len(HEADERS))}
    )
    return TextSheet("走访", cells)


def test_a_kind_declared_only_in_its_declaration_is_read_by_its_own_rules():
    match = HeaderMatch(VISITS, 0, {c.name: j for j, c in enumerate(VISITS.columns)})
    result = parse_sheet(_sheet(), match, "visits.xlsx", TODAY)

    assert result.rows_read == 4
    assert result.rejects.select("row_number", "column_name", "raw_value", "reason").rows() == [
        (3, "走访人数", "5", "走访人数大于计划人数"),
        (5, "走访日期", "2026-01-01", "「走访日期」晚于今天（2025-03-01），日期不可能"),
    ]
    loaded = result.loaded.select("_row_number", "org_code", "visited", "way", "summary_text").rows()
    assert loaded == [(2, "0101", 2, "上门", "谈心"), (4, "9901", 4, "电话", None)]
    assert result.loaded.columns[: len(empty_table(VISITS).columns) - 1] == empty_table(VISITS).columns[:-1]


def test_a_kind_s_references_are_checked_against_the_code_set_of_the_row_s_own_year():
    match = HeaderMatch(VISITS, 0, {c.name: j for j, c in enumerate(VISITS.columns)})
    loaded = parse_sheet(_sheet(), match, "visits.xlsx", TODAY).loaded
    con = duckdb.connect()
    con.execute("create schema raw")
    con.execute("create table raw.orgs as select 2024 as year, '0101' as org_code, '党支部' as org_type")
    con.register("visits_rows", loaded)
    con.execute("create table raw.visits as select * from visits_rows")
    (ref,) = VISITS.references
    problems = con.execute(reference_problems_sql(VISITS, ref, "raw.visits")).fetchall()
    assert problems == [
        ("visits.xlsx", "走访", 4, "组织编码", "9901", "「组织编码」9901 不在2024年度组织架构中")
    ]


def test_a_changed_contract_makes_unchanged_files_parsed_again(monkeypatch):
    """A sheet of a kind the last run did not know sits in a file whose content has not changed: the
    parser version follows the contract, so the next run reads that file again and finds the sheet."""
    from dagster_project import contracts
    from dagster_project.ingest import store

    before = contracts.contract_fingerprint()
    assert store.PARSER_VERSION.endswith(before)
    monkeypatch.setattr(contracts, "SHEET_KINDS", (*SHEET_KINDS, VISITS))
    assert contracts.contract_fingerprint() != before


def test_every_sheet_kind_says_where_its_loaded_rows_go():
    """tests/support/reconcile.py proves that no loaded row vanishes; a kind it does not know would go unchecked."""
    from tests.support.reconcile import CHECKS

    assert set(CHECKS) == {k.kind for k in SHEET_KINDS}
