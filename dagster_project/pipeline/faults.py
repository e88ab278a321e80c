"""Fault injection for the crash tests: `DANGJIAN_FAULT=ingest|dbt|publish` makes the pipeline die at
that point with SIGKILL — no exception, no `finally`, no cleanup, as in a power cut or the OOM killer.

The points (each reached once per run, at a moment when a half-written state is on disk):
- `ingest`: after the first inbox file's change is committed to schema raw, before the others;
- `dbt`: after dbt has rebuilt its first `marts` table, while it is still building the rest;
- `publish`: after the tables are written into `serving.duckdb.tmp`, before it is closed and renamed.

Unset (always, outside the tests) it does nothing.
"""

import os
import signal
import subprocess

FAULT_ENV = "DANGJIAN_FAULT"
FAULT_POINTS = ("ingest", "dbt", "publish")


def crash_point(point: str, child: subprocess.Popen | None = None) -> None:
    """Kill this process (and `child`, e.g. the dbt process it is driving) if `point` is the armed fault."""
    if os.environ.get(FAULT_ENV) != point:
        return
    if child is not None and child.poll() is None:
        child.kill()
    os.kill(os.getpid(), signal.SIGKILL)
