"""Chinese labels for the columns of a 自助查询 result, from the descriptions the snapshot carries (the
dbt descriptions, published as DuckDB column comments with the data: dashboards/catalog.py).

A result column is matched by name: first among the tables the query names, then any marts table
(a computed or renamed column has no label). The label is the description's head — the words before
its first explanation — next to the English name; the whole description is the column's help text.
"""

import re

import polars as pl

_HEAD_END = re.compile(r"[（(：:，,；;。]")
MAX_HEAD = 14  # characters of a label; a longer head is cut with "…"


def description_head(description: str) -> str:
    """ "考核期，如"2024Q2"…" -> "考核期"; "C1 政治引领到位得分（0–100）：…" -> "C1 政治引领到位得分"."""
    head = _HEAD_END.split(description.strip(), maxsplit=1)[0].strip()
    return head if len(head) <= MAX_HEAD else head[: MAX_HEAD - 1] + "…"


def result_labels(columns: list[str], catalog: pl.DataFrame, sql: str) -> dict[str, tuple[str, str]]:
    """{result column: (label "english · 中文", full description)} for the columns found in `catalog`
    (table_name, column_name, column_description)."""
    words = set(re.findall(r"[a-z_][a-z0-9_]*", sql.lower()))
    named = catalog.with_columns(pl.col("table_name").is_in(list(words)).alias("_named")).sort(
        "_named", descending=True, maintain_order=True
    )
    described = named.filter(pl.col("column_description").fill_null("") != "")
    found: dict[str, str] = {}
    for column, description in described.select("column_name", "column_description").iter_rows():
        found.setdefault(column, description)
    labels = {}
    for column in columns:
        description = found.get(column)
        if description:
            labels[column] = (f"{column} · {description_head(description)}", description)
    return labels
