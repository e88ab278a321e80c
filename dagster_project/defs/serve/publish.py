import dagster as dg

from dagster_project.defs.transform.dbt_assets import warehouse_dbt_assets
from dagster_project.home import Home
from dagster_project.serving import publish_snapshot

# What it copies: the marts. Not every dbt asset, since a warm run leaves seeds and views unbuilt
# (dagster_project/dbt_runs.py) and Dagster skips a step whose upstream was not materialized.
MARTS = [key for key in warehouse_dbt_assets.keys if key.has_prefix(["marts"])]


@dg.asset(
    key=["serving_snapshot"],
    deps=MARTS,
    group_name="serve",
    kinds={"duckdb"},
    pool="duckdb",
)
def serving_snapshot(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    """$DANGJIAN_HOME/serving.duckdb: the marts, swapped in atomically for the dashboards."""
    home = Home.from_env()
    tables = publish_snapshot(home.warehouse, home.serving, build_id=context.run_id)
    context.log.info(f"published {len(tables)} tables to {home.serving} (build {context.run_id})")
    return dg.MaterializeResult(
        metadata={"tables": len(tables), "path": str(home.serving), "build_id": context.run_id}
    )
