"""The Dagster code location (`dagster dev -m dagster_project.definitions`, `dangjian run`, `dangjian ui`).

Importing this module does nothing. Loading the code location (calling `defs`) makes $DANGJIAN_HOME
the home of this process and of the processes it starts (dbt reads it from the environment), writes
dbt's manifest when it is missing or stale (the dbt assets are read from it), and collects the
definitions of defs/ with the resources made from that home.
"""

from pathlib import Path

import dagster as dg

from dagster_project.defs.resources import resources
from dagster_project.home import Home
from dagster_project.transform.project import ensure_manifest


@dg.definitions
def defs() -> dg.Definitions:
    home = Home.from_env()
    home.export_env()
    ensure_manifest()
    return dg.Definitions.merge(
        dg.load_from_defs_folder(path_within_project=Path(__file__).parent), resources(home)
    )
