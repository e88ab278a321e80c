"""The dashboards as a user feels them (issue 20): every page opened in Chromium, and a filter change.

    uv run python -m bench._browser HOME LOADS

HOME holds a published snapshot (HOME/serving.duckdb) and no users file: the dashboard is served the
way `dangjian serve --no-daemon` serves it, in open mode, on a free port of 127.0.0.1, in its own
process group, and stopped (SIGTERM, then SIGKILL) afterwards whatever happens.

page load: a fresh browser context (no cache, no cookies, a new Streamlit session) per load; the
clock starts just before navigating to the page's URL and stops when the page is complete: the
app's root `[data-testid="stApp"]` has `data-test-script-state="notRunning"` (Streamlit's frontend
sets it when the script run it started has finished; before the first run it says "initial"), no
status widget ("Running…") and no stale element is left, and every visible Vega chart
(`stVegaLiteChart`) has its svg or canvas drawn. LOADS loads per page; p50/p95 per page.

interaction: on 排名, the 考核期 selectbox set to another period (each time a different one); the
clock starts at the click on the option — the page's own clock, when its pointerdown reaches the
page, so Playwright's checks before it clicks are not counted — and stops, on the same clock, at the
animation frame in which the page is complete again after a new script run (as above). LOADS
changes in one session; `from_call_ms` keeps each change timed from Playwright's click call, as
before.

A page showing an exception element (`stException`), or not complete within the timeout, counts as
an error (its message is kept); its time is not a figure. Prints one JSON object as the last line.
"""

import contextlib
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from dagster_project.cli import streamlit_command
from dagster_project.home import DASHBOARD_APP

REPO = Path(__file__).resolve().parents[1]
APP = REPO / "dashboards" / "app.py"
FLOOR_APP = Path(__file__).with_name("_floor_app.py")
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Chromium 156 preloads, in every new window, the web UI of its address bar's dropdown
# (chrome://omnibox-popup.top-chrome/, in a renderer of its own); a fresh context is a new window, so
# each load paid ~0.45 s of CPU for that browser UI on the machine's two cores while the page loaded
# (bench/README.md, "The browser's own window"). A user's new tab opens in a window that has it already.
BROWSER_UI_FEATURES = ("WebUIOmniboxPopup", "WebUIOmniboxAimPopup")
PLAYWRIGHT_BUNDLE = Path("driver", "package", "lib", "coreBundle.js")
TIMEOUT_MS = 60_000
OPEN_TIMEOUT_MS = 15_000  # opening the 考核期 list and clicking an option: no script run involved
CHART = '[data-testid="stVegaLiteChart"], [data-testid="stArrowVegaLiteChart"]'

# Streamlit 1.67's frontend: stApp's data-test-script-state is "initial" until a run has started,
# "running" while it runs, "notRunning" once it has finished. Charts are drawn by vega-embed after
# their element is mounted, so the run being over is not enough: wait for the svg/canvas too. A
# chart in a tab not shown is not drawn for the user either (it is not counted).
COMPLETE_JS = """(after) => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if ((window.__benchRuns || 0) <= after) return false;
  if (document.querySelector('[data-testid="stStatusWidget"]')) return false;
  if (document.querySelector('[data-stale="true"]')) return false;
  const charts = [...document.querySelectorAll('CHARTS')].filter((c) => c.checkVisibility());
  return charts.every((c) => c.querySelector('svg, canvas')) && performance.now();
}""".replace("CHARTS", CHART)

# Counts the script runs the page has started (stApp's state turning to "running"); installed
# before any of the page's own scripts, so no run is missed however short it is. Also notes, on the
# page's clock, when the last pointerdown reached the page (the interaction's start).
RUN_COUNTER_JS = """(() => {
  window.__benchRuns = 0;
  document.addEventListener('pointerdown', () => { window.__benchPointerDown = performance.now(); }, true);
  const watch = () => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app) return false;
    let last = app.getAttribute('data-test-script-state');
    if (last === 'running') window.__benchRuns += 1;
    new MutationObserver(() => {
      const now = app.getAttribute('data-test-script-state');
      if (now === 'running' && last !== 'running') window.__benchRuns += 1;
      last = now;
    }).observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
    return true;
  };
  if (!watch()) {
    const wait = new MutationObserver(() => { if (watch()) wait.disconnect(); });
    wait.observe(document, {childList: true, subtree: true});
  }
})();"""


def playwright_disabled_features() -> list[str]:
    """The features Playwright's driver turns off in the Chromium it launches (its own
    `--disable-features`), read from the driver installed with it."""
    import playwright

    bundle = Path(playwright.__file__).parent / PLAYWRIGHT_BUNDLE
    found = re.search(r"disabledFeatures = \[(.*?)\]", bundle.read_text(encoding="utf-8"), re.S)
    if found is None:
        raise RuntimeError(f"{bundle} 中找不到 Playwright 的 disabledFeatures 列表（Playwright 版本变了？）")
    return re.findall(r'"([^"]+)"', re.sub(r"//[^\n]*", "", found.group(1)))


def chromium_args() -> list[str]:
    """CHROMIUM_ARGS and one `--disable-features` with Playwright's names and ours: Chromium keeps only
    the last such switch, so a second one would silently switch Playwright's back on."""
    features = dict.fromkeys([*playwright_disabled_features(), *BROWSER_UI_FEATURES])
    return [*CHROMIUM_ARGS, "--disable-features=" + ",".join(features)]


def app_pages() -> list[tuple[str, str]]:
    """(url path, title) of every page in the app's navigation, in its order (default page: "")."""
    pages = []
    for block in re.findall(r"st\.Page\((.*?)\)", APP.read_text(encoding="utf-8"), re.S):
        title = re.search(r'title="([^"]+)"', block).group(1)
        url = re.search(r'url_path="([^"]*)"', block).group(1)
        pages.append(("" if "default=True" in block else url, title))
    return pages


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve(home: Path, app: Path | None = None) -> Iterator[str]:
    """`dangjian serve --no-daemon` on `home` (or, with `app`, that Streamlit page run with the same
    command and settings); yields the base URL, stops the server on leaving."""
    port = _free_port()
    env = {**os.environ, "DANGJIAN_HOME": str(home)}
    env.pop("DANGJIAN_SERVING_DB", None)  # the server reads HOME's snapshot, as `serve` does
    command = [str(Path(sys.executable).with_name("dangjian")), "serve", "--no-daemon", "--port", str(port)]
    if app is not None:
        command = [str(app) if arg == str(DASHBOARD_APP) else arg for arg in streamlit_command(port)]
    log_path = home / "bench-serve.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            command,
            env=env,
            cwd=REPO,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped with everything it starts
        )
        try:
            _wait_healthy(f"http://127.0.0.1:{port}/_stcore/health", proc, log_path)
            yield f"http://127.0.0.1:{port}/"
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()


def _wait_healthy(url: str, proc: subprocess.Popen, log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = log.read_text(encoding="utf-8", errors="replace")[-2000:]
            raise RuntimeError(f"dangjian serve 已退出（{proc.returncode}）：\n{tail}")
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=2) as response:
            if response.read().strip() == b"ok":
                return
        time.sleep(0.25)
    raise TimeoutError(f"{url} 在 {timeout} 秒内未就绪")


def _new_page(browser):
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
    context.add_init_script(RUN_COUNTER_JS)
    return context, context.new_page()


def _wait_complete(page, after: int) -> float:
    """Waits until the page is complete after run number `after`; the page's clock (ms) then."""
    return page.wait_for_function(COMPLETE_JS, arg=after, timeout=TIMEOUT_MS).json_value()


def _exception_text(page) -> str | None:
    errors = page.locator('[data-testid="stException"]')
    return errors.first.inner_text()[:300] if errors.count() else None


def _load(browser, url: str) -> tuple[float | None, str | None]:
    """(ms from navigation to the page complete, error message or None) in a fresh context."""
    from playwright.sync_api import Error as PlaywrightError

    context, page = _new_page(browser)
    try:
        started = time.perf_counter()
        page.goto(url, wait_until="commit", timeout=TIMEOUT_MS)
        _wait_complete(page, 0)
        ms = 1000 * (time.perf_counter() - started)
        error = _exception_text(page)
        return (None, error) if error else (ms, None)
    except PlaywrightError as exc:  # timeouts included
        return None, _unfinished(exc)
    finally:
        context.close()


def measure_pages(browser, base: str, loads: int) -> list[dict]:
    results = []
    for url, title in app_pages():
        times, errors = [], []
        for _ in range(loads):
            ms, error = _load(browser, base + url)
            if error:
                errors.append(error)
            else:
                times.append(ms)
        results.append(
            {
                "page": title,
                "url": "/" + url,
                "loads": loads,
                "p50_ms": round(statistics.median(times), 1) if times else None,
                "p95_ms": round(percentile(times, 0.95), 1) if times else None,
                "runs_ms": [round(t, 1) for t in times],
                "errors": len(errors),
                "error": errors[0] if errors else None,
            }
        )
    return results


def _unfinished(exc: Exception) -> str:
    """Playwright's first line and the last line of its call log (what it was waiting for)."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    detail = f"（{lines[-1][:160]}）" if len(lines) > 1 else ""
    return f"未完成：{lines[0][:200] if lines else type(exc).__name__}{detail}"


def _choose_another(page, box, i: int):
    """Opens the selectbox's list and returns the option to click (the i-th other one), or a
    message when there is no other. A script run that re-renders the box closes its list, and a
    click that never happened measures nothing, so the opening is tried three times."""
    from playwright.sync_api import Error as PlaywrightError

    for attempt in range(3):
        try:
            # Streamlit 1.67's selectbox is a react-aria combobox: a click focuses it, and the
            # list of options is not always shown until a key asks for it
            box.locator("input").first.click(timeout=OPEN_TIMEOUT_MS)
            page.keyboard.press("ArrowDown")
            options = page.get_by_role("option")
            options.first.wait_for(timeout=OPEN_TIMEOUT_MS)
            count = options.count()
            if count < 2:
                page.keyboard.press("Escape")
                return f"考核期只有 {count} 个选项，无法切换"
            current = next(
                (k for k in range(count) if options.nth(k).get_attribute("aria-selected") == "true"), 0
            )
            choice = options.nth((current + 1 + i % (count - 1)) % count)
            choice.scroll_into_view_if_needed(timeout=OPEN_TIMEOUT_MS)
            return choice
        except PlaywrightError:
            if attempt == 2:
                raise
            page.keyboard.press("Escape")
            _wait_complete(page, 0)


def measure_interaction(browser, base: str, changes: int) -> dict:
    """The 考核期 selectbox on 排名 set to another period `changes` times, in one session."""
    from playwright.sync_api import Error as PlaywrightError

    context, page = _new_page(browser)
    times, call_times, errors = [], [], []
    try:
        page.goto(base, wait_until="commit", timeout=TIMEOUT_MS)
        _wait_complete(page, 0)
        box = page.locator('[data-testid="stSelectbox"]').filter(has_text="考核期")
        for i in range(changes):
            try:
                choice = _choose_another(page, box, i)
                if isinstance(choice, str):
                    errors.append(choice)
                    break
                runs = page.evaluate("window.__benchPointerDown = null; window.__benchRuns")
                started = time.perf_counter()
                choice.click(timeout=OPEN_TIMEOUT_MS)
                completed = _wait_complete(page, runs)
                from_call = 1000 * (time.perf_counter() - started)
                clicked = page.evaluate("window.__benchPointerDown")
                error = _exception_text(page) or (None if clicked else "点击没有到达页面（无 pointerdown）")
                if error:
                    errors.append(error)
                else:
                    times.append(completed - clicked)
                    call_times.append(from_call)
            except PlaywrightError as exc:
                errors.append(_unfinished(exc))
    finally:
        context.close()
    return {
        "page": "排名",
        "control": "考核期",
        "changes": changes,
        "p50_ms": round(statistics.median(times), 1) if times else None,
        "p95_ms": round(percentile(times, 0.95), 1) if times else None,
        "runs_ms": [round(t, 1) for t in times],
        "from_call_ms": [round(t, 1) for t in call_times],
        "errors": len(errors),
        "error": errors[0] if errors else None,
    }


def measure(home: Path, loads: int) -> dict:
    """Every page `loads` times and `loads` filter changes, on the dashboard served from `home`."""
    from playwright.sync_api import sync_playwright

    with serve(home) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=chromium_args())
        try:
            # one throwaway load: the server's first session imports the pages' modules, which a
            # user opening a page of a server that has been up for a while does not wait for
            _load(browser, base)
            pages = measure_pages(browser, base, loads)
            interaction = measure_interaction(browser, base, loads)
            with serve(home, FLOOR_APP) as floor_base:
                _load(browser, floor_base)
                floor = [ms for ms, _ in (_load(browser, floor_base) for _ in range(loads)) if ms is not None]
        finally:
            browser.close()
    figures = [p["p95_ms"] for p in pages if p["p95_ms"] is not None]
    return {
        "browser_loads": loads,
        "page_load_p95_ms": max(figures) if figures else None,
        "page_load_worst_page": max(pages, key=lambda p: p["p95_ms"] or -1)["page"] if figures else None,
        "page_load_errors": sum(p["errors"] for p in pages),
        "browser_pages": pages,
        "interaction_p95_ms": interaction["p95_ms"],
        "interaction": interaction,
        # the same measure on a page that queries nothing (bench/_floor_app.py): Streamlit's own cost
        "page_floor_p95_ms": round(percentile(floor, 0.95), 1) if floor else None,
        "page_floor_runs_ms": [round(t, 1) for t in floor],
    }


if __name__ == "__main__":
    print(json.dumps(measure(Path(sys.argv[1]), int(sys.argv[2])), ensure_ascii=False))
