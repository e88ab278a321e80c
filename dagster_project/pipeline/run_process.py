"""What a daemon's run process has loaded before its run comes: the forkserver of launcher.py imports
this module once (multiprocessing's preload), and each run's process is a fork of it.

Importing it loads the code location, as the code server does when it starts — that is its purpose,
and nothing but the forkserver imports it.
"""

import gc
import sys
import traceback

from dagster._cli import main as dagster_cli

from dagster_project.definitions import defs

try:
    defs()  # Dagster, dagster-dbt, polars, the dbt manifest, every module of defs/
except Exception:
    # the run loads the code location again and fails with this error in its own log; the
    # forkserver must live on for the runs after it is fixed
    traceback.print_exc()
# what is loaded now lives as long as the forkserver: the collector of each forked run process
# leaves it alone (it would otherwise walk, and so copy, every page of it in each run)
gc.freeze()


def execute(serialized_args: str) -> None:
    """Run the launched run in this process, as `dagster api execute_run ARGS` would."""
    sys.argv = ["dagster", "api", "execute_run", serialized_args]
    dagster_cli()
