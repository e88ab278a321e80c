"""Where each pipeline run's dbt invocation keeps its artifacts, and dbt's parse cache between runs.

dagster-dbt gives every invocation a fresh target folder and seeds it with the project's
`target/partial_parse.msgpack`. That file comes from `dbt parse` (ensure_manifest), whose profile
points at whatever DANGJIAN_HOME was set then, so dbt refused it ("profile has changed") and parsed
the whole project again on every run (≈ 3.5 s of a warm run). The cache now lives in the home that
wrote it, keyed by the project's folder (seeds record their absolute path), and each run writes back
the one it produced. Run folders live in the home too (≈ 7 MB each) and only the newest are kept.
"""

import hashlib
import os
import shutil
from pathlib import Path

from dagster_project.home import DBT_DIR, Home

PARTIAL_PARSE = "partial_parse.msgpack"
RUNS_KEPT = 5


def runs_folder(home: Home) -> Path:
    return home.root / "dbt"


def parse_cache(home: Home, project_dir: Path = DBT_DIR) -> Path:
    key = hashlib.sha256(str(project_dir.resolve()).encode()).hexdigest()[:12]
    return runs_folder(home) / f"partial_parse-{key}.msgpack"


def run_target(home: Home, run_id: str) -> Path:
    """A new folder for this run's dbt artifacts (manifest, run_results, dbt.log), with the parse cache."""
    target = runs_folder(home) / f"run-{run_id}"
    target.mkdir(parents=True, exist_ok=True)
    # a new home starts from the one `dbt parse` left in the project (usable when its profile matches)
    for cache in (parse_cache(home), DBT_DIR / "target" / PARTIAL_PARSE):
        if cache.exists():
            shutil.copyfile(cache, target / PARTIAL_PARSE)
            break
    return target


def keep_parse_cache(home: Home, target: Path) -> None:
    """Make the parse state this run's dbt wrote the one the next run starts from (atomically)."""
    produced = target / PARTIAL_PARSE
    if not produced.exists():
        return
    cache = parse_cache(home)
    staging = cache.with_name(cache.name + ".tmp")
    shutil.copyfile(produced, staging)
    os.replace(staging, cache)


def prune_runs(home: Home, keep: int = RUNS_KEPT) -> list[Path]:
    """Delete all but the `keep` newest run folders; returns what was deleted."""
    runs = sorted(runs_folder(home).glob("run-*"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
    old = runs[keep:]
    for folder in old:
        shutil.rmtree(folder, ignore_errors=True)
    return old
