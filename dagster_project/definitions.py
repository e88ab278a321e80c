from pathlib import Path

import dagster as dg

from dagster_project.home import Home
from dagster_project.project import ensure_manifest

# dbt runs as a child process: it must see the same absolute home as this code location.
Home.from_env().export_env()
ensure_manifest()


@dg.definitions
def defs() -> dg.Definitions:
    loaded = dg.load_from_defs_folder(path_within_project=Path(__file__).parent)
    main_job = dg.define_asset_job(
        "dangjian_pipeline", selection=dg.AssetSelection.all(), description="摄取 → dbt 构建 → 发布快照"
    )
    return dg.Definitions.merge(loaded, dg.Definitions(jobs=[main_job]))
