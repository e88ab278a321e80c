"""Ingest benchmark (README "Benchmarks"): our reader against a plain pandas+openpyxl loop doing the
same reading.

For each scale K the demo university is generated into `<workdir>/scale-K/inbox` (timed, but not part of
ingest), then two jobs run over the same files, each in a fresh Python process so that peak memory is
per run:

* ours   — `dagster_project.ingest.store.sync_inbox` into a fresh DuckDB file: header recognition,
  typing, row rules, rejects, lineage, archive copy by content hash, `raw.files`, cross-file checks;
* pandas — for every workbook `pandas.read_excel(sheet_name=None, header=None, engine="openpyxl",
  dtype=str)`, header row found by the canonical headers of `contracts.SHEET_KINDS` in the first 30
  rows, data sliced below it, footer rows (合计/总计/填表人/审核人) dropped, each frame inserted into a
  DuckDB table per kind as text with file/sheet/row lineage — no typing, no validation.

Wall time is measured inside the child from before `duckdb.connect` to after `close` (interpreter start
and imports excluded, for both); peak RSS is the child's own `ru_maxrss` (imports included).

    uv run python bench/ingest_benchmark.py [--scales 1 10] [--seed 2026] [--workdir DIR]

Prints a table and writes `<workdir>/ingest_benchmark.json`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

HEADER_SCAN_ROWS = 30
FOOTER_PREFIXES = ("合计", "总计", "填表人", "审核人")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")


# --- the two jobs, each run in a child process ----------------------------------------------------


def _peak_rss_mib(who: int = resource.RUSAGE_SELF) -> float:
    # ru_maxrss is KiB on Linux (bytes on macOS); for RUSAGE_CHILDREN, the largest finished child
    peak = resource.getrusage(who).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def job_ours(inbox: Path, db: Path, archive: Path) -> dict:
    import duckdb

    from dagster_project.ingest.store import sync_inbox

    start = time.perf_counter()
    con = duckdb.connect(str(db))
    summary = sync_inbox(con, inbox, archive)
    files, rows, loaded, rejected = con.execute(
        "select count(*), sum(rows_read), sum(rows_loaded), sum(rows_rejected) from raw.files"
    ).fetchone()
    con.close()
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "files": files,
        "files_parsed": len(summary.parsed),
        "rows": int(rows or 0),
        "rows_loaded": int(loaded or 0),
        "rows_rejected": int(rejected or 0),
        "peak_rss_mib": _peak_rss_mib(),
        # files are parsed in worker processes, two when enough bytes change (ingest.worker)
        "worker_peak_rss_mib": _peak_rss_mib(resource.RUSAGE_CHILDREN),
    }


def _header_match(cells: list[object], kinds: list[tuple[str, dict[str, str], set[str]]]):
    """(kind, {position: column name}) for the kind whose required headers all appear, most headers wins."""
    texts = [c.strip() if isinstance(c, str) else None for c in cells]
    present = {t for t in texts if t}
    best, best_score = None, 0
    for kind, names, required in kinds:
        if required <= present:
            score = len(present & names.keys())
            if score > best_score:
                positions = {}
                for i, t in enumerate(texts):
                    if t in names and names[t] not in positions.values():
                        positions[i] = names[t]
                best, best_score = (kind, positions), score
    return best


def job_pandas(inbox: Path, db: Path) -> dict:
    import duckdb
    import pandas as pd

    from dagster_project.contracts import SHEET_KINDS

    kinds = [
        (k.kind, {c.header: c.name for c in k.columns}, {c.header for c in k.required}) for k in SHEET_KINDS
    ]
    start = time.perf_counter()
    con = duckdb.connect(str(db))
    for k in SHEET_KINDS:
        cols = ", ".join(f"{c.name} VARCHAR" for c in k.columns)
        con.execute(
            f"create table {k.kind} (_source_file VARCHAR, _sheet VARCHAR, _row_number BIGINT, {cols})"
        )
    files = rows = 0
    for path in sorted(inbox.rglob("*")):
        if path.name.startswith(("~$", ".")) or path.suffix.lower() not in EXCEL_SUFFIXES:
            continue
        if not path.is_file():
            continue
        files += 1
        source_file = path.relative_to(inbox).as_posix()
        book = pd.read_excel(path, sheet_name=None, header=None, engine="openpyxl", dtype=str)
        for sheet, frame in book.items():
            match = None
            for i in range(min(HEADER_SCAN_ROWS, len(frame))):
                match = _header_match(frame.iloc[i].tolist(), kinds)
                if match is not None:
                    break
            if match is None:
                continue
            kind, positions = match
            body = frame.iloc[i + 1 :].dropna(how="all")
            first = body.iloc[:, 0].fillna("").str.strip()
            body = body[~first.str.startswith(FOOTER_PREFIXES)]
            data = body.iloc[:, list(positions)].set_axis(list(positions.values()), axis=1)
            data.insert(0, "_row_number", body.index + 1)  # header=None: index 0 is Excel row 1
            data.insert(0, "_sheet", sheet)
            data.insert(0, "_source_file", source_file)
            con.register("frame", data)
            con.execute(f"insert into {kind} by name select * from frame")
            con.unregister("frame")
            rows += len(data)
    con.close()
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "files": files, "rows": rows, "peak_rss_mib": _peak_rss_mib()}


# --- the driver -----------------------------------------------------------------------------------


def _run_child(job: str, inbox: Path, db: Path, archive: Path, timeout: float | None) -> dict:
    """Run one job in a fresh interpreter; its last stdout line is its JSON result."""
    for stale in (db, db.with_suffix(db.suffix + ".wal")):
        stale.unlink(missing_ok=True)
    shutil.rmtree(archive, ignore_errors=True)
    cmd = [sys.executable, __file__, "--child", job, "--inbox", str(inbox), "--db", str(db)]
    cmd += ["--archive", str(archive)]
    started = time.perf_counter()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return {"timed_out": True, "seconds": timeout}
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise SystemExit(f"{job} job failed (exit {proc.returncode})")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["process_seconds"] = time.perf_counter() - started
    result["rows_per_second"] = result["rows"] / result["seconds"] if result["seconds"] else None
    return result


def _generate(scale_dir: Path, seed: int, scale: float, reuse: bool) -> dict:
    """The demo university's inbox for this scale; with --reuse an inbox made by the same seed is kept."""
    marker = scale_dir / "demo.json"
    inbox = scale_dir / "inbox"
    if reuse and marker.exists() and inbox.is_dir():
        cached = json.loads(marker.read_text())
        if cached["seed"] == seed and cached["scale"] == scale:
            return cached | {"reused": True}
    from dagster_project.demo import generate_demo

    shutil.rmtree(inbox, ignore_errors=True)
    start = time.perf_counter()
    summary = generate_demo(inbox, seed=seed, scale=scale)
    seconds = time.perf_counter() - start
    info = {
        "seed": seed,
        "scale": scale,
        "seconds": seconds,
        "files": len(summary.files),
        "inbox_mib": sum(p.stat().st_size for p in summary.files) / 2**20,
        "members": summary.members,
        "rows_written": sum(summary.rows.values()),
    }
    scale_dir.mkdir(parents=True, exist_ok=True)
    marker.write_text(json.dumps(info, ensure_ascii=False, indent=2))
    return info | {"reused": False}


def _versions() -> dict[str, str]:
    found = {}
    for dist in ("duckdb", "polars", "python-calamine", "pandas", "openpyxl"):
        try:
            found[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            found[dist] = "missing"
    return found


def _print_table(runs: list[dict]) -> None:
    from rich.console import Console
    from rich.table import Table

    def num(value: float | None, fmt: str) -> str:
        return "—" if value is None else format(value, fmt)

    table = Table(title="Ingest: ours (calamine + polars + rules) vs plain pandas + openpyxl")
    for header in (
        "scale",
        "files",
        "rows",
        "gen s",
        "ours s",
        "ours rows/s",
        "ours MiB",
        "pandas s",
        "pandas rows/s",
        "pandas MiB",
        "speed-up",
    ):
        table.add_column(header, justify="right")
    for run in runs:
        ours, pd_ = run["ours"], run["pandas"]
        timed_out = pd_.get("timed_out", False)
        table.add_row(
            f"{run['scale']:g}",
            str(ours["files"]),
            f"{ours['rows']:,}",
            f"{run['generate']['seconds']:.0f}" + (" (reused)" if run["generate"]["reused"] else ""),
            f"{ours['seconds']:.1f}",
            f"{ours['rows_per_second']:,.0f}",
            f"{ours['peak_rss_mib']:.0f}",
            f">{pd_['seconds']:.0f}" if timed_out else f"{pd_['seconds']:.1f}",
            "—" if timed_out else f"{pd_['rows_per_second']:,.0f}",
            "—" if timed_out else f"{pd_['peak_rss_mib']:.0f}",
            (">" if timed_out else "") + num(run["speedup"], ".1f") + "×",
        )
    console = Console()
    console.width = max(console.width, 140)  # keep the figures whole when piped or in a narrow terminal
    console.print(table)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", type=float, nargs="+", default=[1, 10], help="demo scales (default 1 10)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--workdir",
        type=Path,
        default=Path(tempfile.gettempdir()) / "dangjian-ingest-benchmark",
        help="scratch folder for inboxes and DuckDB files; the JSON report goes here too",
    )
    parser.add_argument(
        "--reuse", action="store_true", help="keep an inbox made here earlier with the same seed and scale"
    )
    parser.add_argument(
        "--pandas-timeout", type=float, default=None, help="give up on the pandas job after this many seconds"
    )
    parser.add_argument("--child", choices=("ours", "pandas"), help=argparse.SUPPRESS)
    parser.add_argument("--inbox", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--archive", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child == "ours":
        print(json.dumps(job_ours(args.inbox, args.db, args.archive)))
        return
    if args.child == "pandas":
        print(json.dumps(job_pandas(args.inbox, args.db)))
        return

    workdir: Path = args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    report_path = workdir / "ingest_benchmark.json"
    report = {
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
        },
        "versions": _versions(),
        "seed": args.seed,
        "runs": [],
    }
    for scale in args.scales:
        scale_dir = workdir / f"scale-{scale:g}"
        inbox = scale_dir / "inbox"
        print(f"scale {scale:g}: demo university …", flush=True)
        generate = _generate(scale_dir, args.seed, scale, args.reuse)
        how = "reused" if generate["reused"] else f"generated in {generate['seconds']:.0f} s"
        size = f"{generate['files']} files, {generate['inbox_mib']:.1f} MiB"
        print(f"scale {scale:g}: {size}, {how}", flush=True)
        print(f"scale {scale:g}: our ingest …", flush=True)
        ours = _run_child("ours", inbox, scale_dir / "ours.duckdb", scale_dir / "archive", None)
        print(f"scale {scale:g}: pandas + openpyxl …", flush=True)
        pandas_run = _run_child(
            "pandas", inbox, scale_dir / "pandas.duckdb", scale_dir / "unused-archive", args.pandas_timeout
        )
        if not pandas_run.get("timed_out") and pandas_run["rows"] != ours["rows"]:
            print(f"  note: pandas read {pandas_run['rows']:,} rows, ours {ours['rows']:,}", flush=True)
        report["runs"].append(
            {
                "scale": scale,
                "generate": generate,
                "ours": ours,
                "pandas": pandas_run,
                "speedup": pandas_run["seconds"] / ours["seconds"],
            }
        )
        # written after every scale, so a long run leaves its finished scales behind
        report_path.write_text(json.dumps(report, ensure_ascii=False, indent=2))
    _print_table(report["runs"])
    print(f"report: {report_path}")


if __name__ == "__main__":
    main()
