"""What the 数据报送 page needs besides the preview and the submission: the home it works in, and
how far a submitted file has got — 排队中 (in the inbox, not yet loaded), 处理中 (loaded by a run
that has not published yet), 已发布 (the published snapshot lists it)."""

from pathlib import Path

from dagster_project.home import Home
from dagster_project.ingest.archive import ArchiveIndex

QUEUED = "排队中"
PROCESSING = "处理中"
PUBLISHED = "已发布"


def current_home() -> Home:
    """The home of $DANGJIAN_HOME (the dashboard's, exported by `dangjian serve`)."""
    return Home.from_env().ensure()


def progress(archive: Path, stored_names: list[str], published: set[str]) -> dict[str, str]:
    """Each stored name's stage; `published`: the stored names the snapshot's marts.submissions lists
    as loaded (or refused by the run)."""
    loaded = ArchiveIndex(archive).state()
    stages = {}
    for name in stored_names:
        if name in published:
            stages[name] = PUBLISHED
        elif name in loaded:
            stages[name] = PROCESSING
        else:
            stages[name] = QUEUED
    return stages
