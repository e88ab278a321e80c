"""Every dashboard page of a running `dangjian serve` on the demo university, in Debian's Chromium:
each page renders its charts and tables with no error element, and a screenshot is saved.

Set DANGJIAN_SCREENSHOT_DIR to also keep the screenshots (the README's come from here)."""

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.dashboards.test_browser import CHART, CHROMIUM_ARGS, REPO_ROOT, _chromium, dangjian_serve

APP = REPO_ROOT / "dashboards" / "app.py"


def _pages() -> list[tuple[str, str, bool]]:
    """(url path, title, draws charts) for every page declared in the app's navigation."""
    source = APP.read_text(encoding="utf-8")
    pages = []
    for block in re.findall(r"st\.Page\((.*?)\)", source, re.S):
        file = re.search(r'"pages"\s*/\s*"([^"]+)"', block).group(1)
        title = re.search(r'title="([^"]+)"', block).group(1)
        url = re.search(r'url_path="([^"]*)"', block).group(1)
        default = "default=True" in block
        charts = "altair_chart" in (APP.parent / "pages" / file).read_text(encoding="utf-8")
        pages.append(("" if default else url, title, charts))
    return pages


@pytest.fixture(scope="module")
def served_demo(demo_home, tmp_path_factory) -> Iterator[str]:
    home, _, _ = demo_home
    with dangjian_serve(home, tmp_path_factory.mktemp("serve")) as url:
        yield url


@pytest.mark.e2e
def test_every_page_renders_without_errors(served_demo, tmp_path):
    chromium = _chromium()
    from playwright.sync_api import sync_playwright

    pages = _pages()
    assert len(pages) >= 8
    keep = os.environ.get("DANGJIAN_SCREENSHOT_DIR")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
            page.goto(served_demo, wait_until="domcontentloaded")
            page.wait_for_selector('[data-testid="stMainBlockContainer"]', timeout=60_000)
            for url, title, charts in pages:
                page.goto(served_demo + url, wait_until="domcontentloaded")
                page.get_by_role("heading").first.wait_for(timeout=60_000)
                if charts:
                    page.wait_for_selector(CHART, timeout=60_000)
                    page.locator(CHART).first.locator("svg, canvas").first.wait_for(timeout=30_000)
                page.wait_for_function(
                    "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000
                )
                page.wait_for_timeout(500)
                errors = page.locator('[data-testid="stException"]')
                assert errors.count() == 0, f"{title}: {errors.first.inner_text()[:500]}"
                assert "Traceback" not in page.content(), title
                shot = tmp_path / f"{url or 'ranking'}.png"
                page.screenshot(path=str(shot))
                assert shot.stat().st_size > 20_000, title
                if keep:
                    Path(keep).mkdir(parents=True, exist_ok=True)
                    shutil.copy(shot, Path(keep) / shot.name)
        finally:
            browser.close()
