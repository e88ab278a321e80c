"""End to end: `dangjian serve` on the fixture snapshot, opened in Debian's Chromium via Playwright."""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench._browser import chromium_args
from tests.support.serving_fixture import build_serving_db

REPO_ROOT = Path(__file__).resolve().parents[2]
# the bench's: no address-bar UI preloaded in each new context's window (bench/_browser.py)
CHROMIUM_ARGS = chromium_args()
CHART = '[data-testid="stVegaLiteChart"], [data-testid="stArrowVegaLiteChart"]'


def _chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        message = "Debian chromium is not installed (apt-get install -y chromium fonts-noto-cjk)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(url: str, proc: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            output = log.read_text(encoding="utf-8", errors="replace")[-2000:]
            raise RuntimeError(f"dangjian serve exited with {proc.returncode}:\n{output}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.read().strip() == b"ok":
                    return
        except OSError:
            pass
        time.sleep(0.25)
    raise TimeoutError(f"{url} not healthy after {timeout}s")


@contextlib.contextmanager
def dangjian_serve(home: Path, logs: Path) -> Iterator[str]:
    """`dangjian serve` on `home` in its own process group; yields the base URL."""
    with serve_process(home, logs) as (url, _):
        yield url


@contextlib.contextmanager
def serve_process(
    home: Path, logs: Path, args: tuple[str, ...] = (), env: dict[str, str] | None = None
) -> Iterator[tuple[str, subprocess.Popen]]:
    """`dangjian serve [args]` on `home`; yields (base URL, the process: the Streamlit server itself,
    since `serve` execs it)."""
    port = _free_port()
    env = {**os.environ, "DANGJIAN_HOME": str(home), **(env or {})}
    env.pop("DANGJIAN_SERVING_DB", None)
    log_path = logs / "serve.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [str(Path(sys.executable).with_name("dangjian")), "serve", "--port", str(port), *args],
            env=env,
            cwd=REPO_ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            _wait_healthy(f"http://127.0.0.1:{port}/_stcore/health", proc, log_path)
            yield f"http://127.0.0.1:{port}/", proc
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()


@pytest.fixture
def served(tmp_path) -> Iterator[str]:
    home = tmp_path / "home"
    build_serving_db(home / "serving.duckdb")
    with dangjian_serve(home, tmp_path) as url:
        yield url


@pytest.mark.e2e
def test_ranking_page_renders_in_chromium(served, tmp_path):
    chromium = _chromium()
    from playwright.sync_api import sync_playwright

    shot = tmp_path / "ranking.png"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
            page.goto(served, wait_until="domcontentloaded")
            page.get_by_text("党支部排名").first.wait_for(timeout=60_000)
            page.wait_for_selector(CHART, timeout=60_000)
            page.wait_for_selector('[data-testid="stDataFrame"]', timeout=60_000)
            page.wait_for_function(
                "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000
            )
            page.locator(CHART).first.locator("svg, canvas").first.wait_for(timeout=30_000)

            assert page.get_by_role("heading", name="党支部排名").is_visible()
            assert page.locator(CHART).count() == 2  # totals bar chart + dimension heat map
            # A fixture branch name, drawn as an axis label of the (SVG) chart; the table itself is a canvas.
            assert page.get_by_text("计算机教工第一党支部").first.is_visible()
            assert page.locator('[data-testid="stMetricValue"]').first.inner_text().strip() == "4"
            page.screenshot(path=str(shot), full_page=True)
        finally:
            browser.close()

    assert shot.stat().st_size > 30_000
