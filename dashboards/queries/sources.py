"""The rows behind an indicator, with one generic query read off marts.indicator_sources.

The rulebook says, per indicator, which published table holds the rows it was computed from, whose
rows (the org's own or its whole college's), and which filter (seeds/rule_indicators.csv
detail_table / detail_scope / detail_filter); dbt turns that into marts.indicator_sources. This
module only builds the WHERE clause those columns describe — no indicator is named here, so a new
indicator's rows show on the detail page without an edit to the dashboards.
"""

from datetime import date
from typing import Any

import polars as pl

from dashboards import snapshot

SOURCE_SQL = """
select level, indicator, indicator_name, source_sheet, detail_table, org_column, period_column,
    date_column, year_column, filter_column, filter_values, flag_column, description
from marts.indicator_sources
where level = ? and indicator = ?
"""


def indicator_source(level: str, indicator: str) -> dict[str, Any] | None:
    """The row of marts.indicator_sources for one indicator (None when the rulebook has no such row)."""
    frame = snapshot.query(SOURCE_SQL, [level, indicator])
    return frame.row(0, named=True) if frame.height else None


def source_rows(
    source: dict[str, Any], org_code: str, year: int, period: str, period_end: date
) -> pl.DataFrame:
    """The rows of `source["detail_table"]` behind the indicator for `org_code` in `period`.

    Table and column names come from the published indicator_sources, and each is checked against
    the snapshot's own columns before it is put in the statement (the values are parameters).
    Raises ValueError when the table or a column named there is not in the snapshot.
    """
    table = source["detail_table"]
    columns = snapshot.table_columns("marts", table) if table else []
    if not columns:
        raise ValueError(f"看板快照中没有明细表 marts.{table}")

    def column(name: str) -> str:
        if name not in columns:
            raise ValueError(f"明细表 marts.{table} 中没有列 {name}")
        return 'detail."' + name + '"'

    year_column = source.get("year_column") or "year"
    where, params = [f"{column(source['org_column'])} = ?", f"{column(year_column)} = ?"], [org_code, year]
    if source["period_column"]:
        where.append(f"{column(source['period_column'])} = ?")
        params.append(period)
    if source["date_column"]:
        dated = column(source["date_column"])
        where.append(f"({dated} is null or {dated} <= ?)")
        params.append(period_end)
    if source["filter_column"]:
        where.append(f"list_contains(?, {column(source['filter_column'])})")
        params.append(list(source["filter_values"] or []))
    if source["flag_column"]:
        where.append(f"coalesce({column(source['flag_column'])}, false)")
    # every published detail table carries the file and row each of its rows comes from
    order = (
        "source_file, source_row" if "source_file" in columns else ", ".join(f'"{c}"' for c in columns[:3])
    )
    sql = f'select detail.* from marts."{table}" as detail\nwhere {" and ".join(where)}\norder by {order}'

    return snapshot.query(sql, params)
