"""`python -m bench`'s browser measures (bench/_browser.py): every dashboard page timed in Chromium on
the demo university's snapshot, and a filter change; a page that shows an error is an error, not a
figure."""

import shutil

import pytest

from bench import _browser
from tests.dashboards.test_browser import _chromium
from tests.dashboards.test_browser_pages import _pages
from tests.support.serving_fixture import build_serving_db


@pytest.mark.e2e
def test_every_page_has_a_load_time_and_the_filter_change_one(demo_home, tmp_path):
    _chromium()
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(demo_home[0] / "serving.duckdb", home / "serving.duckdb")

    figures = _browser.measure(home, loads=1)

    pages = figures["browser_pages"]
    # every page of the app's navigation (counted independently by the page-render test), once each
    assert [p["page"] for p in pages] == [title for _, title, _ in _pages()]
    assert len(pages) >= 12
    for p in pages:
        assert p["errors"] == 0, f"{p['page']}: {p['error']}"
        assert len(p["runs_ms"]) == 1 and p["p95_ms"] == p["runs_ms"][0] > 0, p
    assert figures["page_load_errors"] == 0
    assert figures["page_load_p95_ms"] == max(p["p95_ms"] for p in pages)
    interaction = figures["interaction"]
    assert interaction["errors"] == 0, interaction["error"]
    assert len(interaction["runs_ms"]) == 1 and figures["interaction_p95_ms"] > 0
    # the floor: the one-line page served the same way, loaded once, counted when it completed
    assert len(figures["page_floor_runs_ms"]) == 1
    assert figures["page_floor_p95_ms"] == figures["page_floor_runs_ms"][0] > 0


@pytest.mark.e2e
def test_a_page_showing_an_exception_is_an_error_not_a_figure(tmp_path):
    """The small fixture snapshot has the 排名 tables but not 学院详情's: that page shows Streamlit's
    exception element, which the measure must count as an error with its message."""
    _chromium()
    home = tmp_path / "home"
    build_serving_db(home / "serving.duckdb")

    figures = _browser.measure(home, loads=1)

    by_page = {p["page"]: p for p in figures["browser_pages"]}
    assert by_page["排名"]["errors"] == 0 and by_page["排名"]["p95_ms"] > 0
    college = by_page["学院详情"]
    assert college["errors"] == 1 and college["p95_ms"] is None and college["runs_ms"] == []
    assert "college_scores" in college["error"]
    assert figures["page_load_errors"] >= 1
