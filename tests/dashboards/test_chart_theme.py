"""One Altair theme (dagster_project/reports/chart_theme.py) for the dashboards' charts and the report
images: registered where the dashboards start, so every chart a page ships names the Chinese font and
the readable sizes; and the report's chart renders to a PNG offline."""

import json
from pathlib import Path

import altair as alt
import pytest
from streamlit.testing.v1 import AppTest

from dagster_project.reports.chart_theme import FONT, LABEL_SIZE, THEME_NAME, chart_png
from tests.support.serving_fixture import build_serving_db

APP = Path(__file__).resolve().parents[2] / "dashboards" / "app.py"


@pytest.fixture(scope="module")
def serving_db(tmp_path_factory) -> Path:
    return build_serving_db(tmp_path_factory.mktemp("home") / "serving.duckdb")


def test_the_dashboards_charts_carry_the_shared_theme(serving_db, monkeypatch):
    alt.theme.enable("default")  # as a fresh process has it
    monkeypatch.setenv("DANGJIAN_SERVING_DB", str(serving_db))
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    assert not at.exception, at.exception
    charts = at.get("arrow_vega_lite_chart") + at.get("vega_lite_chart")
    assert charts and alt.theme.active == THEME_NAME
    for chart in charts:
        config = json.loads(chart.proto.spec)["config"]
        assert config["font"].startswith(FONT)
        assert config["axis"]["labelFontSize"] == LABEL_SIZE and config["axis"]["labelFont"].startswith(FONT)


def test_a_chart_renders_to_png_offline():
    chart = (
        alt.Chart(alt.Data(values=[{"维度": "政治引领到位", "得分": 90.5}]))
        .mark_bar()
        .encode(x="得分:Q", y="维度:N")
    )
    png = chart_png(chart, scale=1)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 1000
