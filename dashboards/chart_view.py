"""How the pages put an Altair chart on screen: `altair_chart(chart)` instead of `st.altair_chart`.

Streamlit turns a chart into its Vega-Lite spec with `chart.to_dict()`, which validates the spec
against Vega-Lite's JSON schema on every script run: a third of 排名's run (four charts), for specs
that only change in their data. Our charts are built by the pure functions of dashboards/charts.py
and dashboards/trend_charts.py, whose specs the tests validate (tests/dashboards/test_chart_specs.py);
the page skips it. The spec and its data reach the browser as `st.altair_chart` sends them.
"""

from typing import Any

import streamlit as st


class _SpecWithoutValidation:
    """The chart as Streamlit converts it, with `to_dict` not validating (everything else is Altair's)."""

    __slots__ = ("chart",)

    def __init__(self, chart: Any) -> None:
        self.chart = chart

    def to_dict(self, *args: Any, **kwargs: Any) -> dict:
        kwargs["validate"] = False
        return self.chart.to_dict(*args, **kwargs)


def altair_chart(chart: Any, where: Any = None) -> None:
    """Draw `chart` the full width of `where` (a column or tab; the page's main area by default)."""
    (where if where is not None else st).altair_chart(_SpecWithoutValidation(chart), width="stretch")
