"""When the pipeline runs by itself: the inbox sensor (a file added, changed or removed) and a nightly
schedule (off by default), both starting the one job that materializes everything."""

import hashlib
import json

import dagster as dg

from dagster_project.defs.resources import HomeResource
from dagster_project.home import Home
from dagster_project.ingest.archive import ArchiveIndex, file_hash
from dagster_project.ingest.store import inbox_files

# In one process, as `dangjian run` executes it: the steps take turns on the warehouse anyway (one
# DuckDB writer, a pool of 1), and Dagster's default executor starts a process per step that imports
# the whole code location again — about 5 s each, ~25 s of a run the daemon starts for a 报送.
pipeline_job = dg.define_asset_job(
    "dangjian_pipeline",
    selection=dg.AssetSelection.all(),
    description="摄取 → dbt 构建 → 发布快照",
    executor_def=dg.in_process_executor,
)


# Dagster's own console log is for the UI and debugging: `dangjian run` prints stage lines and a
# summary, and a run the sensor starts wrote every one of its ~950 events at DEBUG to daemon.log.
QUIET_RUN_CONFIG = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}


def inbox_fingerprint(home: Home) -> str:
    """What the inbox holds, cheaply: names, sizes and modification times (the ingest hashes contents)."""
    files = inbox_files(home.inbox) if home.inbox.exists() else {}
    state = {name: [p.stat().st_size, p.stat().st_mtime_ns] for name, p in files.items()}
    return json.dumps(state, sort_keys=True, ensure_ascii=False)


def inbox_is_loaded(home: Home) -> bool:
    """Whether the inbox holds exactly what the last ingest loaded (archive/index.jsonl: each file
    by content hash), as after a `dangjian run`. Names and sizes first; contents only if they agree."""
    loaded = ArchiveIndex(home.archive).state()
    files = inbox_files(home.inbox) if home.inbox.exists() else {}
    if set(files) != set(loaded):
        return False
    if any(path.stat().st_size != loaded[name].size for name, path in files.items()):
        return False
    return all(file_hash(path) == loaded[name].sha256 for name, path in files.items())


# A look is a stat of each inbox file. A sensor's interval is counted from its last tick's start, and
# the daemon evaluates it at the first of its loops (every 0.5 s: pipeline/daemon.py) at least that
# long after: at 1 s, a college on the 数据报送 page waits 0–1.5 s for the next look.
@dg.sensor(job=pipeline_job, minimum_interval_seconds=1, default_status=dg.DefaultSensorStatus.RUNNING)
def inbox_sensor(context: dg.SensorEvaluationContext, home: HomeResource):
    """Starts a pipeline run when a file is added to, changed in or removed from the inbox — compared
    with what was last loaded, whoever loaded it: a `dangjian run` between two looks (or before the
    Dagster UI started, with no cursor yet) leaves nothing to do."""
    fingerprint = inbox_fingerprint(home.home)
    if fingerprint == context.cursor:
        return dg.SkipReason("收件箱没有变化")
    context.update_cursor(fingerprint)
    if inbox_is_loaded(home.home):
        return dg.SkipReason("收件箱中的文件与上次入库的一致，无需运行")
    return dg.RunRequest(
        run_key=hashlib.sha256(fingerprint.encode()).hexdigest()[:16], run_config=QUIET_RUN_CONFIG
    )


nightly_schedule = dg.ScheduleDefinition(
    name="nightly_rebuild",
    job=pipeline_job,
    cron_schedule="0 2 * * *",
    execution_timezone="Asia/Shanghai",
    description="每天凌晨2点重算一次（规则表修改后无需等待新文件）",
    default_status=dg.DefaultScheduleStatus.STOPPED,
)


@dg.definitions
def jobs() -> dg.Definitions:
    return dg.Definitions(jobs=[pipeline_job], sensors=[inbox_sensor], schedules=[nightly_schedule])
