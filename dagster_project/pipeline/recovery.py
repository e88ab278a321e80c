"""What a killed `dangjian run` leaves behind, and how the next run gets past it on its own.

A crash (SIGKILL, the OOM killer, a power cut) ends the process without any cleanup:
- its Dagster run stays STARTED and keeps the only slot of the `duckdb` pool, so every later run
  would wait for that slot forever — cleared here, at the start of the next run;
- the warehouse may hold half a transaction in `warehouse.duckdb.wal` — DuckDB rolls it back or
  replays it when the next run opens the file, and ingest and dbt redo their work from the inbox;
- `serving.duckdb.tmp` may be half written — the next publish deletes it (serving/publish.py), and the
  snapshot itself is only ever replaced by a complete file.

Only runs proven dead are touched: those started by `dangjian run`, while this process holds the
pipeline lock (a lock held by a process dies with it, so holding it proves that no such run is still
alive), and those the daemon launched whose process has ended (`dangjian serve` killed during a run;
pipeline/launcher.py records each run's process). The daemon's run monitoring clears the latter too
while it runs; this is for a `dangjian run` started while no daemon is.
"""

import contextlib
import fcntl
from collections.abc import Callable, Iterator
from pathlib import Path

CLI_RUN_TAGS = {"dangjian/launched_by": "cli"}
INTERRUPTED_MESSAGE = "运行进程在完成前被终止（崩溃、断电或被强制结束），本次运行未完成，看板仍是之前的快照。"


@contextlib.contextmanager
def pipeline_lock(lock_file: Path, on_wait: Callable[[], None]) -> Iterator[None]:
    """One `dangjian run` at a time on a home; a second one waits (after calling `on_wait`)."""
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    with lock_file.open("a") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            on_wait()
            fcntl.flock(fh, fcntl.LOCK_EX)
        yield


def fail_interrupted_runs(instance) -> list[str]:
    """Mark the unfinished runs of dead `dangjian run` processes failed and free their pool slots.

    Call only while holding `pipeline_lock`. Returns the run ids it cleared.
    """
    from dagster import DagsterRunStatus, RunsFilter

    from dagster_project.pipeline.launcher import process_has_ended

    unfinished = instance.get_runs(
        filters=RunsFilter(
            statuses=[
                DagsterRunStatus.NOT_STARTED,
                DagsterRunStatus.STARTING,
                DagsterRunStatus.STARTED,
                DagsterRunStatus.CANCELING,
            ],
        )
    )
    cli = CLI_RUN_TAGS.items()
    unfinished = [run for run in unfinished if cli <= run.tags.items() or process_has_ended(run)]
    for run in unfinished:
        instance.report_run_failed(run, message=INTERRUPTED_MESSAGE)
        instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
    return [run.run_id for run in unfinished]
