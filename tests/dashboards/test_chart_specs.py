"""Every chart the pages draw is valid Vega-Lite, although the pages no longer have Altair validate it.

dashboards/chart_view.py hands Streamlit the charts with `to_dict(validate=False)` (validation was a
third of 排名's script run). What Streamlit sent is validated here instead, against the same
Vega-Lite schema Altair uses, page by page on the demo snapshot (both tabs of 排名).
"""

import json
import re
from pathlib import Path

import pytest
from altair.vegalite.v6.schema.core import Root
from jsonschema import ValidationError
from streamlit.testing.v1 import AppTest

REPO = Path(__file__).resolve().parents[2]
APP = REPO / "dashboards" / "app.py"
PAGES = APP.parent / "pages"
RANKING_TAB_KEY = "ranking_tab"


@pytest.fixture(scope="module")
def snapshot(demo_home) -> Path:
    home, _summary, _checks = demo_home
    return home / "serving.duckdb"


def chart_specs(at: AppTest) -> list[dict]:
    return [json.loads(element.proto.spec) for element in at.get("vega_lite_chart")]


def page_specs(page: str, tab: str | None = None) -> list[dict]:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    at.switch_page(page)
    if tab is not None:
        at.session_state[RANKING_TAB_KEY] = tab
    at.run()
    assert not at.exception, at.exception
    return chart_specs(at)


def pages_drawing_charts() -> list[str]:
    return sorted(
        f"pages/{f.name}" for f in PAGES.glob("*.py") if "altair_chart(" in f.read_text(encoding="utf-8")
    )


def test_every_drawn_chart_is_valid_vega_lite(snapshot, monkeypatch):
    monkeypatch.setenv("DANGJIAN_SERVING_DB", str(snapshot))
    drawn: dict[str, int] = {}
    for page in pages_drawing_charts():
        tabs = ["二级党组织排名", "党支部排名"] if page == "pages/ranking.py" else [None]
        for tab in tabs:
            specs = page_specs(page, tab)
            for spec in specs:
                Root.validate(spec)  # raises on anything Vega-Lite would not accept
            drawn[f"{page}{'#' + tab if tab else ''}"] = len(specs)
    # the demo draws every kind of chart: ranking's two tabs two each, trends two, the rest one or more
    assert drawn["pages/ranking.py#二级党组织排名"] == 2
    assert drawn["pages/ranking.py#党支部排名"] == 2
    assert drawn["pages/trends.py"] == 2
    assert all(count >= 1 for count in drawn.values()), drawn
    assert len(drawn) == len(pages_drawing_charts()) + 1


def test_the_validation_rejects_a_broken_spec(snapshot, monkeypatch):
    """The check above can fail: the same spec with a mark Vega-Lite does not have is refused."""
    monkeypatch.setenv("DANGJIAN_SERVING_DB", str(snapshot))
    spec = page_specs("pages/trends.py")[0]
    Root.validate(spec)
    text = json.dumps(spec)
    broken = json.loads(re.sub(r'"type": "(line|bar|point)"', '"type": "barr"', text, count=1))
    assert broken != spec
    with pytest.raises(ValidationError):
        Root.validate(broken)


def test_pages_draw_altair_charts_only_through_chart_view():
    """A page calling st.altair_chart itself would pay the validation again on every run."""
    offenders = [
        f.name for f in PAGES.glob("*.py") if re.search(r"\.altair_chart\(", f.read_text(encoding="utf-8"))
    ]
    assert offenders == []
