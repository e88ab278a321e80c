"""Per-page data load times of the dashboards, measured on a published snapshot.

    uv run python bench/pages.py [--serving PATH] [--repeat 5]

For every page the script runs the page in Streamlit's AppTest with the data cache cleared (a cold
load, what the first viewer after a publish sees) and records the time spent in the dashboard's
DuckDB queries (`dashboards.snapshot.run_query`, the only place the dashboards touch the snapshot) and
the whole page run. Prints a table, then one JSON object as the last line.

Default snapshot: $DANGJIAN_HOME/serving.duckdb (make one with `dangjian demo && dangjian run`).
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

REPO = Path(__file__).resolve().parents[1]
APP = REPO / "dashboards" / "app.py"


def app_pages() -> list[Path]:
    """Every page file of the dashboards."""
    return [p for p in sorted((REPO / "dashboards" / "pages").glob("*.py")) if p.name != "__init__.py"]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(pages: list[Path], repeat: int) -> list[dict]:
    import streamlit as st
    from streamlit import logger as streamlit_logger
    from streamlit.testing.v1 import AppTest

    streamlit_logger.set_log_level("error")  # AppTest's "bare mode" warnings are not figures

    import dashboards.snapshot as snapshot

    spent: list[float] = []
    real_run_query = snapshot.run_query

    def timed_run_query(*args, **kwargs):
        started = time.perf_counter()
        try:
            return real_run_query(*args, **kwargs)
        finally:
            spent.append(time.perf_counter() - started)

    snapshot.run_query = timed_run_query
    results = []
    for page in pages:
        data_ms, page_ms, queries, errors = [], [], 0, 0
        for _ in range(repeat):
            st.cache_data.clear()
            spent.clear()
            at = AppTest.from_file(str(APP), default_timeout=120)
            at.switch_page(f"pages/{page.name}")
            started = time.perf_counter()
            at.run()
            page_ms.append(1000 * (time.perf_counter() - started))
            data_ms.append(1000 * sum(spent))
            queries = len(spent)
            errors += len(at.exception)
        results.append(
            {
                "page": page.stem,
                "queries": queries,
                "data_p50_ms": round(statistics.median(data_ms), 1),
                "data_p95_ms": round(percentile(data_ms, 0.95), 1),
                "page_p50_ms": round(statistics.median(page_ms), 1),
                "errors": errors,
            }
        )
    snapshot.run_query = real_run_query
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    home = Path(os.environ.get("DANGJIAN_HOME", ".dangjian"))
    parser.add_argument("--serving", type=Path, default=home / "serving.duckdb")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if not args.serving.exists():
        sys.exit(f"no snapshot at {args.serving}: run `dangjian demo && dangjian run` first")
    os.environ["DANGJIAN_SERVING_DB"] = str(args.serving.resolve())
    sys.path.insert(0, str(REPO))

    results = measure(app_pages(), args.repeat)

    table = Table(title=f"看板各页数据加载（冷缓存，{args.repeat} 次）：{args.serving}")
    for column in ("page", "queries", "data p50 ms", "data p95 ms", "page run p50 ms", "errors"):
        table.add_column(column)
    for r in results:
        table.add_row(
            r["page"],
            str(r["queries"]),
            str(r["data_p50_ms"]),
            str(r["data_p95_ms"]),
            str(r["page_p50_ms"]),
            str(r["errors"]),
        )
    Console(width=120).print(table)
    worst = max(r["data_p95_ms"] for r in results)
    print(
        json.dumps(
            {"serving": str(args.serving), "pages": results, "page_data_p95_ms": worst}, ensure_ascii=False
        )
    )


if __name__ == "__main__":
    main()
