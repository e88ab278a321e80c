"""The dbt project as Dagster sees it. Kept apart from the @dbt_assets module so that preparing the
manifest never needs the manifest (stack.md §1.2)."""

import os
import subprocess
import sys
from pathlib import Path

from dagster_dbt import DbtProject

from dagster_project.home import DBT_DIR, REPO_ROOT

dbt_project = DbtProject(project_dir=DBT_DIR, profiles_dir=DBT_DIR)
dbt_project.prepare_if_dev()

DBT_EXECUTABLE = str(Path(sys.executable).with_name("dbt"))


def _newest_source_mtime() -> float:
    paths = [*DBT_DIR.glob("**/*.sql"), *DBT_DIR.glob("**/*.yml"), *(REPO_ROOT / "seeds").glob("*")]
    return max((p.stat().st_mtime for p in paths if "target" not in p.parts), default=0.0)


def ensure_manifest() -> Path:
    """Write dbt's manifest when it is missing or older than the project (fresh clones, edited models)."""
    manifest = dbt_project.manifest_path
    if not manifest.exists() or manifest.stat().st_mtime < _newest_source_mtime():
        env = {**os.environ, "DO_NOT_TRACK": "1", "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
        subprocess.run(
            [
                DBT_EXECUTABLE,
                "parse",
                "--quiet",
                "--project-dir",
                str(DBT_DIR),
                "--profiles-dir",
                str(DBT_DIR),
            ],
            check=True,
            env=env,
            cwd=DBT_DIR,
        )
    return manifest
