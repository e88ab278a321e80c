"""The catalog of the snapshot's `marts` for 自助查询: tables, columns and their Chinese descriptions
(the DuckDB comments the snapshot carries, else dbt's manifest)."""

import json
from pathlib import Path

import polars as pl
import streamlit as st

from dagster_project import serving
from dashboards.snapshot import query

MANIFEST_PATH = serving.CATALOG_MANIFEST

_CATALOG_SQL = """
select c.table_name, t.comment as table_comment, c.column_name, c.data_type, c.comment as column_comment
from duckdb_columns() c
join duckdb_tables() t using (database_name, schema_name, table_name)
where c.database_name = current_database() and c.schema_name = 'marts'
order by c.table_name, c.column_index
"""


def marts_catalog() -> pl.DataFrame:
    """One row per column of the snapshot's `marts` tables.

    Columns: table_name, table_description, column_name, data_type, column_description. A description
    is the DuckDB comment when the snapshot carries one, else dbt's (target/manifest.json), else "".
    """
    frame = query(_CATALOG_SQL)
    docs = dbt_descriptions()
    rows = []
    for r in frame.iter_rows(named=True):
        table_docs = docs.get(r["table_name"], {})
        rows.append(
            {
                "table_name": r["table_name"],
                "table_description": (r["table_comment"] or "").strip() or table_docs.get("", ""),
                "column_name": r["column_name"],
                "data_type": r["data_type"],
                "column_description": (r["column_comment"] or "").strip()
                or table_docs.get(r["column_name"], ""),
            }
        )
    schema = dict.fromkeys(
        ("table_name", "table_description", "column_name", "data_type", "column_description"), pl.String
    )
    return pl.DataFrame(rows, schema=schema)


def dbt_descriptions() -> dict[str, dict[str, str]]:
    """{marts model: {"": model description, column: description}} from dbt's manifest ({} if missing)."""
    path = MANIFEST_PATH
    try:
        version = path.stat().st_mtime_ns
    except OSError:
        return {}
    return _cached_manifest_descriptions(str(path), version)


@st.cache_data(show_spinner=False, max_entries=4)
def _cached_manifest_descriptions(path: str, version: int) -> dict[str, dict[str, str]]:
    del version
    try:
        manifest = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):  # missing, or being rewritten by dbt right now
        return {}
    out: dict[str, dict[str, str]] = {}
    for node in (manifest.get("nodes") or {}).values():
        if not isinstance(node, dict) or node.get("resource_type") != "model":
            continue
        if node.get("schema") != "marts" and "marts" not in (node.get("fqn") or [])[1:-1]:
            continue
        docs = {"": " ".join((node.get("description") or "").split())}
        for name, column in (node.get("columns") or {}).items():
            docs[name] = " ".join((column.get("description") or "").split())
        out[node.get("alias") or node["name"]] = docs
    return out
