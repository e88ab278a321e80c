"""The processes `python -m bench` starts, one per measured step; each prints its figures as JSON last.

python -m bench._children generate INBOX SEED SCALE FORMAT
python -m bench._children pipeline                  (on $DANGJIAN_HOME)
python -m bench._children change|restore INBOX
python -m bench._children pages REPEAT              (on $DANGJIAN_SERVING_DB)
python -m bench._children baseline INBOX
python -m bench._children check INBOX REPEAT        (on $DANGJIAN_SERVING_DB; see _submit.py)
python -m bench._children submit INBOX ROUND        (on $DANGJIAN_HOME)
python -m bench._children unsubmit INBOX
"""

import datetime as dt
import json
import os
import re
import resource
import shutil
import sys
import time
from pathlib import Path

STEPS = {"inbox_workbooks": "ingest_s", "warehouse_dbt_assets": "build_s", "serving_snapshot": "publish_s"}


def _own_peak_rss_mb() -> int:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def generate(inbox: Path, seed: int, scale: float, fmt: str) -> dict:
    from dagster_project.demo import generate_demo

    options = {} if fmt == "xlsx" else {"fmt": fmt}  # Excel is the default (and the only one for K ≤ 10)
    summary = generate_demo(inbox, seed=seed, scale=scale, **options)
    return {
        "files": len(summary.files),
        "rows": sum(summary.rows.values()),
        "members": max(summary.members.values()),
        "inbox_mb": round(sum(p.stat().st_size for p in summary.files) / 2**20, 1),
    }


def pipeline() -> dict:
    """One run of `dangjian run`'s job; stage seconds from Dagster's step records."""
    import duckdb
    from dagster import DagsterInstance

    from dagster_project.home import Home
    from dagster_project.pipeline.run import run_pipeline

    home = Home.from_env().ensure()
    home.export_env()
    started = dt.datetime.now()
    result = run_pipeline(home)
    end_to_end = time.time() - float(os.environ["BENCH_LAUNCHED_AT"])  # the new snapshot is published
    if not result.success:
        raise SystemExit(f"pipeline failed, see {home.run_log}")
    with DagsterInstance.get() as instance:
        stats = {s.step_key: s.end_time - s.start_time for s in instance.get_run_step_stats(result.run_id)}
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        files, rows = con.execute(
            "select count(*), coalesce(sum(rows_read), 0) from raw.files where loaded_at >= ?", [started]
        ).fetchone()
    return {
        **{name: round(stats[step], 2) for step, name in STEPS.items()},
        "end_to_end_s": round(end_to_end, 2),
        "files_parsed": files,
        "ingest_rows": int(rows),
        "pipeline_process_peak_rss_mb": _own_peak_rss_mb(),
    }


def _changed_file(inbox: Path) -> Path:
    """The first college's largest file of the latest year."""
    files = [p for p in inbox.iterdir() if re.match(r"^\d{4}_01_", p.name)]
    latest = max(p.name[:4] for p in files)
    return max((p for p in files if p.name.startswith(latest)), key=lambda p: (p.stat().st_size, p.name))


def change(inbox: Path) -> dict:
    """The first college's file loses the last data row of its largest sheet (a real change in raw)."""
    path = _changed_file(inbox)
    keep = inbox.parent / "original"
    keep.mkdir(exist_ok=True)
    shutil.copy2(path, keep / path.name)
    return {"file": path.name, "sheet": _drop_last_row(path)}


def _drop_last_row(path: Path) -> str:
    """The file loses its last data row (of its largest sheet, for a workbook); the sheet's name."""
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        import polars as pl

        frame = pl.read_parquet(path)
        frame.head(frame.height - 1).write_parquet(path)
        return "-"
    if suffix == ".csv":
        lines = path.read_bytes().rstrip(b"\r\n").split(b"\n")
        path.write_bytes(b"\n".join(lines[:-1]) + b"\n")
        return "-"
    return _drop_last_row_of_largest_sheet(path)


def _drop_last_row_of_largest_sheet(path: Path) -> str:
    import xlsxwriter
    from python_calamine import CalamineWorkbook

    from dagster_project.ingest.formats import cell_text
    from dagster_project.ingest.header import FOOTER_PREFIXES, normalize_header

    book = CalamineWorkbook.from_path(str(path))
    sheets = {
        name: book.get_sheet_by_name(name).to_python(skip_empty_area=False) for name in book.sheet_names
    }
    largest = max(sheets, key=lambda name: len(sheets[name]))
    rows = sheets[largest]
    for i in range(len(rows) - 1, -1, -1):
        first = next((t for t in (cell_text(v) for v in rows[i]) if t), None)
        if first is not None and not normalize_header(first).startswith(FOOTER_PREFIXES):
            del rows[i]
            break
    workbook = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False})
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    for name, cells in sheets.items():
        ws = workbook.add_worksheet(name)
        for r, row in enumerate(cells):
            for c, value in enumerate(row):
                if value is None or value == "":
                    continue
                if isinstance(value, dt.date):
                    stamp = value if isinstance(value, dt.datetime) else dt.datetime.combine(value, dt.time())
                    ws.write_datetime(r, c, stamp, date_format)
                elif isinstance(value, str):
                    ws.write_string(r, c, value)
                else:
                    ws.write(r, c, value)
    workbook.close()
    return largest


def restore(inbox: Path) -> dict:
    keep = inbox.parent / "original"
    restored = [shutil.move(p, inbox / p.name) for p in keep.iterdir()] if keep.exists() else []
    return {"restored": len(restored)}


def pages(repeat: int) -> dict:
    from bench.pages import app_pages, measure

    return {"pages": measure(app_pages(), repeat)}


def baseline(inbox: Path) -> dict:
    from bench.baseline_pandas import run_baseline

    started = time.perf_counter()
    figures = run_baseline(inbox)
    return figures | {"files": len(list(inbox.iterdir())), "wall_s": round(time.perf_counter() - started, 2)}


def main() -> None:
    command, *args = sys.argv[1:]
    if command == "generate":
        out = generate(Path(args[0]), int(args[1]), float(args[2]), args[3])
    elif command == "pipeline":
        out = pipeline()
    elif command in ("change", "restore"):
        out = {"change": change, "restore": restore}[command](Path(args[0]))
    elif command == "pages":
        out = pages(int(args[0]))
    elif command == "baseline":
        out = baseline(Path(args[0]))
    elif command == "check":
        from bench._submit import check

        out = check(Path(args[0]), Path(os.environ["DANGJIAN_SERVING_DB"]), int(args[1]))
    elif command == "submit":
        from bench._submit import submit

        out = submit(Path(args[0]), int(args[1]))
    elif command == "unsubmit":
        from bench._submit import unsubmit

        out = unsubmit(Path(args[0]))
    else:
        raise SystemExit(f"unknown step {command}")
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
