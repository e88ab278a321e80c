"""The dbt unit tests (hand-computed scores for every score model) run here, not in each pipeline run:
they test the SQL, not the data, so a production run skips them (`--exclude-resource-type unit_test`)
and CI runs them on a fresh, empty warehouse."""

import json
import os
import subprocess

import duckdb

from dagster_project.home import DBT_DIR
from dagster_project.ingest.store import ensure_raw_schema
from dagster_project.transform.project import DBT_EXECUTABLE


def test_every_dbt_unit_test_passes_on_an_empty_warehouse(tmp_path, dbt_manifest):
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as con:
        ensure_raw_schema(con)  # the sources exist, empty, as after a first run on an empty inbox
    env = {**os.environ, "DANGJIAN_HOME": str(tmp_path), "DO_NOT_TRACK": "1"}
    # --empty: every model is built with zero rows, so the unit tests have their parents' columns
    done = subprocess.run(
        [DBT_EXECUTABLE, "build", "--empty", "--project-dir", str(DBT_DIR), "--profiles-dir", str(DBT_DIR),
         "--target-path", str(tmp_path / "target")],
        cwd=DBT_DIR, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:]
    results = json.loads((tmp_path / "target" / "run_results.json").read_text(encoding="utf-8"))["results"]
    unit = {r["unique_id"]: r["status"] for r in results if r["unique_id"].startswith("unit_test.")}
    manifest = json.loads(dbt_manifest.read_text(encoding="utf-8"))
    assert set(unit) == set(manifest["unit_tests"]) and len(unit) >= 10
    assert set(unit.values()) == {"pass"}
