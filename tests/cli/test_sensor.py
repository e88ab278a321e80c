import datetime as dt
import os
import sys

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


def test_the_daemon_loops_every_half_second_and_the_sensor_looks_every_second(monkeypatch):
    # a submission waits for the sensor's next look before its run is created. Dagster's sensor
    # daemon loops every 5 s (a module constant, no setting): 2.5 s of a 报送's wait on average.
    # `dangjian serve` starts the daemon through pipeline/daemon.py, which shortens the loop
    import dagster._daemon.cli
    from dagster._daemon import sensor as sensor_daemon

    import dagster_project.pipeline.launcher
    from dagster_project.pipeline import daemon

    # Dagster reads the constant at each loop, as a global (not a default bound at import)
    assert "MIN_INTERVAL_LOOP_TIME" in sensor_daemon.execute_sensor_iteration_loop.__code__.co_names
    started = {}
    monkeypatch.setattr(sensor_daemon, "MIN_INTERVAL_LOOP_TIME", 5)
    monkeypatch.setattr(dagster._daemon.cli, "main", lambda: started.setdefault("argv", sys.argv[:]))
    monkeypatch.setattr(dagster_project.pipeline.launcher, "prestart", lambda: started.setdefault("fork", 1))
    monkeypatch.setattr(sys, "argv", daemon.daemon_command()[2:])
    daemon.main()
    assert started == {"fork": 1, "argv": ["dagster-daemon", "run", "-m", "dagster_project.definitions"]}
    loop = sensor_daemon.MIN_INTERVAL_LOOP_TIME
    assert loop == daemon.SENSOR_LOOP_SECONDS == 0.5
    # a tick starts a few ms into a loop, and the next look comes at the first loop at least the
    # sensor's interval after it: looks are interval..interval + loop apart, a submission waits
    # 0–1.5 s (it was 0–5 s, or 0–10 s with an interval of 5 s, a few ms too long for every loop)
    assert inbox_sensor.minimum_interval_seconds + loop <= 1.5
    assert inbox_sensor.minimum_interval_seconds >= 1  # not a busy loop: a stat of the inbox a second
