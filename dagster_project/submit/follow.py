"""What the 数据报送 page needs besides the preview and the submission: the home it works in, and
how far a submitted file has got — 排队中 (in the inbox, not yet loaded), 处理中 (loaded by a run
that has not published yet), 已发布 (the published snapshot lists it), or 处理失败 (the newest pipeline
run since it was submitted failed: the last good results are still served)."""

import datetime as dt
from pathlib import Path

from dagster_project.home import Home
from dagster_project.ingest.archive import ArchiveIndex
from dagster_project.ingest.submissions import read_log

QUEUED = "排队中"
PROCESSING = "处理中"
PUBLISHED = "已发布"
FAILED = "处理失败"


def current_home() -> Home:
    """The home of $DANGJIAN_HOME (the dashboard's, exported by `dangjian serve`)."""
    return Home.from_env().ensure()


def newest_run_failed(dagster_home: Path, since: dt.datetime) -> bool:
    """Whether the newest pipeline run created after `since` (local time) failed."""
    import dagster as dg

    if not (dagster_home / "dagster.yaml").is_file():
        return False
    with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
        records = instance.get_run_records(
            filters=dg.RunsFilter(created_after=since.astimezone(dt.UTC)), limit=1
        )
    return bool(records) and records[0].dagster_run.status == dg.DagsterRunStatus.FAILURE


def progress(home: Home, stored_names: list[str], published: set[str]) -> dict[str, str]:
    """Each stored name's stage; `published`: the stored names the snapshot's marts.submissions lists
    as loaded (or refused by the run)."""
    loaded = ArchiveIndex(home.archive).state()
    submitted = [
        dt.datetime.fromisoformat(e.submitted_at)
        for e in read_log(home.archive)
        if e.stored_name in stored_names
    ]
    waiting = [n for n in stored_names if n not in published]
    failed = bool(waiting and submitted) and newest_run_failed(home.dagster_home, min(submitted))
    stages = {}
    for name in stored_names:
        if name in published:
            stages[name] = PUBLISHED
        elif failed:
            stages[name] = FAILED
        elif name in loaded:
            stages[name] = PROCESSING
        else:
            stages[name] = QUEUED
    return stages
