"""The attacks of issue 13 played in Debian's Chromium against a real `dangjian serve`:

- a web page on another host name, pointed at 127.0.0.1 (DNS rebinding), gets no websocket;
- a logged-in 学院 tab stays shut when users.json gets the wrong shape, is deleted, or loses its
  last user while the server runs;
- a download button drawn before `dangjian user remove` delivers nothing afterwards;
- a stranger failing the 组织部 password from another client does not keep the 组织部 out;
- 自助查询 cannot grow the server: its memory stays flat and the worker is gone in time.

The snapshot is test_auth.py's (serving_fixture.py's two colleges C01/C02, marts.branch_scores of 8
rows, plus roster rows tying each inbox file to its college).
"""

import base64
import os
import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from dagster_project.access.users import add_user
from dashboards.sql_sandbox import SQL_TIMEOUT_S
from tests.dashboards.test_browser import CHROMIUM_ARGS, _chromium, serve_process
from tests.trust.test_auth import build_college_snapshot
from tests.trust.test_browser_auth import STATUS_IDLE, _close_dialog, _login_form, _settle

COLLEGE, COLLEGE_PASSWORD = "jsj", "jsj-browser-pass"
ORG, ORG_PASSWORD = "zzb", "zzb-browser-pass"
DANGJIAN = str(Path(sys.executable).with_name("dangjian"))


def make_home(root: Path, users: bool = True) -> Path:
    home = root / "home"
    build_college_snapshot(home / "serving.duckdb")
    if users:
        write_users(home)
    return home


def write_users(home: Path) -> None:
    (home / "users.json").unlink(missing_ok=True)
    add_user(home / "users.json", COLLEGE, COLLEGE_PASSWORD, "college", "C01")
    add_user(home / "users.json", ORG, ORG_PASSWORD, "org")


@pytest.fixture
def browser():
    chromium = _chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(
            executable_path=chromium,
            headless=True,
            args=[*CHROMIUM_ARGS, "--host-resolver-rules=MAP attacker.example 127.0.0.1"],
        )
        try:
            yield instance
        finally:
            instance.close()


def new_page(browser, headers: dict[str, str] | None = None):
    context = browser.new_context(
        viewport={"width": 1440, "height": 1000}, locale="zh-CN", extra_http_headers=headers or {}
    )
    return context.new_page()


def try_login(page, url: str, name: str, password: str) -> str:
    """Open `url` (a new session: no answer of an earlier attempt on the page), send the login form,
    and return the page's text once it has answered (an alert, or the page behind the login)."""
    page.goto(url, wait_until="domcontentloaded")
    _login_form(page)
    _settle(page)
    _close_dialog(page)
    page.get_by_label("用户名").fill(name)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name=re.compile("登录")).click()
    page.wait_for_function(
        "() => document.querySelector('[data-testid=\"stAlert\"]') || !document.querySelector('[data-testid=\"stForm\"]')",
        timeout=60_000,
    )
    _settle(page)
    return page.inner_text("body")


def log_in(page, url: str, name: str, password: str) -> None:
    text = try_login(page, url, name, password)
    if "退出登录" not in text:  # a loaded machine may not have drawn the sidebar's button yet
        page.get_by_role("button", name=re.compile("退出登录")).wait_for(timeout=30_000)


def rerun_by_clicking(page, link: str = "趋势") -> str:
    """An interaction in the same tab (session): follow a link of the sidebar navigation."""
    page.get_by_role("link", name=link).first.click()
    page.wait_for_timeout(500)
    page.wait_for_function(STATUS_IDLE, timeout=60_000)
    page.wait_for_timeout(700)
    return page.inner_text("body")


# ---- DNS rebinding -------------------------------------------------------------------------------------


def handshake(port: int, host: str) -> str:
    """The status line the server answers a websocket handshake with, for a given Host header."""
    key = base64.b64encode(os.urandom(16)).decode()
    request = (
        f"GET /_stcore/stream HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(request.encode())
        return s.recv(4096).split(b"\r\n", 1)[0].decode()


@pytest.mark.e2e
def test_a_foreign_host_name_gets_no_websocket(browser, tmp_path):
    home = make_home(tmp_path, users=False)  # the open dashboard: what a rebinding page would reach
    with serve_process(home, tmp_path) as (url, _):
        port = int(url.rsplit(":", 1)[1].strip("/"))
        assert " 101 " in handshake(port, f"127.0.0.1:{port}") + " "
        assert " 101 " in handshake(port, f"localhost:{port}") + " "
        for host in (f"attacker.example:{port}", "attacker.example", f"127.0.0.1.attacker.example:{port}"):
            assert " 101 " not in handshake(port, host) + " ", host

        page = new_page(browser)
        page.goto(f"http://localhost:{port}/", wait_until="domcontentloaded")
        page.get_by_role("heading", name="党支部排名").wait_for(timeout=60_000)
        page.goto(f"http://attacker.example:{port}/", wait_until="domcontentloaded")
        page.wait_for_timeout(8_000)
        text = page.inner_text("body")
        assert "考核排名" not in text and "党支部排名" not in text and "计算机" not in text
        assert page.locator('[data-testid="stDataFrame"]').count() == 0


# ---- the users file changed under a logged-in tab --------------------------------------------------------


@pytest.mark.e2e
def test_a_logged_in_college_tab_never_becomes_the_open_dashboard(browser, tmp_path):
    home = make_home(tmp_path)
    env = {"DANGJIAN_HOME": str(home)}
    attacks = {
        "wrong shape": lambda: (home / "users.json").write_text('{"users": {}}', encoding="utf-8"),
        "deleted": lambda: (home / "users.json").unlink(),
        "last user removed": lambda: [
            subprocess.run([DANGJIAN, "user", "remove", name], env={**os.environ, **env}, check=True)
            for name in (ORG, COLLEGE)
        ],
    }
    with serve_process(home, tmp_path) as (url, _):
        for attack, do in attacks.items():
            write_users(home)
            page = new_page(browser)
            log_in(page, url, COLLEGE, COLLEGE_PASSWORD)
            assert "自助查询" not in page.inner_text("body")
            do()
            text = rerun_by_clicking(page)
            assert "看板已停止提供数据" in text, (attack, text[:300])
            assert "自助查询" not in text and "未启用登录" not in text, attack
            assert "计算机教工第一党支部" not in text and "马院" not in text, attack
            assert page.locator('[data-testid="stDataFrame"]').count() == 0, attack
            page.goto(url + "sql", wait_until="domcontentloaded")  # a new tab's session, by URL
            page.locator('[data-testid="stAlert"]').first.wait_for(timeout=60_000)
            _settle(page)
            text = page.inner_text("body")
            assert "看板已停止提供数据" in text and "自助查询" not in text, attack
            page.context.close()


# ---- a download offered before the user was removed -------------------------------------------------


@pytest.mark.e2e
def test_a_download_button_drawn_before_user_remove_delivers_nothing(browser, tmp_path):
    home = make_home(tmp_path)
    with serve_process(home, tmp_path) as (url, _):
        page = new_page(browser)
        log_in(page, url + "quality", COLLEGE, COLLEGE_PASSWORD)
        button = page.get_by_role("button", name=re.compile("下载退回清单"))
        button.wait_for(timeout=60_000)
        with page.expect_download(timeout=30_000) as first:
            button.click()
        assert Path(first.value.path()).read_bytes()[:2] == b"PK"  # the button works while the login does

        subprocess.run(
            [DANGJIAN, "user", "remove", COLLEGE], env={**os.environ, "DANGJIAN_HOME": str(home)}, check=True
        )
        delivered = []
        page.on("download", lambda download: delivered.append(download))
        button.click()  # no rerun in between: the page still shows the button
        page.wait_for_timeout(8_000)
        assert delivered == []


# ---- failed logins from another client ----------------------------------------------------------------


@pytest.mark.e2e
def test_a_stranger_cannot_lock_the_org_out_through_a_proxy(browser, tmp_path):
    """Behind a reverse proxy on 127.0.0.1 (`--trusted-proxy 127.0.0.1`), each browser is the address
    the proxy puts in X-Forwarded-For."""
    home = make_home(tmp_path)
    with serve_process(home, tmp_path, env={"DANGJIAN_TRUSTED_PROXIES": "127.0.0.1"}) as (url, _):
        attacker = new_page(browser, {"X-Forwarded-For": "203.0.113.66"})
        answers = [try_login(attacker, url, ORG, f"guess-{i}") for i in range(7)]
        assert "失败次数过多" in answers[4] and "登录失败次数过多" in answers[6]

        real = new_page(browser, {"X-Forwarded-For": "198.51.100.5"})
        log_in(real, url, ORG, ORG_PASSWORD)
        assert "zzb · 组织部" in real.inner_text("body")


@pytest.mark.e2e
def test_without_a_trusted_proxy_a_forged_address_changes_nothing(browser, tmp_path):
    """Every browser of `dangjian serve` comes from 127.0.0.1: naming another address in
    X-Forwarded-For does not make a new client, so the back-off still holds."""
    home = make_home(tmp_path)
    with serve_process(home, tmp_path) as (url, _):
        for i in range(5):
            page = new_page(browser, {"X-Forwarded-For": f"203.0.113.{i + 1}"})
            try_login(page, url, ORG, f"guess-{i}")
            page.context.close()
        page = new_page(browser, {"X-Forwarded-For": "203.0.113.99"})
        assert "登录失败次数过多" in try_login(page, url, ORG, ORG_PASSWORD)


# ---- 自助查询 and the server's memory -------------------------------------------------------------------


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


class Watch:
    """The server's largest RSS and the largest number of its child processes, sampled every 50 ms."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak, self.workers = pid, rss_mb(pid), 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.05):
            self.peak = max(self.peak, rss_mb(self.pid))
            self.workers = max(self.workers, len(children(self.pid)))

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def submit(page, sql: str) -> float:
    page.locator("textarea").first.fill(sql)
    page.get_by_role("button", name=re.compile("运行查询")).click()
    return time.monotonic()


# 8^8 ≈ 16.8 million rows, each adding 48 characters to one string: far past the worker's memory.
GREEDY = (
    "select length(string_agg(a.branch_code || b.branch_code || c.branch_code || d.branch_code"
    " || e.branch_code || f.branch_code || g.branch_code || h.branch_code, ',')) as n from "
    + ", ".join(f"branch_scores {t}" for t in "abcdefgh")
)


# 8^12 ≈ 6.9e10 rows to count: only the time limit ends it.
SLOW = "select count(*) as n from " + ", ".join(f"branch_scores t{i}" for i in range(12))


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("sql", "answer"),
    [
        ("select len(range(0,150000000)) as n", "不支持函数"),
        ("select repeat('x', 2000000000) as s", "不支持函数"),
        (GREEDY, "内存超过上限"),
        (SLOW, "查询超时"),  # killed at the time limit
    ],
)
def test_a_query_cannot_grow_the_server(browser, tmp_path, sql, answer):
    home = make_home(tmp_path, users=False)
    # without the Dagster daemon `serve` starts beside it: the only children left are SQL workers
    with serve_process(home, tmp_path, ("--no-daemon",)) as (url, proc):
        page = new_page(browser)
        page.goto(url + "sql", wait_until="domcontentloaded")
        page.get_by_role("button", name=re.compile("运行查询")).wait_for(timeout=60_000)
        _settle(page)
        submit(page, "select count(*) as n from branch_scores")  # warm: the page, DuckDB, polars
        page.get_by_text("返回 1 行").wait_for(timeout=60_000)
        _settle(page)
        before = rss_mb(proc.pid)
        watch = Watch(proc.pid)
        try:
            sent = submit(page, sql)
            page.locator('[data-testid="stAlert"]').filter(has_text=answer).wait_for(
                timeout=(SQL_TIMEOUT_S + 30) * 1000
            )
            answered = time.monotonic() - sent
            # Poll until the time limit + 1 s after sending: the worker must be gone by then.
            while time.monotonic() - sent < SQL_TIMEOUT_S + 1:
                if not children(proc.pid):
                    break
                time.sleep(0.05)
            gone_after = time.monotonic() - sent
            left = children(proc.pid)
        finally:
            watch.stop()
        assert left == [], f"worker still there {gone_after:.1f} s after sending"
        assert answered <= SQL_TIMEOUT_S + 1 + 5, answered  # + the browser's round trip
        grown = watch.peak - before
        print(f"{sql[:40]}: server RSS {before:.0f} → peak {watch.peak:.0f} MB; answered in {answered:.1f} s")
        assert grown < 150, f"the server grew by {grown:.0f} MB"
        assert proc.poll() is None
