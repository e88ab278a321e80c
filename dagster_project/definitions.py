from pathlib import Path

import dagster as dg

from dagster_project.home import Home
from dagster_project.project import ensure_manifest

# dbt runs as a child process: it must see the same absolute home as this code location.
Home.from_env().export_env()
ensure_manifest()


@dg.definitions
def defs() -> dg.Definitions:
    return dg.load_from_defs_folder(path_within_project=Path(__file__).parent)
