import json
import threading
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets
from dagster_duckdb import DuckDBResource

from dagster_project.defs.resources import HomeResource
from dagster_project.pipeline.faults import crash_point
from dagster_project.transform.project import dbt_project
from dagster_project.transform.runs import (
    UNCHANGED_BY_DATA,
    built_fingerprint,
    keep_parse_cache,
    project_fingerprint,
    prune_runs,
    record_build,
    rulebook_only_tests,
    run_target,
    warehouse_fingerprint,
)


@dbt_assets(manifest=dbt_project.manifest_path, project=dbt_project, pool="duckdb")
def warehouse_dbt_assets(
    context: dg.AssetExecutionContext, home: HomeResource, warehouse: DuckDBResource, dbt: DbtCliResource
):
    """Seeds (the rulebook), staging, intermediate and marts, with their data tests."""
    folders = home.home
    target = run_target(folders, context.run.run_id)
    # deleting old run folders takes about a second: do it on the other core while dbt starts
    pruning = threading.Thread(target=prune_runs, args=(folders,), name="prune-dbt-runs")
    pruning.start()
    # unit tests check the SQL, not the data: CI runs them (tests/model/test_dbt_unit_tests.py),
    # a run skips them.
    # The run folder keeps dbt.log at info level (a line per node; at debug it held every statement)
    # and no manifest.json/run_results.json: every node's result is in Dagster's run log, and writing
    # and validating them cost about a second of a warm run.
    args = ["build", "--exclude-resource-type", "unit_test", "--log-level-file", "info", "--no-write-json"]
    project = project_fingerprint()
    unchanged = False
    if Path(warehouse.database).exists():
        # closed again before dbt starts: dbt is the warehouse's one writer while it runs
        with warehouse.get_connection() as con:
            fingerprint = warehouse_fingerprint(con, project)
            unchanged = not context.is_subset and built_fingerprint(con) == fingerprint
            if not unchanged:
                record_build(con, None)
    else:
        fingerprint = warehouse_fingerprint(None, project)
    if unchanged:
        # the same project built this warehouse's seeds and views: leave them, test them on the new
        # data, except the tests of what reads the seeds alone
        manifest = json.loads(dbt_project.manifest_path.read_text(encoding="utf-8"))
        left = [UNCHANGED_BY_DATA, *rulebook_only_tests(manifest)]
        args += ["--exclude", " ".join(left), "--indirect-selection", "empty"]
        context.log.info("规则表与 staging 视图未变，本次不重建（只检查规则表的测试不再运行，其余照常）")
    invocation = dbt.cli(args, context=context, target_path=target)
    try:
        for event in invocation.stream():
            yield event
            if isinstance(event, dg.Output) and context.asset_key_for_output(event.output_name).has_prefix(
                ["marts"]
            ):
                crash_point("dbt", child=invocation.process)
    finally:
        keep_parse_cache(folders, target)
        pruning.join()
    if not context.is_subset:
        with warehouse.get_connection() as con:
            record_build(con, fingerprint)
