import dagster as dg
from dagster_duckdb import DuckDBResource

from dagster_project.home import Home
from dagster_project.project import DBT_EXECUTABLE, WarehouseDbtCli, dbt_project


@dg.definitions
def resources() -> dg.Definitions:
    home = Home.from_env()
    return dg.Definitions(
        resources={
            "warehouse": DuckDBResource(database=str(home.warehouse)),
            "dbt": WarehouseDbtCli(project_dir=dbt_project, dbt_executable=DBT_EXECUTABLE),
        }
    )
