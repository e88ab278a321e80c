"""`dangjian serve` / `up`: the dashboard and, beside it, the Dagster daemon that runs the inbox sensor,
so that a file submitted on the 数据报送 page (or dropped into the inbox) is loaded and published
without anyone typing `dangjian run`.

One run at a time: the instance's run queue admits one run (home.py writes `concurrency: runs:
max_concurrent_runs: 1` into dagster.yaml); a submission that arrives while a run is going changes
the inbox, the sensor asks for another run, and the queue starts it when the first one ends. The
sensor itself never starts a run for an inbox that holds what was last loaded (defs/automation.py).

Both processes are children of `dangjian serve`: a SIGTERM or Ctrl-C stops both, and if either dies
the other is stopped too, so a service manager sees one unit that is up or down.
"""

import signal
import subprocess
import sys
import time

from dagster_project.home import REPO_ROOT, Home

_STOP_SECONDS = 20.0
# How often the sensor daemon's loop comes round (Dagster's is 5 s, a constant with no setting): a
# 报送 waited 0–5 s, 2.5 on average, for the inbox sensor's next look. The sensor's own interval (1 s,
# defs/automation.py) then spaces its looks: every 1–1.5 s, a stat of each inbox file.
SENSOR_LOOP_SECONDS = 0.5


def daemon_command() -> list[str]:
    """Dagster's `dagster-daemon run -m dagster_project.definitions`, through `main` below."""
    return [sys.executable, "-m", __name__, "run", "-m", "dagster_project.definitions"]


def main() -> None:
    """`dagster-daemon` with a shorter sensor loop, the runs' forkserver started first (launcher.py)."""
    from dagster._daemon import sensor as sensor_daemon
    from dagster._daemon.cli import main as dagster_daemon

    from dagster_project.pipeline.launcher import prestart

    sensor_daemon.MIN_INTERVAL_LOOP_TIME = SENSOR_LOOP_SECONDS
    prestart()
    sys.argv = ["dagster-daemon", *sys.argv[1:]]
    dagster_daemon()


def start_daemon(home: Home) -> subprocess.Popen:
    """The Dagster daemon for this home (DAGSTER_HOME exported by Home.export_env), logging to
    dagster/daemon.log."""
    log = (home.dagster_home / "daemon.log").open("ab")
    return subprocess.Popen(
        daemon_command(), cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
    )


def supervise(children: list[subprocess.Popen]) -> int:
    """Wait until one child ends or a SIGTERM/SIGINT arrives; then stop the others. The first child's
    exit status."""
    stopping = False

    def stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while not stopping and all(c.poll() is None for c in children):
        time.sleep(0.5)
    for child in children:
        if child.poll() is None:
            child.terminate()
    deadline = time.monotonic() + _STOP_SECONDS
    for child in children:
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
    return children[0].returncode or 0


if __name__ == "__main__":
    main()
