"""A 学院 login in a real browser cannot see another college, by any page or URL parameter.

`dangjian serve` on a copy of the demo university's snapshot with one user for college 01
(计算机学院党委). In Debian's Chromium the test logs in through the form and opens every page URL
of the app — 自助查询 (`/sql`, and `/sql_query`, the name Streamlit's old pages/ mode would give it)
included — and the same pages with URL parameters naming another college. On every page its own
college's name is shown and no other college's name is in the page text; nor is it in anything the
server sent over the websocket (tables and charts are drawn on canvases, so their data is checked
where it travels: the Arrow bytes inside the messages).
"""

import contextlib
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from dagster_project.access.users import add_user
from tests.dashboards.test_browser import CHROMIUM_ARGS, _chromium, dangjian_serve
from tests.dashboards.test_browser_pages import _pages

COLLEGE = "01"
USER = "jsj"
PASSWORD = "jsj-browser-pass"
STATUS_IDLE = "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"


@pytest.fixture(scope="module")
def college_home(demo_home, tmp_path_factory) -> tuple[Path, str, list[str]]:
    """(fresh home with the demo snapshot and a college-01 user, own college name, other colleges' names)."""
    demo, _, _ = demo_home
    home = tmp_path_factory.mktemp("auth_home")
    shutil.copy(demo / "serving.duckdb", home / "serving.duckdb")  # users.json stays out of the demo home
    add_user(home / "users.json", USER, PASSWORD, "college", COLLEGE)
    with duckdb.connect(str(home / "serving.duckdb"), read_only=True) as con:
        names = dict(
            con.execute("select distinct org_code, org_name from marts.dim_org where is_college").fetchall()
        )
    own = names.pop(COLLEGE)
    assert len(names) >= 10
    return home, own, sorted(names.values())


@pytest.fixture(scope="module")
def served(college_home, tmp_path_factory) -> Iterator[str]:
    home, _, _ = college_home
    with dangjian_serve(home, tmp_path_factory.mktemp("serve_auth")) as url:
        yield url


def _settle(page) -> None:
    page.wait_for_function(STATUS_IDLE, timeout=60_000)
    page.wait_for_timeout(700)
    page.wait_for_function(STATUS_IDLE, timeout=60_000)


def _login_form(page):
    page.locator("h1").first.wait_for(timeout=60_000)
    form = page.locator('[data-testid="stForm"]')
    with contextlib.suppress(Exception):  # the title can arrive a moment before the form when busy
        page.get_by_label("密码").wait_for(timeout=30_000)
    assert form.count() == 1, f"no login form: {page.inner_text('body')[:300]}"
    return form


def _close_dialog(page) -> None:
    """Streamlit's "Page not found" notice (a URL naming no page of the navigation) is modal."""
    dialog = page.get_by_role("dialog")
    if dialog.count():
        page.keyboard.press("Escape")
        dialog.first.wait_for(state="detached", timeout=10_000)


def _log_in(page) -> None:
    _login_form(page)
    _settle(page)
    _close_dialog(page)
    page.get_by_label("用户名").fill(USER)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("登录")).click()
    page.get_by_role("button", name=re.compile("退出登录")).wait_for(timeout=60_000)
    page.locator('[data-testid="stForm"]').wait_for(state="detached", timeout=60_000)
    _settle(page)
    _close_dialog(page)


@pytest.mark.e2e
def test_college_login_sees_only_its_own_college(served, college_home, tmp_path):
    chromium = _chromium()
    from playwright.sync_api import sync_playwright

    _, own, others = college_home
    urls = [url for url, _, _ in _pages()]
    assert "sql" in urls and len(urls) >= 8
    urls += [
        "sql_query",
        "?college=02",
        "college?college=02&detail_college=02",
        "tasks?tasks_college=02",
        "quality?college=02",
    ]
    frames: list[bytes] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
            page.on(
                "websocket",
                lambda ws: ws.on(
                    "framereceived", lambda f: frames.append(f if isinstance(f, bytes) else f.encode())
                ),
            )
            # The first request after the server starts names a page file directly (the URL
            # Streamlit's old pages/ folder mode would run without app.py): still only a login form.
            page.goto(served + "sql_query", wait_until="domcontentloaded")
            form = _login_form(page)
            _settle(page)
            assert form.is_visible()
            assert page.get_by_role("heading", name="登录").is_visible()
            assert page.locator('[data-testid="stDataFrame"]').count() == 0
            assert "自助查询" not in page.inner_text("body")

            shown: dict[str, str] = {}
            for url in urls:
                page.goto(served + url, wait_until="domcontentloaded")
                _log_in(page)  # every full page load is a new session: the login form first
                text = page.inner_text("body")
                assert page.locator('[data-testid="stException"]').count() == 0, f"{url}: {text[:500]}"
                assert f"{USER} · 学院：{own}（{COLLEGE}）" in text, url
                leaked = [name for name in others if name in text]
                assert not leaked, f"{url} shows {leaked}"
                assert "自助查询" not in text, url  # neither in the navigation nor opened by URL
                shown[url] = text
                shot = re.sub(r"\W", "_", url) or "ranking"
                page.screenshot(path=str(tmp_path / f"{shot}.png"))
        finally:
            browser.close()

    # The pages showed their own data: the college's branch ranking and its detail page.
    assert "考核排名" in shown[""] and "党支部排名" in shown[""]
    assert "学院详情" in shown["college"] and own in shown["college"]
    assert "考核排名" in shown["sql"]  # 自助查询 requested: the default page instead
    assert "考核排名" in shown["sql_query"]
    payload = b"".join(frames)
    assert own.encode() in payload
    leaked = [name for name in others if name.encode() in payload]
    assert not leaked, f"sent to the browser: {leaked}"
