"""End-to-end benchmark at K× the demo university (issue 7), against the pandas+openpyxl script.

    uv run python -m bench --scale K [--baseline] [--seed 2026] [--format auto|xlsx|csv|parquet]
                                     [--workdir DIR] [--reuse] [--warm-runs 3] [--repeat 3]
                                     [--submit-runs 3] [--browser-loads 5] [--save]

1. generates the demo university at scale K (K=1 ≈ 3,900 members a year; `auto` writes Excel up to
   K=10 and Parquet above, since a sheet holds at most 1,048,576 rows);
2. cold: one pipeline run (`dangjian run`'s code path: Dagster job → ingest → dbt build → publish) on a
   fresh home;
3. warm: one college's file of the latest year changes (its largest sheet loses its last data row),
   then one more run; repeated --warm-runs times, the file alternately changed and put back (each a
   real change), and the median run reported (`warm_runs_s` has them all: on a shared 2-core
   machine the same run varies by ±15 %);
4. dashboard pages: each page's data queries on the published snapshot, cold cache, p50/p95;
5. 报送 (bench/_submit.py): `check_s`, the preview of one college's yearly workbook as the 数据报送 page
   and `dangjian check` compute it (file bytes → list of rejects), median of --submit-runs in one
   process; `submit_to_publish_s`, 确认提交 of that workbook (a correction of it, every round a real
   change) through `submit_files`, then the Dagster daemon of `dangjian serve` (started once for
   these rounds) sees the inbox change on its sensor's next look (every 5 s), launches the run as it
   does for a user, and the clock stops when the new snapshot is published; median of --submit-runs;
6. dashboards in Chromium (bench/_browser.py): `page_load_p95_ms`, every page opened in a fresh
   browser context --browser-loads times, from navigation until Streamlit has finished the page's run
   and its charts are drawn, p95 per page and the worst page's; `interaction_p95_ms`, the 考核期
   filter of 排名 changed --browser-loads times until the page is updated; the server is
   `dangjian serve --no-daemon` on the published snapshot (open mode, a free port), stopped after;
7. with --baseline, the pandas+openpyxl script (bench/baseline_pandas.py) on the same files.

Each run is its own Python process (what a user starts). `cold_s`/`warm_s` are wall seconds from
launching it to the run returning with the new snapshot published (`*_process_s`: until the process
has exited, after collecting its figures); stage seconds come from Dagster's step records;
`peak_rss_mb` is the largest resident set of any process of the run (the pipeline or its dbt child),
from wait4(2). Prints a table per stage, then the figures as one JSON object on the last line;
--save also writes bench/results/scale-K.json for `uv run python -m bench.readme`, which
regenerates the README's results table.
"""

import argparse
import contextlib
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table

REPO = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).resolve().parent / "results"
console = Console(width=120)


def default_format(scale: float) -> str:
    return "xlsx" if scale <= 10 else "parquet"


def run_child(args: list[str], env: dict[str, str] | None = None) -> tuple[dict, float, float]:
    """(last JSON line of its stdout, wall seconds, peak RSS MiB of it and its children)."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, *args],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
        cwd=REPO,
    )
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    lines = [line for line in out.splitlines() if line.strip()]
    if proc.returncode != 0 or not lines:
        sys.stderr.write(out)
        raise SystemExit(f"{' '.join(args)} failed with exit code {proc.returncode}")
    return json.loads(lines[-1]), seconds, usage.ru_maxrss / 1024  # KiB on Linux


def generate(inbox: Path, seed: int, scale: float, fmt: str, reuse: bool) -> dict:
    stamp = inbox.parent / "demo.json"
    wanted = {"seed": seed, "scale": scale, "format": fmt}
    if reuse and stamp.exists() and {k: json.loads(stamp.read_text())[k] for k in wanted} == wanted:
        return json.loads(stamp.read_text())
    shutil.rmtree(inbox, ignore_errors=True)
    figures, seconds, rss = run_child(
        ["-m", "bench._children", "generate", str(inbox), str(seed), str(scale), fmt]
    )
    figures |= wanted | {"generate_s": round(seconds, 1), "generate_peak_rss_mb": round(rss)}
    stamp.write_text(json.dumps(figures, ensure_ascii=False))
    return figures


def pipeline(home: Path) -> dict:
    """end_to_end_s: from launching the process to the run returning with the snapshot published;
    process_s also counts the child's collecting of step figures afterwards and its exit."""
    env = {"DANGJIAN_HOME": str(home), "BENCH_LAUNCHED_AT": repr(time.time())}
    figures, seconds, rss = run_child(["-m", "bench._children", "pipeline"], env)
    return figures | {"process_s": round(seconds, 2), "peak_rss_mb": round(rss)}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, required=True, help="K× the demo university")
    parser.add_argument("--baseline", action="store_true", help="also time the pandas+openpyxl script")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--format", default="auto", choices=["auto", "xlsx", "csv", "parquet"])
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "dangjian-bench")
    parser.add_argument(
        "--reuse", action="store_true", help="keep an inbox generated earlier (same seed/scale/format)"
    )
    parser.add_argument(
        "--warm-runs", type=int, default=3, help="warm runs (one changed file each); the median is reported"
    )
    parser.add_argument("--repeat", type=int, default=3, help="cold-cache loads per dashboard page")
    parser.add_argument(
        "--submit-runs", type=int, default=3, help="previews and submissions (each with its run); medians"
    )
    parser.add_argument(
        "--browser-loads",
        type=int,
        default=5,
        help="Chromium loads per page, and filter changes; 0: none",
    )
    parser.add_argument("--save", action="store_true", help="write bench/results/scale-K.json for the README")
    args = parser.parse_args()
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")

    fmt = default_format(args.scale) if args.format == "auto" else args.format
    label = f"{args.scale:g}"
    base = args.workdir / f"scale-{label}-{fmt}"
    inbox = base / "inbox"
    base.mkdir(parents=True, exist_ok=True)

    console.print(f"[bold]K={label}[/bold]：生成演示数据（{fmt}）→ {inbox}")
    demo = generate(inbox, args.seed, args.scale, fmt, args.reuse)
    size = f"{demo['files']} 个文件，{demo['rows']:,} 行，{demo['members']:,} 名党员/年"
    console.print(f"  {size}，{demo['generate_s']} 秒")

    home = base / "home"
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir()
    (home / "inbox").symlink_to(inbox.resolve(), target_is_directory=True)

    console.print("冷启动：全新的仓库，全部文件摄取 → dbt 构建 → 发布")
    cold = pipeline(home)
    console.print(_stages(cold))

    warm_runs = []
    for i in range(args.warm_runs):
        if i % 2 == 0:
            changed, _, _ = run_child(["-m", "bench._children", "change", str(inbox)])
            what = f"修改一个学院的文件 {changed['file']}（{changed['sheet']} 少一行）"
        else:
            run_child(["-m", "bench._children", "restore", str(inbox)])
            what = f"把 {changed['file']} 改回原样"
        console.print(f"热启动 {i + 1}/{args.warm_runs}：{what}，再运行一次")
        warm_runs.append(pipeline(home))
        console.print(_stages(warm_runs[-1]))
    if args.warm_runs % 2:
        # the inbox is shared between runs of the same scale: put the file back for the next --reuse
        run_child(["-m", "bench._children", "restore", str(inbox)])
    warm = sorted(warm_runs, key=lambda run: run["end_to_end_s"])[len(warm_runs) // 2]

    console.print("看板各页数据查询（冷缓存）")
    pages, _, _ = run_child(
        ["-m", "bench._children", "pages", str(args.repeat)],
        {"DANGJIAN_SERVING_DB": str(home / "serving.duckdb")},
    )

    submitted = {}
    if args.submit_runs > 0:
        console.print(
            "报送：一个学院的年度工作簿——预览（check_s），确认提交到新快照发布（submit_to_publish_s）"
        )
        submitted = submit_latency(home, inbox, args.submit_runs)
        console.print(
            f"  预览 {submitted['check_s']} 秒 {submitted['check_runs_s']}；"
            f"提交到发布 {submitted['submit_to_publish_s']} 秒 {submitted['submit_to_publish_runs_s']}"
        )

    browser = browser_latency(home, args.browser_loads)

    baseline = None
    if args.baseline:
        console.print("基线：pandas + openpyxl 脚本（B1 学习培训达标与党支部排名）")
        baseline, seconds, rss = run_child(["-m", "bench._children", "baseline", str(inbox)])
        baseline |= {"process_s": round(seconds, 2), "peak_rss_mb": round(rss)}

    report(label, fmt, demo, cold, warm, pages, baseline)
    if browser:
        report_browser(browser)
    result = {
        "scale": args.scale,
        "format": fmt,
        "members": demo["members"],
        "files": demo["files"],
        "rows": demo["rows"],
        "generate_s": demo["generate_s"],
        "cold_s": cold["end_to_end_s"],
        "warm_s": warm["end_to_end_s"],
        "warm_runs_s": [run["end_to_end_s"] for run in warm_runs],
        "cold_process_s": cold["process_s"],
        "warm_process_s": warm["process_s"],
        "ingest_s": cold["ingest_s"],
        "ingest_rows": cold["ingest_rows"],
        "ingest_rows_per_s": round(cold["ingest_rows"] / cold["ingest_s"]) if cold["ingest_s"] else None,
        "build_s": cold["build_s"],
        "publish_s": cold["publish_s"],
        "warm_ingest_s": warm["ingest_s"],
        "warm_build_s": warm["build_s"],
        "warm_publish_s": warm["publish_s"],
        "warm_files_parsed": warm["files_parsed"],
        "page_p50_ms": max(p["data_p50_ms"] for p in pages["pages"]),
        "page_p95_ms": max(p["data_p95_ms"] for p in pages["pages"]),
        "pages": pages["pages"],
        "peak_rss_mb": max(run["peak_rss_mb"] for run in [cold, *warm_runs]),
        "ingest_peak_rss_mb": cold["pipeline_process_peak_rss_mb"],
        "baseline_s": baseline["seconds"] if baseline else None,
        "baseline_rows_per_s": baseline["rows_per_s"] if baseline else None,
        "baseline_peak_rss_mb": baseline["peak_rss_mb"] if baseline else None,
        "ingest_speedup": (
            round(cold["ingest_rows"] / cold["ingest_s"] / baseline["rows_per_s"], 1) if baseline else None
        ),
        **submitted,
        **{k: browser.get(k) for k in BROWSER_FIELDS},
        "machine": machine(),
        "date": datetime.now().strftime("%Y-%m-%d"),
    }
    if args.save:
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / f"scale-{label}.json").write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    print(json.dumps(result, ensure_ascii=False))


def _median(values: list[float]) -> float:
    return sorted(values)[len(values) // 2]


@contextlib.contextmanager
def daemon(home: Path):
    """`dangjian serve`'s Dagster daemon on `home` (pipeline/daemon.py's command), in its own process
    group, ready once its sensor has looked at the inbox; killed afterwards (a daemon started in the
    background ignores SIGTERM)."""
    from dagster_project.pipeline.daemon import daemon_command

    log_path = home / "dagster" / "daemon.log"
    seen = log_path.stat().st_size if log_path.exists() else 0
    env = {**os.environ, "DANGJIAN_HOME": str(home), "DAGSTER_HOME": str(home / "dagster")}
    with log_path.open("ab") as log:
        proc = subprocess.Popen(daemon_command(), cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
    try:
        # ready: the sensor has looked, and any run its first look started (an inbox left changed by
        # the warm runs) has ended — a round must time its own submission's run
        deadline = time.monotonic() + 900
        while b"Sensor inbox_sensor skipped" not in log_path.read_bytes()[seen:] or _runs_going(home):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"Dagster 守护进程未就绪，见 {log_path}")
            time.sleep(0.5)
        yield proc
        # the last round's run publishes before it ends: killed then, it would stay STARTED
        deadline = time.monotonic() + 120
        while _runs_going(home) and time.monotonic() < deadline:
            time.sleep(0.5)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def _runs_going(home: Path) -> int:
    import dagster as dg

    finished = {dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED}
    going = [status for status in dg.DagsterRunStatus if status not in finished]
    with dg.DagsterInstance.from_config(str(home / "dagster")) as instance:
        return len(instance.get_run_ids(dg.RunsFilter(statuses=going)))


def _build_id(home: Path) -> str:
    import duckdb

    with duckdb.connect(str(home / "serving.duckdb"), read_only=True) as con:
        return con.execute("select build_id from meta.snapshot").fetchone()[0]


def _wait_published(home: Path, before: str, timeout: float = 900) -> None:
    import duckdb

    deadline = time.monotonic() + timeout
    while True:
        with contextlib.suppress(duckdb.IOException):  # the snapshot being swapped in
            if _build_id(home) != before:
                return
        if time.monotonic() > deadline:
            raise SystemExit(f"报送后 {timeout:.0f} 秒内未发布新快照，见 {home / 'dagster' / 'daemon.log'}")
        time.sleep(0.2)


def submit_latency(home: Path, inbox: Path, runs: int) -> dict:
    """check_s and submit_to_publish_s (bench/_submit.py), medians of `runs`, each run's figure kept."""
    checked, _, _ = run_child(
        ["-m", "bench._children", "check", str(inbox), str(runs)],
        {"DANGJIAN_SERVING_DB": str(home / "serving.duckdb")},
    )
    totals, submits = [], []
    try:
        with daemon(home):
            for i in range(runs):
                before = _build_id(home)
                sub, _, _ = run_child(
                    ["-m", "bench._children", "submit", str(inbox), str(i)], {"DANGJIAN_HOME": str(home)}
                )
                submitted = time.monotonic()
                _wait_published(home, before)
                submits.append(sub["submit_s"])
                totals.append(round(sub["submit_s"] + time.monotonic() - submitted, 2))
    finally:
        run_child(["-m", "bench._children", "unsubmit", str(inbox)])
    return {
        "check_s": _median(checked["check_runs_s"]),
        "check_runs_s": checked["check_runs_s"],
        "check_rows_read": checked["check_rows_read"],
        "submit_s": _median(submits),
        "submit_to_publish_s": _median(totals),
        "submit_to_publish_runs_s": totals,
    }


BROWSER_FIELDS = (
    "browser_loads",
    "page_load_p95_ms",
    "page_load_worst_page",
    "page_load_errors",
    "browser_pages",
    "interaction_p95_ms",
    "interaction",
    "page_floor_p95_ms",
    "page_floor_runs_ms",
)


def browser_latency(home: Path, loads: int) -> dict:
    """page_load_p95_ms and interaction_p95_ms (bench/_browser.py); {} when loads is 0."""
    if loads <= 0:
        return {}
    console.print(f"看板在 Chromium 中：每页全新打开 {loads} 次，排名页切换考核期 {loads} 次")
    figures, _, _ = run_child(["-m", "bench._browser", str(home), str(loads)])
    return figures


def report_browser(browser: dict) -> None:
    table = Table(
        title=f"看板页面在 Chromium 中完成（毫秒，全新浏览器上下文，每页 {browser['browser_loads']} 次）"
    )
    for column in ("page", "url", "p50", "p95", "errors"):
        table.add_column(column, justify="right")
    for p in browser["browser_pages"]:
        table.add_row(p["page"], p["url"], str(p["p50_ms"]), str(p["p95_ms"]), str(p["errors"]))
    i = browser["interaction"]
    table.add_row(
        f"{i['page']}：切换{i['control']}", "", str(i["p50_ms"]), str(i["p95_ms"]), str(i["errors"])
    )
    floor = browser.get("page_floor_runs_ms") or []
    table.add_row(
        "基线：不查询数据的 Streamlit 页面",
        "",
        str(round(statistics.median(floor), 1)) if floor else "–",
        str(browser.get("page_floor_p95_ms")),
        "",
    )
    console.print(table)
    for p in [*browser["browser_pages"], i]:
        if p["error"]:
            console.print(f"[red]{p['page']}：{p['error']}[/red]")


def _stages(run: dict) -> str:
    stages = f"摄取 {run['ingest_s']}，构建 {run['build_s']}，发布 {run['publish_s']}"
    return f"  {run['end_to_end_s']} 秒（{stages}）"


def machine() -> str:
    mem_kb = next(
        (
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        ),
        0,
    )
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    system = f"Linux {platform.release()}, Python {platform.python_version()}"
    return f"{os.cpu_count()} cores ({cpu}), {mem_kb / 1024**2:.0f} GiB, {system}"


def report(label, fmt, demo, cold, warm, pages, baseline) -> None:
    table = Table(title=f"K={label}（{fmt}，{demo['members']:,} 名党员/年，{demo['rows']:,} 行）")
    for column in (
        "run",
        "end-to-end s",
        "ingest s",
        "files parsed",
        "rows/s",
        "dbt build s",
        "publish s",
        "peak MiB",
    ):
        table.add_column(column, justify="right")
    for name, r in (("cold", cold), ("warm", warm)):
        table.add_row(
            name,
            f"{r['end_to_end_s']:.1f}",
            f"{r['ingest_s']:.1f}",
            str(r["files_parsed"]),
            f"{r['ingest_rows'] / r['ingest_s']:,.0f}" if r["ingest_s"] else "-",
            f"{r['build_s']:.1f}",
            f"{r['publish_s']:.1f}",
            str(r["peak_rss_mb"]),
        )
    if baseline:
        b = baseline
        table.add_row(
            "pandas+openpyxl", f"{b['process_s']:.1f}", f"{b['seconds']:.1f}", str(b["files"]),
            f"{b['rows_per_s']:,.0f}", "-", "-", str(b["peak_rss_mb"]),
        )  # fmt: skip
    console.print(table)
    pages_table = Table(title="看板各页数据查询（毫秒，冷缓存）")
    for column in ("page", "queries", "p50", "p95", "errors"):
        pages_table.add_column(column, justify="right")
    for p in pages["pages"]:
        pages_table.add_row(
            p["page"], str(p["queries"]), str(p["data_p50_ms"]), str(p["data_p95_ms"]), str(p["errors"])
        )
    console.print(pages_table)
    if baseline:
        ours, theirs = cold["ingest_rows"] / cold["ingest_s"], baseline["rows_per_s"]
        console.print(f"摄取速度：我们 {ours:,.0f} 行/秒，基线 {theirs:,.0f} 行/秒（{ours / theirs:.1f}×）")
        console.print(
            f"基线算出 B1 与排名 {baseline['seconds']:.1f} 秒；我们冷启动全流程 {cold['end_to_end_s']:.1f} 秒"
        )


if __name__ == "__main__":
    main()
