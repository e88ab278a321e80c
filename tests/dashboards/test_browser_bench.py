"""`python -m bench`'s browser measures (bench/_browser.py): every dashboard page timed in Chromium on
the demo university's snapshot, and a filter change; a page that shows an error is an error, not a
figure."""

import shutil
import uuid
from pathlib import Path

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
    # the page's clock starts at the click's pointerdown, after Playwright's checks and the call: the
    # change timed from the call spans it
    assert interaction["from_call_ms"][0] >= interaction["runs_ms"][0]
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


def _browser_command_line(marker: str) -> list[str]:
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            args = (entry / "cmdline").read_bytes().decode(errors="replace").split("\0")
        except OSError:
            continue
        if marker in args and not any(a.startswith("--type=") for a in args):
            return args
    raise AssertionError(f"no browser process started with {marker}")


@pytest.mark.e2e
def test_the_bench_browser_keeps_playwright_s_features_off_and_opens_no_address_bar_ui():
    """Chromium keeps only the last --disable-features: the bench's one must still hold every name of
    Playwright's own (the first on the command line), and a new context must open no browser UI of its
    own (the address bar's dropdown, which Chromium 156 preloads in every new window)."""
    from playwright.sync_api import sync_playwright

    _chromium()
    marker = f"--class=dangjian-bench-{uuid.uuid4().hex}"
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=_browser.CHROMIUM, headless=True, args=[*_browser.chromium_args(), marker]
        )
        try:
            args = _browser_command_line(marker)
            lists = [a.split("=", 1)[1].split(",") for a in args if a.startswith("--disable-features=")]
            assert len(lists) == 2, args  # Playwright's, then the bench's (the one Chromium keeps)
            playwright_own, kept = lists
            assert playwright_own and set(playwright_own) <= set(kept)
            assert set(_browser.BROWSER_UI_FEATURES) <= set(kept)

            context = browser.new_context()
            context.new_page().goto("about:blank")
            session = browser.new_browser_cdp_session()
            targets = session.send("Target.getTargets")["targetInfos"]
            assert [t["type"] for t in targets] == ["page"], targets
            context.close()
        finally:
            browser.close()
