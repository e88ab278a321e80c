"""Screenshots of 排名, 趋势 and 年终考核 for the README (docs/images/), in Debian's Chromium.

    uv run python docs/screenshots.py [--home DIR] [--scale 0.2] [--out docs/images]

Without --home it writes the demo university at the given scale into a scratch home and runs the
pipeline there first (a few minutes); with --home it serves that home's snapshot as it is. The
dashboard is served in open mode (no users in the home: the 组织部's view) by `dangjian serve` on a
free port of 127.0.0.1 and stopped afterwards. Not run by the tests.
"""

import argparse
import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CHROMIUM = "/usr/bin/chromium"
# (url path, file, what to wait for besides the charts)
PAGES = (("", "ranking.png"), ("trends", "trends.png"), ("year-end", "year_end.png"))
CHART = '[data-testid="stVegaLiteChart"]'
IDLE = "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"


def build_demo(home: Path, scale: float) -> None:
    env = {**os.environ, "DANGJIAN_HOME": str(home)}
    for command in (["demo", "--scale", str(scale)], ["run"]):
        subprocess.run([str(BIN / "dangjian"), *command], env=env, cwd=REPO, check=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def served(home: Path):
    port = free_port()
    env = {**os.environ, "DANGJIAN_HOME": str(home)}
    env.pop("DANGJIAN_SERVING_DB", None)
    proc = subprocess.Popen(
        [str(BIN / "dangjian"), "serve", "--port", str(port)],
        env=env,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            with contextlib.suppress(OSError):
                urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2)
                break
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError("dangjian serve did not start")
            time.sleep(0.5)
        yield f"http://127.0.0.1:{port}/"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)


def shoot(url: str, out: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    written = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
            for path, name in PAGES:
                page.goto(url + path, wait_until="domcontentloaded")
                page.locator(CHART).first.locator("svg, canvas").first.wait_for(timeout=90_000)
                page.wait_for_function(IDLE, timeout=90_000)
                page.wait_for_timeout(1500)  # the charts' last layout pass
                # the page scrolls inside Streamlit's main block, not the document: grow the window
                height = page.evaluate(
                    "() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight"
                )
                page.set_viewport_size({"width": 1440, "height": min(int(height) + 40, 6000)})
                page.wait_for_timeout(1500)
                page.wait_for_function(IDLE, timeout=90_000)
                page.screenshot(path=str(out / name))
                page.set_viewport_size({"width": 1440, "height": 1000})
                written.append(out / name)
        finally:
            browser.close()
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, help="a home with a published snapshot (else a scratch demo)")
    parser.add_argument("--scale", type=float, default=0.2)
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "images")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        home = args.home
        if home is None:
            home = Path(scratch) / "home"
            build_demo(home, args.scale)
        with served(home) as url:
            for path in shoot(url, args.out):
                print(path.relative_to(REPO) if path.is_relative_to(REPO) else path)


if __name__ == "__main__":
    main()
