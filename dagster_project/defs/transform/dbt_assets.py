import dataclasses
import json
import logging
import threading
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets
from dagster_dbt.asset_utils import get_manifest_and_translator_from_dbt_assets
from dagster_dbt.core.dbt_cli_event import DbtCoreCliEventMessage
from dagster_duckdb import DuckDBResource

from dagster_project.defs.resources import HomeResource
from dagster_project.pipeline.faults import crash_point
from dagster_project.serving.publish import note_rebuilt
from dagster_project.transform import changes, replay
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
    runs_folder,
    warehouse_fingerprint,
)


class _LeftOutChecks(logging.Filter):
    """A warm run leaves out the data tests of what reads the rulebook alone (transform/runs.py), and
    Dagster warns about each of those ~50 checks in every run, on the terminal of `dangjian run` and in
    daemon.log; `dangjian run`'s summary counts them."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "emitted no result in step 'warehouse_dbt_assets'" not in record.getMessage()


logging.getLogger("dagster._core.execution.plan.active").addFilter(_LeftOutChecks())


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
    # and validating them cost about a second of a warm run. A build of the whole project writes its
    # manifest: the compiled SQL a warm run replays (transform/replay.py).
    args = ["build", "--exclude-resource-type", "unit_test", "--log-level-file", "info"]
    if context.is_subset:
        args.append("--no-write-json")
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
    manifest = json.loads(dbt_project.manifest_path.read_text(encoding="utf-8"))
    left_tests = rulebook_only_tests(manifest)
    plan_file, plan_key = runs_folder(folders) / replay.PLAN_NAME, replay.plan_key(fingerprint, folders)
    if unchanged:
        steps = replay.load_plan(plan_file, plan_key)
        if steps is not None:
            replayed = yield from _replayed(context, warehouse, steps, target, manifest)
            if replayed:
                pruning.join()
                return
        # the same project built this warehouse's seeds and views: leave them, test them on the new
        # data, except the tests of what reads the seeds alone
        args += ["--exclude", " ".join([UNCHANGED_BY_DATA, *left_tests]), "--indirect-selection", "empty"]
        context.log.info("规则表与 staging 视图未变，本次不重建（只检查规则表的测试不再运行，其余照常）")
    with warehouse.get_connection() as con:  # whatever dbt rebuilds goes into the next snapshot
        note_rebuilt(con, None)
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
            changes.mark_built(con)
        built = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
        steps = replay.plan_from_manifest(built, manifest, set(left_tests))
        if steps is not None:
            replay.save_plan(plan_file, plan_key, steps)


def _replayed(
    context: dg.AssetExecutionContext, warehouse: DuckDBResource, steps, target: Path, manifest: dict
):
    """Replay the plan in one transaction, leaving out the nodes whose inputs did not change since
    the last build (transform/changes.py); on success yield what dbt build would have (an Output
    per model, a check result per test, through dagster-dbt's own translation) and return True.
    On failure nothing was changed: return False, and dbt builds as before."""
    try:
        with warehouse.get_connection() as con:
            steps, unchanged = _to_rerun(con, manifest, steps)
            rebuilt = {
                s.relation: s.rows_where for s in steps if s.kind == "model" and s.unique_id not in unchanged
            }

            def noted(con) -> None:  # in the replay's transaction: built and to be published together
                changes.mark_built(con)
                note_rebuilt(con, list(rebuilt), in_part=rebuilt)

            outcomes = replay.replay(
                con, steps, dbt_project.project_dir, target / replay.LOG_NAME, unchanged, noted
            )
    except replay.ReplayStopped as stopped:
        context.log.warning(f"重放编译好的 SQL 未完成，改由 dbt build 构建：{stopped}")
        return False
    context.log.info(
        f"重放上次 dbt 构建编译的 SQL：{len(outcomes)} 个节点，一个事务（未调用 dbt）；"
        f"其中 {len(unchanged)} 个的输入自上次构建未变，未重算"
    )
    manifest, translator, project = get_manifest_and_translator_from_dbt_assets([context.assets_def])
    for outcome in outcomes:
        yield from _dbt_result_event(outcome, context.run.run_id).to_default_asset_events(
            manifest=manifest, dagster_dbt_translator=translator, context=context, project=project
        )
    return True


def _to_rerun(con, manifest: dict, steps: list) -> tuple[list, frozenset[str]]:
    """The plan's steps, those to rebuild in part narrowed to the partitions that changed, and the ids
    of those whose inputs did not change (transform/changes.py)."""
    changed = changes.changed_sources(con)
    if changed is None:
        return steps, frozenset()
    sql_of = {s.unique_id: s.sql for s in steps}
    placed = changes.in_part(con)
    scopes = changes.node_scopes(manifest, changed, placed, sql_of)
    partitions = changes.changed_partitions(con, manifest, placed)
    narrowed = []
    for step in steps:
        scope = scopes.get(step.unique_id)
        if step.kind == "model" and scope in (changes.BY_YEAR_COLLEGE, changes.BY_YEAR):
            sql = changes.narrowed_sql(manifest, step.unique_id, step.sql, scope, partitions)
            step = dataclasses.replace(step, sql=sql, rows_where=changes.rows_where(scope, partitions))
        narrowed.append(step)
    return narrowed, frozenset(s.unique_id for s in steps if s.unique_id not in scopes)


def _dbt_result_event(outcome: replay.Outcome, invocation_id: str) -> DbtCoreCliEventMessage:
    """The event dbt would have logged for this node (LogModelResult / LogTestResult)."""
    status = "success" if outcome.kind == "model" else "pass"
    iso = lambda seconds: datetime.fromtimestamp(seconds, UTC).isoformat()  # noqa: E731
    raw = {
        "info": {
            "name": "LogModelResult" if outcome.kind == "model" else "LogTestResult",
            "invocation_id": invocation_id,
            "msg": f"{outcome.unique_id} {status}",
        },
        "data": {
            "node_info": {
                "unique_id": outcome.unique_id,
                "node_status": status,
                "node_started_at": iso(outcome.started),
                "node_finished_at": iso(outcome.finished),
            },
            "status": status,
            **({"num_failures": outcome.failures} if outcome.kind == "test" else {}),
        },
    }
    return DbtCoreCliEventMessage(raw_event=raw, event_history_metadata={})
