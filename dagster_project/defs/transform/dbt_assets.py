import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from dagster_project.faults import crash_point
from dagster_project.project import dbt_project


@dbt_assets(manifest=dbt_project.manifest_path, project=dbt_project, pool="duckdb")
def warehouse_dbt_assets(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    """Seeds (the rulebook), staging, intermediate and marts, with their data tests."""
    # unit tests check the SQL, not the data: CI runs them (tests/test_dbt_unit_tests.py), a run skips them
    invocation = dbt.cli(["build", "--exclude-resource-type", "unit_test"], context=context)
    for event in invocation.stream():
        yield event
        if isinstance(event, dg.Output) and context.asset_key_for_output(event.output_name).has_prefix(
            ["marts"]
        ):
            crash_point("dbt", child=invocation.process)
