"""The daemon's run launcher (pipeline/launcher.py): which process a run is, whether it still lives,
stopping it, and what a run whose process died leaves for the next one. The launch itself, a run
forked from the preloaded forkserver, is exercised end to end by tests/dashboards/test_browser_submit.py
(a 报送 through `dangjian serve`'s daemon)."""

import os
import subprocess
import sys
import time
import uuid

import dagster as dg
import pytest

from dagster_project.home import Home
from dagster_project.pipeline.launcher import (
    PROCESS_TAG,
    PrestartedRunLauncher,
    process_has_ended,
    process_identity,
)
from dagster_project.pipeline.recovery import CLI_RUN_TAGS, fail_interrupted_runs


@pytest.fixture
def instance(tmp_path):
    home = Home(tmp_path / "h").ensure()
    with dg.DagsterInstance.from_config(str(home.dagster_home)) as instance:
        yield instance


@pytest.fixture
def sleeper():
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    yield proc
    proc.kill()
    proc.wait()


def _run(instance, tags: dict, status=dg.DagsterRunStatus.STARTED) -> dg.DagsterRun:
    run = dg.DagsterRun(job_name="dangjian_pipeline", run_id=str(uuid.uuid4()), status=status, tags=tags)
    instance.add_run(run)
    return run


def _ended(proc: subprocess.Popen) -> str:
    proc.kill()
    proc.wait()
    return str(proc.pid)


def test_the_home_s_instance_launches_with_it_and_monitors_runs(instance):
    assert isinstance(instance.run_launcher, PrestartedRunLauncher)
    assert instance.run_monitoring_enabled
    # a run whose process died gives its duckdb slot back after 30 s (Dagster's monitoring daemon)
    assert instance.run_monitoring_settings["free_slots_after_run_end_seconds"] == 30


def test_a_process_is_its_pid_and_start_time(sleeper):
    identity = process_identity(sleeper.pid)
    assert identity.startswith(f"{sleeper.pid}:") and identity == process_identity(sleeper.pid)
    assert process_identity(os.getpid()) != identity
    pid = _ended(subprocess.Popen([sys.executable, "-c", "pass"]))
    assert process_identity(int(pid)) is None


def test_a_living_run_process_is_healthy_and_stopped_by_sigint(instance, sleeper):
    run = _run(instance, {PROCESS_TAG: process_identity(sleeper.pid)})
    launcher = instance.run_launcher
    assert launcher.check_run_worker_health(run).status.value == "RUNNING"
    assert not process_has_ended(run)

    assert launcher.terminate(run.run_id) is True
    assert sleeper.wait(timeout=10) != 0  # KeyboardInterrupt from SIGINT
    assert instance.get_run_by_id(run.run_id).status == dg.DagsterRunStatus.CANCELING

    assert process_has_ended(run)
    assert launcher.check_run_worker_health(run).status.value == "FAILED"
    assert launcher.terminate(run.run_id) is False


def test_a_reused_pid_is_not_the_run_s_process(instance, sleeper):
    # the run's process ended and the system gave its pid to another process: same pid, other start
    pid, started = process_identity(sleeper.pid).split(":")
    run = _run(instance, {PROCESS_TAG: f"{pid}:{int(started) - 1}"})
    assert process_has_ended(run)
    assert instance.run_launcher.check_run_worker_health(run).status.value == "FAILED"
    assert instance.run_launcher.terminate(run.run_id) is False
    time.sleep(0.2)
    assert sleeper.poll() is None  # not signalled


def test_a_run_the_launcher_did_not_start_is_unknown_to_it(instance):
    run = _run(instance, {})
    assert instance.run_launcher.check_run_worker_health(run).status.value == "UNKNOWN"
    assert instance.run_launcher.terminate(run.run_id) is False


def test_the_next_run_fails_daemon_runs_whose_process_died_and_frees_their_slot(instance, sleeper):
    # `dangjian serve` killed during a run: the run stays STARTED holding the duckdb pool's only
    # slot, and every later run — the daemon's and `dangjian run`'s — waited for it for ever
    storage = instance.event_log_storage
    storage.set_concurrency_slots("duckdb", 1)
    dead = _run(instance, {PROCESS_TAG: f"{_ended(subprocess.Popen([sys.executable, '-c', 'pass']))}:1"})
    storage.claim_concurrency_slot("duckdb", dead.run_id, "serving_snapshot")
    alive = _run(instance, {PROCESS_TAG: process_identity(sleeper.pid)})
    untracked = _run(instance, {})  # launched by another launcher: nothing proves it dead
    cli = _run(instance, CLI_RUN_TAGS)  # `dangjian run`'s: dead, as the caller holds the lock

    assert sorted(fail_interrupted_runs(instance)) == sorted([dead.run_id, cli.run_id])
    status = {r: instance.get_run_by_id(r).status for r in (dead.run_id, alive.run_id, untracked.run_id)}
    assert status == {
        dead.run_id: dg.DagsterRunStatus.FAILURE,
        alive.run_id: dg.DagsterRunStatus.STARTED,
        untracked.run_id: dg.DagsterRunStatus.STARTED,
    }
    assert storage.get_concurrency_info("duckdb").claimed_slots == []
