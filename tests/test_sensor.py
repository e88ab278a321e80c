import os

import dagster as dg

from dagster_project.defs.jobs import inbox_sensor


def _tick(cursor):
    context = dg.build_sensor_context(cursor=cursor)
    return inbox_sensor(context), context.cursor


def test_inbox_sensor_starts_a_run_only_when_the_inbox_changes(tmp_path, monkeypatch):
    monkeypatch.setenv("DANGJIAN_HOME", str(tmp_path))
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a.xlsx").write_bytes(b"first")
    (inbox / "~$a.xlsx").write_bytes(b"office lock file: ignored")

    first, cursor = _tick(None)
    assert isinstance(first, dg.RunRequest)
    assert '"a.xlsx"' in cursor and "~$" not in cursor

    unchanged, same_cursor = _tick(cursor)
    assert isinstance(unchanged, dg.SkipReason) and same_cursor == cursor

    (inbox / "a.xlsx").write_bytes(b"changed content")
    os.utime(inbox / "a.xlsx", ns=(1, 1))
    changed, cursor2 = _tick(cursor)
    assert isinstance(changed, dg.RunRequest) and changed.run_key != first.run_key

    (inbox / "a.xlsx").unlink()
    removed, cursor3 = _tick(cursor2)
    assert isinstance(removed, dg.RunRequest) and cursor3 == "{}"
