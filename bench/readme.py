"""Regenerate the README's benchmark table from bench/results/scale-K.json (`python -m bench --save`).

    uv run python -m bench.readme
    uv run python -m bench.readme --growth   # prints bench/README.md's log-log table, writes nothing

The table sits between the two marker comments of README.md; everything else is left as it is.
"""

import json
import math
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results"
README = REPO / "README.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"


def _n(value, digits: int = 1) -> str:
    if value is None:
        return "–"
    return f"{value:,.{digits}f}" if isinstance(value, float) and digits else f"{value:,.0f}"


def _warm(r: dict) -> str:
    runs = r.get("warm_runs_s") or []
    if len(runs) < 2:
        return _n(r["warm_s"])
    return f"{_n(r['warm_s'])} ({_n(min(runs))}–{_n(max(runs))})"


def _baseline(r: dict) -> str:
    """The baseline's rows/s with ours ÷ it: one column, the ratio being of two figures beside it."""
    if not r.get("baseline_rows_per_s"):
        return "–"
    return f"{_n(r['baseline_rows_per_s'], 0)} ({r['ingest_speedup']:.1f}×)"


def table(results: list[dict]) -> str:
    machines = sorted({r["machine"] for r in results})
    dates = sorted({r["date"] for r in results})
    lines = [
        f"Measured {', '.join(dates)} on {'; '.join(machines)}, with "
        '`uv run python -m bench --scale K [--baseline] --save` ("–": not measured in that run: no'
        " `--baseline`, `--submit-runs 0` or `--browser-loads 0`).",
        "",
        "| K | members/yr | input | rows | cold s | warm s: median (range) | ingest s | ingest rows/s"
        " | baseline rows/s (ours ÷ it) | dbt build s | publish s | warm build s | query p95 ms"
        " | check s | submit → publish s | page load p95 ms | filter change p95 ms | peak RSS MiB |",
        "|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in sorted(results, key=lambda r: r["scale"]):
        lines.append(
            f"| {r['scale']:g} | {_n(r['members'], 0)} | {r['files']} {r['format']} | {_n(r['rows'], 0)}"
            f" | {_n(r['cold_s'])} | {_warm(r)} | {_n(r['ingest_s'])}"
            f" | {_n(r['ingest_rows_per_s'], 0)} | {_baseline(r)} | {_n(r['build_s'])} | {_n(r['publish_s'])}"
            f" | {_n(r['warm_build_s'])} | {_n(r['page_p95_ms'])} | {_n(r.get('check_s'), 2)}"
            f" | {_n(r.get('submit_to_publish_s'))} | {_n(r.get('page_load_p95_ms'), 0)}"
            f" | {_n(r.get('interaction_p95_ms'), 0)} | {_n(r['peak_rss_mb'], 0)} |"
        )
    return "\n".join(lines)


GROWTH = (
    ("cold ingest s", "ingest_s"),
    ("cold dbt build s", "build_s"),
    ("cold publish s", "publish_s"),
    ("cold total s", "cold_s"),
    ("warm ingest s", "warm_ingest_s"),
    ("warm build s", "warm_build_s"),
    ("warm total s", "warm_s"),
    ("peak RSS MiB", "peak_rss_mb"),
)


def exponent(small: float | None, large: float | None, ratio: float) -> float | None:
    """b in t ∝ K^b between two scales `ratio` apart (log-log slope)."""
    if not small or not large:
        return None
    return math.log10(large / small) / math.log10(ratio)


def growth(results: list[dict]) -> str:
    """Each stage at 1×, 10×, 100× and its exponent 1×→100× and 10×→100×."""
    by = {r["scale"]: r for r in results}
    lines = [
        "| stage | 1× | 10× | 100× | b, 1×→100× | b, 10×→100× |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for label, key in GROWTH:
        t = {k: by[k].get(key) if k in by else None for k in (1.0, 10.0, 100.0)}
        b = [exponent(t[1.0], t[100.0], 100), exponent(t[10.0], t[100.0], 10)]
        cells = [_n(v, 0 if key == "peak_rss_mb" else 1) for v in t.values()]
        cells += ["–" if x is None else f"{x:.2f}" for x in b]
        lines.append(f"| {label} | {' | '.join(cells)} |")
    return "\n".join(lines)


def main() -> None:
    results = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(RESULTS.glob("scale-*.json"))]
    if not results:
        raise SystemExit(f"no results in {RESULTS}: run `uv run python -m bench --scale 1 --baseline --save`")
    if sys.argv[1:] == ["--growth"]:
        print(growth(results))
        return
    text = README.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(START) + r".*?" + re.escape(END), re.S)
    if not pattern.search(text):
        raise SystemExit(f"README.md has no {START} … {END} block")
    README.write_text(pattern.sub(lambda _: f"{START}\n{table(results)}\n{END}", text), encoding="utf-8")
    print(f"README.md: {len(results)} scales")


if __name__ == "__main__":
    main()
