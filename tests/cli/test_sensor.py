import datetime as dt
import os

import dagster as dg

from dagster_project.defs.automation import inbox_sensor
from dagster_project.defs.resources import HomeResource
from dagster_project.ingest.archive import ArchivedFile, ArchiveIndex, file_hash


def _tick(cursor, home):
    context = dg.build_sensor_context(cursor=cursor, resources={"home": HomeResource(root=str(home))})
    return inbox_sensor(context), context.cursor


def test_inbox_sensor_starts_a_run_only_when_the_inbox_changes(tmp_path, monkeypatch):
    # the home comes from the resource: DANGJIAN_HOME is not set
    monkeypatch.delenv("DANGJIAN_HOME", raising=False)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a.xlsx").write_bytes(b"first")
    (inbox / "~$a.xlsx").write_bytes(b"office lock file: ignored")

    first, cursor = _tick(None, tmp_path)
    assert isinstance(first, dg.RunRequest)
    assert '"a.xlsx"' in cursor and "~$" not in cursor
    # its run writes warnings to the daemon's log, not each of its ~950 events
    assert first.run_config == {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}
    # the run it started loads a.xlsx (the ingest records it in the archive's index)
    loaded = ArchivedFile("a.xlsx", file_hash(inbox / "a.xlsx"), ".xlsx", 5, dt.datetime(2025, 1, 1))
    ArchiveIndex(tmp_path / "archive").append("added", loaded)

    unchanged, same_cursor = _tick(cursor, tmp_path)
    assert isinstance(unchanged, dg.SkipReason) and same_cursor == cursor

    (inbox / "a.xlsx").write_bytes(b"changed content")
    os.utime(inbox / "a.xlsx", ns=(1, 1))
    changed, cursor2 = _tick(cursor, tmp_path)
    assert isinstance(changed, dg.RunRequest) and changed.run_key != first.run_key

    (inbox / "a.xlsx").unlink()
    removed, cursor3 = _tick(cursor2, tmp_path)
    assert isinstance(removed, dg.RunRequest) and cursor3 == "{}"


def test_after_dangjian_run_the_sensor_leaves_the_unchanged_inbox_alone(trust_home, tmp_path, monkeypatch):
    """`dangjian ui` opened on a home a `dangjian run` already loaded: the sensor's first look (no
    cursor) and a look with an old cursor both skip; a changed file then starts a run."""
    import shutil

    home = tmp_path / "home"
    shutil.copytree(trust_home, home)
    monkeypatch.delenv("DANGJIAN_HOME", raising=False)
    inbox = home / "inbox"
    assert any(inbox.iterdir())

    first, cursor = _tick(None, home)
    assert isinstance(first, dg.SkipReason), first
    assert first.skip_message == "收件箱中的文件与上次入库的一致，无需运行"
    assert isinstance(_tick("{}", home)[0], dg.SkipReason)  # a cursor from an older inbox
    again, same = _tick(cursor, home)
    assert isinstance(again, dg.SkipReason) and same == cursor

    # the same bytes written again (new modification time): still what was loaded
    changed = sorted(inbox.iterdir())[0]
    changed.write_bytes(changed.read_bytes())
    os.utime(changed, ns=(1, 1))
    touched, cursor = _tick(cursor, home)
    assert isinstance(touched, dg.SkipReason)

    changed.write_bytes(changed.read_bytes() + b"\0")
    edited, _ = _tick(cursor, home)
    assert isinstance(edited, dg.RunRequest)

    (inbox / "新文件.csv").write_text("年度,组织编码\n", encoding="utf-8")
    added, _ = _tick(None, home)
    assert isinstance(added, dg.RunRequest)


def test_the_sensor_looks_on_every_loop_of_the_daemon():
    # a submission waits for the sensor's next look before its run starts. The daemon loops every
    # 5 s and a tick starts a few ms into its loop, so the next loop comes 4.99 s after the last
    # tick's start: the sensor's interval must not hold that look back (at 5 s it did, every other
    # loop: a look every 10 s)
    from dagster._daemon.sensor import MIN_INTERVAL_LOOP_TIME

    assert MIN_INTERVAL_LOOP_TIME == 5
    next_loop_after_tick_start = MIN_INTERVAL_LOOP_TIME - 0.01
    assert inbox_sensor.minimum_interval_seconds <= next_loop_after_tick_start
    # and not more often than the daemon could look anyway (Dagster's default is 30 s)
    assert inbox_sensor.minimum_interval_seconds >= 1
