"""The daemon's runs start in a process forked from one that has already loaded the code location.

Dagster's default launcher asks the code server to spawn a new Python for each run, which then
imports Dagster, dagster-dbt, polars and the code location: ≈ 5 s of a 报送's wait between the run's
launch and its first step on this 2-core machine (7 s of CPU), for work that does not depend on the
run. Here the runs' processes come from Python's forkserver (`multiprocessing`), whose server
process loads all of that once (`run_process.py`, its preload) and forks a copy for each run in a
few milliseconds. A run's process then runs it as `dagster api execute_run` would (the arguments
Dagster's container launchers pass on their command line): each run still has a process of its own.

`dangjian serve`'s daemon starts the forkserver with itself (`prestart`, from pipeline/daemon.py);
any other process launching a run through the home's instance starts it at its first launch.

The launcher also answers run monitoring (dagster.yaml: `run_monitoring`): a run whose process is
gone (serve killed, the machine restarted) is marked failed instead of holding the one-run queue.
"""

import multiprocessing
import os
import signal
from pathlib import Path

from dagster import serialize_value
from dagster._core.launcher import CheckRunHealthResult, LaunchRunContext, RunLauncher, WorkerStatus
from dagster._grpc.types import ExecuteRunArgs
from dagster._serdes import ConfigurableClass, ConfigurableClassData

# a run's process, as "pid:start time" (a pid alone can be reused once the run has ended)
PROCESS_TAG = "dangjian/run_process"
PRELOAD = "dagster_project.pipeline.run_process"


def _forkserver() -> multiprocessing.context.ForkServerContext:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([PRELOAD])
    return context


def prestart() -> None:
    """Start the forkserver now, so that it has loaded everything before the first run comes."""
    _forkserver()
    from multiprocessing import forkserver

    forkserver.ensure_running()


def process_identity(pid: int) -> str | None:
    """`pid:start time` of a living process (Linux's /proc), or None."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # the command name (2nd field) is in parentheses and may hold spaces; the start time is the 22nd
    fields = stat[stat.rindex(")") + 2 :].split()
    if fields[0] == "Z":
        return None  # ended, not yet reaped
    return f"{pid}:{fields[19]}"


def _recorded_process(run) -> tuple[int, str] | None:
    identity = run.tags.get(PROCESS_TAG)
    return None if identity is None else (int(identity.split(":")[0]), identity)


def process_has_ended(run) -> bool:
    """Whether this launcher started `run`'s process and that process is gone."""
    recorded = _recorded_process(run)
    return recorded is not None and process_identity(recorded[0]) != recorded[1]


def _execute(serialized_args: str) -> None:
    from dagster_project.pipeline.run_process import execute  # loaded by the forkserver already

    execute(serialized_args)


class PrestartedRunLauncher(RunLauncher, ConfigurableClass):
    """Named in every home's dagster.yaml (home.py). Nothing to configure."""

    def __init__(self, inst_data: ConfigurableClassData | None = None):
        self._inst_data = inst_data
        super().__init__()

    @property
    def inst_data(self) -> ConfigurableClassData | None:
        return self._inst_data

    @classmethod
    def config_type(cls) -> dict:
        return {}

    @classmethod
    def from_config_value(cls, inst_data: ConfigurableClassData, config_value: dict):
        return cls(inst_data=inst_data)

    def launch_run(self, context: LaunchRunContext) -> None:
        run = context.dagster_run
        args = ExecuteRunArgs(
            job_origin=run.job_code_origin,
            run_id=run.run_id,
            instance_ref=self._instance.get_ref(),
            set_exit_code_on_failure=True,
        )
        multiprocessing.active_children()  # reaps the handles of runs that have ended
        process = _forkserver().Process(
            target=_execute, args=(serialize_value(args),), name=f"dagster-run-{run.run_id}"
        )
        process.start()
        identity = process_identity(process.pid) or f"{process.pid}:?"
        self._instance.add_run_tags(run.run_id, {PROCESS_TAG: identity})

    def terminate(self, run_id: str) -> bool:
        run = self._instance.get_run_by_id(run_id)
        if run is None or run.is_finished or process_has_ended(run):
            return False
        recorded = _recorded_process(run)
        if recorded is None:
            return False
        pid = recorded[0]
        self._instance.report_run_canceling(run)
        # Dagster's run process turns SIGINT into an orderly stop (its steps see KeyboardInterrupt
        # and the run ends CANCELED), as the code server's cancel does for the processes it spawns
        os.kill(pid, signal.SIGINT)
        return True

    @property
    def supports_check_run_worker_health(self) -> bool:
        return True

    def check_run_worker_health(self, run) -> CheckRunHealthResult:
        if _recorded_process(run) is None:
            return CheckRunHealthResult(WorkerStatus.UNKNOWN, "no process recorded for this run")
        if process_has_ended(run):
            return CheckRunHealthResult(WorkerStatus.FAILED, "运行进程已结束，运行未完成")
        return CheckRunHealthResult(WorkerStatus.RUNNING)
