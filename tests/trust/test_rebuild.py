"""No loss: every ingested file is in archive/ by content hash, archive/index.jsonl records each
addition, change and removal with its load time, and `dangjian rebuild` turns the archive back into
the same marts after the warehouse and the inbox are gone."""

import datetime as dt
import hashlib
import json
import shutil

import duckdb
import polars as pl

from dagster_project.ingest.archive import ArchiveIndex, plan_restore
from dagster_project.ingest.store import inbox_files, sync_inbox
from tests.support import tiny_university as tu
from tests.support.trust_home import EXTRA_FILE, TRAINING_FILE, dangjian, write_training_csv
from tests.support.workbooks import write_workbook

T1 = dt.datetime(2024, 11, 20, 9, 0)
T2 = dt.datetime(2024, 11, 25, 15, 30)
T3 = dt.datetime(2024, 12, 2, 8, 0)
ORGS = [{"year": 2024, "org_code": "0101", "org_name": "教工党支部", "org_type": "党支部"}]
MEMBER = tu.MEMBER


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _sync(root, now):
    with duckdb.connect(str(root / "warehouse.duckdb")) as con:
        sync_inbox(con, root / "inbox", root / "archive", now=now)
        return con.execute("select source_file, file_hash, loaded_at from raw.files order by 1").fetchall()


def test_index_records_every_addition_change_and_removal(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write_workbook(inbox / "a_组织架构.xlsx", {"组织架构": ("orgs", ORGS)})
    write_workbook(inbox / "b_花名册.xlsx", {"花名册": ("members", [{**MEMBER, "member_key": "T001"}])})
    _sync(tmp_path, T1)
    first_roster = _sha(inbox / "b_花名册.xlsx")
    write_workbook(inbox / "b_花名册.xlsx", {"花名册": ("members", [{**MEMBER, "member_key": "T002"}])})
    (inbox / "c_说明.pdf").write_bytes(b"%PDF-1.4 not a workbook")  # unreadable, but submitted: kept
    _sync(tmp_path, T2)
    (inbox / "c_说明.pdf").unlink()
    _sync(tmp_path, T3)

    events = ArchiveIndex(tmp_path / "archive").events()
    assert [(e["event"], e["source_file"], e["loaded_at"]) for e in events] == [
        ("added", "a_组织架构.xlsx", "2024-11-20T09:00:00"),
        ("added", "b_花名册.xlsx", "2024-11-20T09:00:00"),
        ("changed", "b_花名册.xlsx", "2024-11-25T15:30:00"),
        ("added", "c_说明.pdf", "2024-11-25T15:30:00"),
        ("removed", "c_说明.pdf", "2024-12-02T08:00:00"),
    ]
    assert events[1]["sha256"] == first_roster and events[2]["sha256"] == _sha(inbox / "b_花名册.xlsx")
    pdf = events[3]
    assert (pdf["ext"], pdf["size"], pdf["sha256"]) == (
        ".pdf",
        23,
        hashlib.sha256(b"%PDF-1.4 not a workbook").hexdigest(),
    )
    # every version of every file is in the archive under its hash, the bytes intact
    for event in events:
        stored = tmp_path / "archive" / f"{event['sha256']}{event['ext']}"
        assert _sha(stored) == event["sha256"] and stored.stat().st_size == event["size"]


def test_the_same_bytes_parsed_again_give_the_same_rows_and_load_time(tmp_path):
    """A training date one day after the first load is "in the future" then; parsed again a week
    later (a parser change, a rebuild) it must still be, or the rebuilt marts would differ."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write_workbook(inbox / "a_组织架构.xlsx", {"组织架构": ("orgs", ORGS)})
    write_workbook(inbox / "a_花名册.xlsx", {"花名册": ("members", [{**MEMBER, "member_key": "T001"}])})
    write_training_csv(
        inbox / "b_培训.csv", [("T001", "党课", "2024-11-21", 4), ("T001", "讲座", "2024-10-08", 2)]
    )
    first = _sync(tmp_path, T1)
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as con:
        rejects = con.execute("select source_file, row_number, reason, loaded_at from raw.rejects").fetchall()
    assert rejects == [("b_培训.csv", 2, "「开始日期」晚于今天（2024-11-20），日期不可能", T1)]
    index_before = (tmp_path / "archive" / "index.jsonl").read_bytes()

    (tmp_path / "warehouse.duckdb").unlink()
    assert _sync(tmp_path, T3) == first  # every file loaded at T1, as recorded
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as con:
        again = con.execute("select source_file, row_number, reason, loaded_at from raw.rejects").fetchall()
        assert con.execute("select member_key, hours, _loaded_at from raw.training").fetchall() == [
            ("T001", 2.0, T1)
        ]
    assert again == rejects
    assert (tmp_path / "archive" / "index.jsonl").read_bytes() == index_before  # nothing new happened


def test_index_catches_up_after_a_crash_cut_its_last_line(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write_workbook(inbox / "a_组织架构.xlsx", {"组织架构": ("orgs", ORGS)})
    write_workbook(inbox / "b_花名册.xlsx", {"花名册": ("members", [{**MEMBER, "member_key": "T001"}])})
    loaded = _sync(tmp_path, T1)
    index = tmp_path / "archive" / "index.jsonl"
    lines = index.read_bytes().splitlines(keepends=True)
    index.write_bytes(lines[0] + lines[1][:40])  # killed while writing the second line

    assert _sync(tmp_path, T2) == loaded  # nothing to parse: both files are unchanged
    state = ArchiveIndex(tmp_path / "archive").state()
    assert {name: (f.sha256, f.loaded_at) for name, f in state.items()} == {
        name: (digest, at) for name, digest, at in loaded
    }
    assert json.loads(index.read_text(encoding="utf-8").splitlines()[-1])["event"] == "added"


def test_rebuild_refuses_to_overwrite_what_is_not_yet_ingested(tmp_path):
    inbox, archive = tmp_path / "inbox", tmp_path / "archive"
    inbox.mkdir()
    write_workbook(inbox / "a_组织架构.xlsx", {"组织架构": ("orgs", ORGS)})
    write_training_csv(inbox / "b_培训.csv", [("T001", "党课", "2024-10-08", 4)])
    _sync(tmp_path, T1)
    assert plan_restore(archive, inbox_files(inbox)).present == ["a_组织架构.xlsx", "b_培训.csv"]

    write_training_csv(inbox / "b_培训.csv", [("T001", "党课", "2024-10-08", 6)])  # a newer version
    (inbox / "c_新文件.csv").write_text("x", encoding="utf-8")
    (inbox / "a_组织架构.xlsx").unlink()
    plan = plan_restore(archive, inbox_files(inbox))
    assert ([f.source_file for f in plan.restore], plan.not_ingested) == (
        ["a_组织架构.xlsx"],
        ["b_培训.csv", "c_新文件.csv"],
    )

    done = dangjian(tmp_path, "rebuild")
    assert done.returncode == 1
    assert "收件箱中有尚未入库的文件或新版本：b_培训.csv、c_新文件.csv" in done.stdout
    # nothing was touched: the warehouse is where it was, the newer file is still the newer one
    assert (tmp_path / "warehouse.duckdb").exists() and not (inbox / "a_组织架构.xlsx").exists()
    assert "6" in (inbox / "b_培训.csv").read_text(encoding="utf-8")


def _marts(serving) -> dict[str, pl.DataFrame]:
    with duckdb.connect(str(serving), read_only=True) as con:
        tables = [t for (t,) in con.execute("select table_name from meta.table_counts order by 1").fetchall()]
        frames = {t: con.sql(f"select * from {t}").pl() for t in tables}
    return {t: f.sort(f.columns, nulls_last=True) for t, f in frames.items()}


def test_rebuild_from_the_archive_gives_identical_marts(crashed_home, tmp_path):
    """From the home the crash tests leave (a correction, a withdrawn file, three killed runs):
    delete the warehouse and the inbox, rebuild from the archive, compare every marts table."""
    home = tmp_path / "home"
    shutil.copytree(crashed_home[0], home)
    before = _marts(home / "serving.duckdb")
    inbox_before = {name: path.read_bytes() for name, path in inbox_files(home / "inbox").items()}
    events = ArchiveIndex(home / "archive").events()
    assert [(e["event"], e["source_file"]) for e in events[-2:]] == [
        ("removed", EXTRA_FILE),
        ("changed", TRAINING_FILE),
    ]
    with duckdb.connect(str(home / "serving.duckdb"), read_only=True) as con:
        (build_before,) = con.execute("select build_id from meta.snapshot").fetchone()

    shutil.rmtree(home / "inbox")
    (home / "warehouse.duckdb").unlink()
    done = dangjian(home, "rebuild")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "已从归档还原 3 个文件" in done.stdout

    after = _marts(home / "serving.duckdb")
    assert sorted(after) == sorted(before) and "marts.branch_scores" in after
    for table, frame in before.items():
        assert after[table].equals(frame), table
    assert before["marts.load_summary"].height == 3  # loaded_at included: the recorded load times
    # only the snapshot's own stamp is new: another build, published now
    with duckdb.connect(str(home / "serving.duckdb"), read_only=True) as con:
        (build_after,) = con.execute("select build_id from meta.snapshot").fetchone()
    assert build_after != build_before
    # the inbox is back, byte for byte, and the rebuild added no history
    assert {n: p.read_bytes() for n, p in inbox_files(home / "inbox").items()} == inbox_before
    assert ArchiveIndex(home / "archive").events() == events
    # every file ever ingested — each version, the withdrawn one too — is in the archive, intact
    for event in events:
        assert _sha(home / "archive" / f"{event['sha256']}{event['ext']}") == event["sha256"]
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        hashes = {h for (h,) in con.execute("select file_hash from raw.files").fetchall()}
    assert hashes <= {e["sha256"] for e in events}
