"""One run of the whole asset graph through Dagster, as `dangjian run` makes it: recorded in the home's
Dagster instance (the Dagster UI shows it), one run at a time per home, a killed run before it cleared
(recovery.py), a line per stage on the terminal while it runs and a summary after it.
"""

import contextlib
import sys
import threading
import time
import uuid

import duckdb
from rich.console import Console
from rich.table import Table

from dagster_project.home import Home
from dagster_project.pipeline.recovery import CLI_RUN_TAGS, fail_interrupted_runs, pipeline_lock

JOB_NAME = "dangjian_pipeline"
PUBLISH_STEP = "serving_snapshot"
STAGES = {
    "inbox_workbooks": "摄取表格（inbox → raw）",
    "warehouse_dbt_assets": "dbt 构建（规则表、staging、指标、得分、测试）",
    "serving_snapshot": "发布看板快照（serving.duckdb）",
}


def run_pipeline(home: Home):
    """One run of the whole asset graph through Dagster, recorded in $DANGJIAN_HOME/dagster. The
    home must be this process's (Home.export_env): the code location and dbt read it from there."""
    from dagster import DagsterInstance

    from dagster_project.definitions import defs
    from dagster_project.ingest.worker import start_early
    from dagster_project.pipeline.event_log import databases_kept_open

    start_early()  # the ingest step's parse worker starts while Dagster sets the run up
    job = defs().resolve_job_def(JOB_NAME)
    run_id = str(uuid.uuid4())  # what Dagster's own run ids are
    # dagster-dbt echoes dbt's own log to stdout; keep it in a file and the terminal for progress.
    out = Console(file=sys.stdout)
    with (
        pipeline_lock(home.dagster_home / "pipeline.lock", lambda: out.print("另一个运行尚未结束，等待中…")),
        databases_kept_open(home.dagster_home),
        DagsterInstance.get() as instance,
    ):
        for interrupted in fail_interrupted_runs(instance):
            out.print(f"[yellow]上次运行 {interrupted[:8]} 被中断，已标记为失败；本次从头重新运行。[/yellow]")
        with home.run_log.open("w", encoding="utf-8") as log, contextlib.redirect_stdout(log):
            result = _execute_watched(job, instance, run_id, out)
    return result


def _execute_watched(job, instance, run_id: str, out: Console):
    from dagster_project.defs.automation import QUIET_RUN_CONFIG

    done = threading.Event()
    watcher = threading.Thread(target=_watch_progress, args=(instance, run_id, done, out), daemon=True)
    watcher.start()
    try:
        return job.execute_in_process(
            run_config=QUIET_RUN_CONFIG,
            instance=instance,
            run_id=run_id,
            tags=CLI_RUN_TAGS,
            raise_on_error=False,
        )
    finally:
        done.set()
        watcher.join(timeout=10)


def _watch_progress(instance, run_id: str, done: threading.Event, out: Console) -> None:
    """Print each stage as Dagster records it (the run itself executes in the main thread)."""
    from dagster import DagsterEventType

    wanted = {DagsterEventType.STEP_START, DagsterEventType.STEP_SUCCESS, DagsterEventType.STEP_FAILURE}
    cursor = None
    started: dict[str, float] = {}
    while True:
        finished = done.is_set()
        # Only new stage events: reading the whole log on every poll slowed the run it watches (same GIL).
        try:
            connection = instance.get_records_for_run(run_id, cursor=cursor, of_type=wanted)
        except Exception:  # the run may not be registered yet
            connection = None
        for event_record in connection.records if connection else []:
            record = event_record.event_log_entry
            event = record.dagster_event
            step = event.step_key or ""
            label = STAGES.get(step)
            if label is None:  # asset-check steps: reported together after the run
                continue
            if event.event_type == DagsterEventType.STEP_START:
                started[step] = record.timestamp
                out.print(f"[cyan]▶[/cyan] {label} …")
            elif event.event_type == DagsterEventType.STEP_SUCCESS:
                seconds = record.timestamp - started.get(step, record.timestamp)
                out.print(f"[green]✔[/green] {label}（{seconds:.1f} 秒）")
            else:
                out.print(f"[red]✘ {label} 失败[/red]")
        if connection is not None:
            cursor = connection.cursor
        if finished:
            return
        time.sleep(0.5)


def snapshot_published(result) -> bool:
    """Whether this run published a new snapshot. A run can succeed without: when a step leaves out
    an output the publish step waits for, Dagster skips the publish and calls the run a success."""
    return any(event.asset_key.path == [PUBLISH_STEP] for event in result.get_asset_materialization_events())


def print_checks(result, console: Console) -> None:
    """The run's data checks: how many, and the ones that failed or warned."""
    from dagster import AssetCheckSeverity

    checks = result.get_asset_check_evaluations()
    failed = [c for c in checks if not c.passed and c.severity == AssetCheckSeverity.ERROR]
    warned = [c for c in checks if not c.passed and c.severity == AssetCheckSeverity.WARN]
    console.print(f"数据检查 {len(checks)} 项：未通过 {len(failed)} 项，警告 {len(warned)} 项")
    for check in failed:
        console.print(f"[red]  ✘ {check.asset_key.to_user_string()}: {check.check_name}[/red]")
    for check in warned:
        console.print(f"[yellow]  ⚠ {check.asset_key.to_user_string()}: {check.check_name}[/yellow]")


def print_summary(home: Home, console: Console) -> None:
    """What the run loaded and rejected, and the top of the latest ranking."""
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        files, read, loaded, rejected = con.execute(
            "select count(*), coalesce(sum(rows_read), 0), coalesce(sum(rows_loaded), 0), "
            "coalesce(sum(rows_rejected), 0) from marts.load_summary"
        ).fetchone()
        file_rejects = con.execute(
            "select count(*) from marts.load_summary where problem is not null"
        ).fetchone()[0]
        latest = con.execute("select max(period) from marts.college_scores").fetchone()[0]
        top = con.execute(
            "select rank, college_name, composite, stars, grade from marts.college_scores "
            "where period = ? order by rank, college_code limit 5",
            [latest],
        ).fetchall()
    console.print(
        f"\n文件 {files} 个：读取 {read} 行，入库 {loaded} 行，拒收 {rejected} 行"
        + (f"，无法读取的文件 {file_rejects} 个" if file_rejects else "")
        + "（明细：dangjian rejects --out 文件.xlsx）"
    )
    if latest:
        table = Table(title=f"{latest} 二级党组织排名前五")
        for col in ("名次", "二级党组织", "综合得分", "星级", "等次"):
            table.add_column(col)
        for rank, college, composite, stars, grade in top:
            table.add_row(
                str(rank), college, f"{composite:.2f}", "★" * stars if stars else "不定级", grade or ""
            )
        console.print(table)
    console.print(f"看板快照：{home.serving}")
