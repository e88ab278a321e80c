"""Serving while building: readers query the published snapshot without pause while `dangjian run`
rebuilds and republishes it, again and again.

    uv run python bench/soak.py --runs N --clients C [--home DIR] [--scale S] [--seed N] [--pause S]

Without `--home` (or with an empty one) it writes the demo university at `--scale` into a scratch
home and runs `dangjian run` once for a first snapshot; a home that already has a snapshot is used
as it is. Then, N times: one inbox file changes (`soak_学习培训台账.csv`, a training sheet whose
row count — and so marts.training_records and marts.rejects — differs from the build before) and
the real command `dangjian run` rebuilds and publishes in a child process.

Meanwhile C clients query `serving.duckdb`. Even-numbered clients are threads of one process
that call `dashboards.snapshot.run_query` — what the dashboard's sessions do, sharing one attachment
per snapshot version; odd-numbered clients are processes of their own that open a fresh read-only
connection per query, like an analyst's DuckDB client. Every query is one statement that reads the
snapshot's build id, `count(*)` of every published table and the counts the publisher recorded in
`meta.table_counts`: any difference is a *mixed read* (tables of two builds seen together), any
exception an *error* (its message is kept and printed).

Prints a line per run, the figures, then one JSON object as the last line: runs, failed_runs,
clients, queries, errors, mixed_reads, builds_seen, seconds, … Exit code 1 if a run failed or any
error or mixed read was seen.
"""

import argparse
import json
import multiprocessing as mp
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

REPO = Path(__file__).resolve().parents[1]
DANGJIAN = str(Path(sys.executable).with_name("dangjian"))
SOAK_FILE = "soak_学习培训台账.csv"
MAX_KEPT_MESSAGES = 20

Query = Callable[[str], pl.DataFrame]


# ---- the mixed-read detector ---------------------------------------------------------------------


def _quoted(table_name: str) -> str:
    return ".".join('"' + part.replace('"', '""') + '"' for part in table_name.split("."))


def consistency_sql(tables: list[str]) -> str:
    """One statement (so one transaction, on one file): the build id, and per table the rows seen
    and the rows the publisher recorded for that build."""
    observed = "\n    union all ".join(
        f"select '{t.replace(chr(39), chr(39) * 2)}' as table_name, count(*) as row_count from {_quoted(t)}"
        for t in tables
    )
    return f"""
with observed as (
    {observed}
)
select snapshot.build_id, observed.table_name, observed.row_count as observed, recorded.row_count as recorded
from observed
cross join meta.snapshot as snapshot
left join meta.table_counts as recorded using (table_name)
order by observed.table_name
"""


@dataclass(frozen=True)
class Reading:
    build_id: str
    mismatches: dict[str, tuple[int, int | None]]  # table → (rows seen, rows recorded)

    @property
    def mixed(self) -> bool:
        return bool(self.mismatches)


def read_snapshot(query: Query, tables: list[str]) -> Reading:
    frame = query(consistency_sql(tables))
    builds = frame["build_id"].unique().to_list()
    if len(builds) != 1:
        raise AssertionError(f"meta.snapshot 应有且只有一行，实际 {len(builds)} 个 build_id")
    mismatches = {
        r["table_name"]: (r["observed"], r["recorded"])
        for r in frame.iter_rows(named=True)
        if r["observed"] != r["recorded"]
    }
    return Reading(builds[0], mismatches)


def published_tables(query: Query) -> list[str]:
    return query("select table_name from meta.table_counts order by table_name")["table_name"].to_list()


def dashboard_query(path: Path) -> Query:
    """The dashboard's reader: one shared read-only attachment per snapshot version, a cursor per query."""
    from dashboards.snapshot import run_query

    return lambda sql: run_query(path, sql)


def fresh_connection_query(path: Path) -> Query:
    """An analyst's reader: a new read-only connection to the file for every query."""
    import duckdb

    def query(sql: str) -> pl.DataFrame:
        with duckdb.connect(str(path), read_only=True) as con:
            return con.sql(sql).pl()

    return query


# ---- clients ---------------------------------------------------------------------------------------


@dataclass
class Tally:
    """What the client threads of one process saw."""

    queries: int = 0
    errors: int = 0
    mixed_reads: int = 0
    builds: set[str] = field(default_factory=set)
    messages: Counter[str] = field(default_factory=Counter)
    mixed_examples: list[dict] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def client_loop(query: Query, stop, tally: Tally, shared, pause: float) -> None:
    tables: list[str] | None = None
    while not stop.is_set():
        try:
            tables = tables or published_tables(query)
            reading = read_snapshot(query, tables)
        except Exception as exc:
            message = f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
            with tally.lock:
                tally.errors += 1
                tally.messages[message] += 1
            with shared["errors"].get_lock():
                shared["errors"].value += 1
        else:
            with tally.lock:
                tally.queries += 1
                tally.builds.add(reading.build_id)
                if reading.mixed:
                    tally.mixed_reads += 1
                    if len(tally.mixed_examples) < MAX_KEPT_MESSAGES:
                        tally.mixed_examples.append({"build_id": reading.build_id, **reading.mismatches})
            with shared["queries"].get_lock():
                shared["queries"].value += 1
            if reading.mixed:
                with shared["mixed_reads"].get_lock():
                    shared["mixed_reads"].value += 1
        time.sleep(pause)


def client_process(kind: str, threads: int, path: str, stop, shared, results, pause: float) -> None:
    """Runs `threads` client loops of one kind in this process, then reports its tally."""
    from streamlit import logger as streamlit_logger

    streamlit_logger.set_log_level("error")  # "no runtime found": expected outside `streamlit run`
    query = dashboard_query(Path(path)) if kind == "dashboard" else fresh_connection_query(Path(path))
    tally = Tally()
    loops = [
        threading.Thread(target=client_loop, args=(query, stop, tally, shared, pause), daemon=True)
        for _ in range(threads)
    ]
    for loop in loops:
        loop.start()
    for loop in loops:
        loop.join()
    results.put(
        {
            "kind": kind,
            "queries": tally.queries,
            "errors": tally.errors,
            "mixed_reads": tally.mixed_reads,
            "builds": sorted(tally.builds),
            "messages": dict(tally.messages),
            "mixed_examples": tally.mixed_examples,
        }
    )


# ---- the home and its inbox ----------------------------------------------------------------------


def pipeline_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DAGSTER_HOME", "DANGJIAN_FAULT")}
    return env | {"DANGJIAN_HOME": str(home), "DO_NOT_TRACK": "1", "DAGSTER_DISABLE_TELEMETRY": "1"}


def run_pipeline(home: Path) -> tuple[int, float]:
    started = time.perf_counter()
    with (home / "soak_runs.log").open("a", encoding="utf-8") as log:
        code = subprocess.run(
            [DANGJIAN, "run"], env=pipeline_env(home), stdout=log, stderr=subprocess.STDOUT, check=False
        ).returncode
    return code, time.perf_counter() - started


def prepare_home(home: Path, scale: float, seed: int) -> None:
    serving = home / "serving.duckdb"
    if serving.exists():
        print(f"使用已有的快照：{serving}", flush=True)
        return
    inbox = home / "inbox"
    if not inbox.exists() or not any(inbox.iterdir()):
        from dagster_project.demo import generate_demo

        summary = generate_demo(inbox, seed=seed, scale=scale)
        print(f"演示数据：{len(summary.files)} 个文件（scale {scale}，seed {seed}）→ {inbox}", flush=True)
    code, seconds = run_pipeline(home)
    if code != 0:
        raise SystemExit(f"首次运行失败（退出码 {code}），见 {home / 'soak_runs.log'}")
    print(f"首次运行：{seconds:.1f} 秒，快照已发布", flush=True)


def training_members(serving: Path) -> list[tuple[str, int]]:
    import duckdb

    with duckdb.connect(str(serving), read_only=True) as con:
        return con.execute(
            "select member_key, year from marts.dim_member order by year desc, member_key limit 3"
        ).fetchall()


def change_inbox(inbox: Path, run: int, members: list[tuple[str, int]]) -> tuple[int, int]:
    """Rewrite the soak training sheet: 1–3 valid rows (never the count of the run before) and, on
    odd runs, one row with hours in words that ingest rejects. Returns (valid rows, rejected rows)."""
    from dagster_project.contracts import KINDS

    headers = {c.name: c.header for c in KINDS["training"].columns}
    rows = [
        [key, f"压力测试课程{run}-{i}", f"{year}-06-{10 + i:02d}", str(2 + i)]
        for i, (key, year) in enumerate(members[: 1 + run % 3])
    ]
    if run % 2:
        key, year = members[0]
        rows.append([key, f"压力测试课程{run}-错误", f"{year}-06-20", "两小时"])
    frame = pl.DataFrame(
        rows,
        schema=[headers["member_key"], headers["course"], headers["started_on"], headers["hours"]],
        orient="row",
    )
    frame.write_csv(inbox / SOAK_FILE)
    return len(rows) - run % 2, run % 2


# ---- main ------------------------------------------------------------------------------------------


def soak(home: Path, runs: int, clients: int, pause: float, scale: float, seed: int) -> dict:
    started = time.perf_counter()
    prepare_home(home, scale, seed)
    serving = home / "serving.duckdb"
    members = training_members(serving)
    if not members:
        raise SystemExit("快照中没有党员（marts.dim_member 为空），无法生成测试用的培训记录")

    ctx = mp.get_context("spawn")  # no fork of a process that holds DuckDB and threads
    stop = ctx.Event()
    shared = {name: ctx.Value("q", 0) for name in ("queries", "errors", "mixed_reads")}
    results = ctx.Queue()
    dashboard_threads = (clients + 1) // 2
    plan = [("dashboard", dashboard_threads)] if dashboard_threads else []
    plan += [("fresh", 1)] * (clients - dashboard_threads)
    processes = [
        ctx.Process(target=client_process, args=(kind, n, str(serving), stop, shared, results, pause))
        for kind, n in plan
    ]
    for process in processes:
        process.start()
    deadline = time.monotonic() + 120
    while shared["queries"].value + shared["errors"].value < clients and time.monotonic() < deadline:
        time.sleep(0.2)
    fresh = clients - dashboard_threads
    print(f"{clients} 个客户端在查询（{dashboard_threads} 个看板线程，{fresh} 个独立连接进程）", flush=True)

    failed_runs = 0
    run_seconds = []
    for run in range(1, runs + 1):
        valid, rejected = change_inbox(home / "inbox", run, members)
        code, seconds = run_pipeline(home)
        failed_runs += code != 0
        run_seconds.append(seconds)
        print(
            f"运行 {run}/{runs}：{SOAK_FILE} 改为 {valid} 行有效、{rejected} 行拒收，退出码 {code}，"
            f"{seconds:.1f} 秒；"
            f"累计查询 {shared['queries'].value}，错误 {shared['errors'].value}，"
            f"混读 {shared['mixed_reads'].value}",
            flush=True,
        )
    time.sleep(max(1.0, pause * 10))  # let every client see the last build
    stop.set()
    reports = [results.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(timeout=60)

    messages: Counter[str] = Counter()
    for report in reports:
        messages.update(report["messages"])
    return {
        "runs": runs,
        "failed_runs": failed_runs,
        "clients": clients,
        "queries": sum(r["queries"] for r in reports),
        "errors": sum(r["errors"] for r in reports),
        "mixed_reads": sum(r["mixed_reads"] for r in reports),
        "builds_seen": len({b for r in reports for b in r["builds"]}),
        "queries_by_reader": {
            kind: sum(r["queries"] for r in reports if r["kind"] == kind) for kind in ("dashboard", "fresh")
        },
        "run_seconds": [round(s, 1) for s in run_seconds],
        "seconds": round(time.perf_counter() - started, 1),
        "error_messages": dict(messages.most_common(MAX_KEPT_MESSAGES)),
        "mixed_examples": [e for r in reports for e in r["mixed_examples"]][:MAX_KEPT_MESSAGES],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="pipeline runs while the clients query")
    parser.add_argument("--clients", type=int, default=4, help="concurrent readers of the snapshot")
    parser.add_argument("--home", type=Path, help="DANGJIAN_HOME to use (default: a scratch folder)")
    parser.add_argument("--scale", type=float, default=0.05, help="demo size when the home is empty")
    parser.add_argument("--seed", type=int, default=2026, help="demo seed")
    parser.add_argument("--pause", type=float, default=0.05, help="seconds each client waits between queries")
    args = parser.parse_args()
    if args.runs < 1 or args.clients < 1:
        parser.error("--runs and --clients must be at least 1")

    scratch = args.home is None
    home = Path(tempfile.mkdtemp(prefix="dangjian-soak-")) if scratch else args.home.resolve()
    home.mkdir(parents=True, exist_ok=True)
    try:
        summary = soak(home, args.runs, args.clients, args.pause, args.scale, args.seed)
    finally:
        if scratch:
            shutil.rmtree(home, ignore_errors=True)

    from rich.console import Console
    from rich.table import Table

    table = Table(title="看板快照压力测试（边构建边查询）")
    for column in ("运行", "失败的运行", "客户端", "查询", "错误", "混读", "见到的构建", "总用时"):
        table.add_column(column, justify="right")
    table.add_row(
        str(summary["runs"]),
        str(summary["failed_runs"]),
        str(summary["clients"]),
        str(summary["queries"]),
        str(summary["errors"]),
        str(summary["mixed_reads"]),
        str(summary["builds_seen"]),
        f"{summary['seconds']:.1f} 秒",
    )
    console = Console()
    console.print(table)
    for message, count in summary["error_messages"].items():
        console.print(f"[red]错误 ×{count}：{message}[/red]")
    for example in summary["mixed_examples"]:
        console.print(f"[red]混读：{example}[/red]")
    print(json.dumps(summary, ensure_ascii=False), flush=True)
    if summary["failed_runs"] or summary["errors"] or summary["mixed_reads"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
