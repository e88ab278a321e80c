from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource

from dagster_project.defs.resources import HomeResource
from dagster_project.defs.transform.dbt_assets import warehouse_dbt_assets
from dagster_project.serving.publish import publish_snapshot

# What it copies: the marts. Not every dbt asset, since a warm run leaves seeds and views unbuilt
# (dagster_project/transform/runs.py) and Dagster skips a step whose upstream was not materialized.
MARTS = [key for key in warehouse_dbt_assets.keys if key.has_prefix(["marts"])]


@dg.asset(
    key=["serving_snapshot"],
    deps=MARTS,
    group_name="serve",
    kinds={"duckdb"},
    pool="duckdb",
)
def serving_snapshot(
    context: dg.AssetExecutionContext, home: HomeResource, warehouse: DuckDBResource
) -> dg.MaterializeResult:
    """$DANGJIAN_HOME/serving.duckdb: the marts, swapped in atomically for the dashboards."""
    serving: Path = home.home.serving
    with warehouse.get_connection() as con:
        tables = publish_snapshot(con, serving, build_id=context.run_id)
    context.log.info(f"published {len(tables)} tables to {serving} (build {context.run_id})")
    return dg.MaterializeResult(
        metadata={"tables": len(tables), "path": str(serving), "build_id": context.run_id}
    )
