"""The resources every asset, check and sensor takes as a parameter: the home (its folders), the
warehouse (DuckDB) and dbt. Made once, when the code location loads (dagster_project/definitions.py),
from the home it was given; nothing below reads the environment or opens the warehouse by itself
(the warehouse's memory limit, DANGJIAN_DUCKDB_MEMORY, is read here, once, like the home).

dbt runs as a child process and finds the warehouse through its profile, which reads DANGJIAN_HOME:
the code location exports the same home to the environment when it loads (Home.export_env).
"""

from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource

from dagster_project.home import Home
from dagster_project.transform.project import DBT_EXECUTABLE, WarehouseDbtCli, dbt_project


class HomeResource(dg.ConfigurableResource):
    """$DANGJIAN_HOME: the inbox, the archive, the snapshot, dbt's run folders (home.py)."""

    root: str

    @property
    def home(self) -> Home:
        return Home(Path(self.root))


def resources(home: Home) -> dg.Definitions:
    return dg.Definitions(
        resources={
            "home": HomeResource(root=str(home.root)),
            "warehouse": DuckDBResource(database=str(home.warehouse), connection_config=home.duckdb_config()),
            "dbt": WarehouseDbtCli(project_dir=dbt_project, dbt_executable=DBT_EXECUTABLE),
        }
    )
