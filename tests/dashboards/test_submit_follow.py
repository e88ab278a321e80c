"""The 数据报送 page follows a submission: 排队中 (in the inbox), 处理中 (loaded by a run not yet
published), 已发布 (the snapshot lists it), 处理失败 (the newest run since it was submitted failed)."""

import datetime as dt

import dagster as dg

from dagster_project.home import Home
from dagster_project.ingest.archive import ArchivedFile, ArchiveIndex
from dagster_project.ingest.submissions import Submission, append
from dagster_project.submit.follow import progress


def _submitted(home: Home, name: str, at: dt.datetime) -> None:
    append(home.archive, Submission(name, at.isoformat(), "jsj", "college", "01", "a.xlsx", "h", name))


def test_queued_processing_published(tmp_path):
    home = Home(tmp_path / "h").ensure()
    now = dt.datetime.now().replace(microsecond=0)
    for name in ("q.xlsx", "p.xlsx", "d.xlsx"):
        _submitted(home, name, now)
    ArchiveIndex(home.archive).append("added", ArchivedFile("p.xlsx", "h", ".xlsx", 1, now))
    stages = progress(home, ["q.xlsx", "p.xlsx", "d.xlsx"], {"d.xlsx"})
    assert stages == {"q.xlsx": "排队中", "p.xlsx": "处理中", "d.xlsx": "已发布"}


def test_a_failed_run_after_the_submission_is_shown(tmp_path):
    home = Home(tmp_path / "h").ensure()
    _submitted(home, "q.xlsx", dt.datetime.now().replace(microsecond=0) - dt.timedelta(seconds=5))

    @dg.op
    def boom():
        raise RuntimeError("数仓被占用")

    @dg.job
    def dangjian_pipeline():
        boom()

    with dg.DagsterInstance.from_config(str(home.dagster_home)) as instance:
        result = dangjian_pipeline.execute_in_process(instance=instance, raise_on_error=False)
    assert not result.success
    assert progress(home, ["q.xlsx"], set()) == {"q.xlsx": "处理失败"}
    # a submission after that run is waiting for the next one, not failed
    _submitted(home, "later.xlsx", dt.datetime.now().replace(microsecond=0) + dt.timedelta(seconds=2))
    assert progress(home, ["later.xlsx"], set()) == {"later.xlsx": "排队中"}
