"""The pages' SQL, in one place: one module per page (its statements as constants), the generic
rows-behind-an-indicator query (sources.py), and `query`, which runs a statement on the viewer's
part of the snapshot (dashboards/snapshot.py).

A statement may name the score columns of the rulebook's dimensions as `{branch_dimensions}` /
`{college_dimensions}` ("b1::DOUBLE as b1, …" in rulebook order, read from marts.rule_dimensions), so
a dimension added to the rulebook reaches every page without an edit here.
"""

from collections.abc import Sequence
from typing import Any

import polars as pl

from dashboards import snapshot
from dashboards.queries import rulebook

_PLACEHOLDERS = {"{branch_dimensions}": "branch", "{college_dimensions}": "college"}


def query(sql: str, params: Sequence[Any] = ()) -> pl.DataFrame:
    """Run `sql` (with its dimension placeholders filled from the rulebook) on the viewer's snapshot."""
    for placeholder, level in _PLACEHOLDERS.items():
        if placeholder in sql:
            sql = sql.replace(placeholder, rulebook.score_columns_sql(level))
    return snapshot.query(sql, params)
