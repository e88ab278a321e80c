"""The published snapshot: the pipeline publishes it (publish.py), freezes a year of it (freeze.py),
and everyone else reads it through the read-only client, exported here — the dashboards import this
package and nothing else of the pipeline's, but for the logins (access) and downloads (reports).
"""

from dagster_project.serving.client import (
    CATALOG_MANIFEST,
    Build,
    attach,
    build_of,
    open_read_only,
    snapshot_key,
    snapshot_path,
)
from dagster_project.serving.freeze import FROZEN_TABLES
from dagster_project.serving.names import names_for

__all__ = [
    "CATALOG_MANIFEST",
    "FROZEN_TABLES",
    "Build",
    "attach",
    "build_of",
    "names_for",
    "open_read_only",
    "snapshot_key",
    "snapshot_path",
]
