"""A warm run — the same dbt project over a warehouse it built before, rebuilding only what data can
change (dagster_project/transform/runs.py) by replaying the SQL dbt compiled for the first run in one
transaction (transform/replay.py) — publishes the marts a full rebuild from nothing publishes, after
a file changed, a file added and a file removed (issue 20)."""

import shutil

import duckdb

from bench.same_marts import compare, marts
from tests.support.trust_home import (
    dangjian,
    submit_correction,
    training_hours,
    write_inbox,
    write_training_csv,
)

ADDED_FILE = "2024_01_专题党课.csv"


def _newest_run(home):
    return max((home / "dbt").glob("run-*"), key=lambda p: p.stat().st_mtime_ns)


def test_a_warm_run_publishes_what_a_full_rebuild_publishes(tmp_path, capsys):
    # its own home, not a copy of trust_home: the project's fingerprint includes the home's path,
    # so a copied home's first run is a full one
    warm = tmp_path / "warm"
    write_inbox(warm / "inbox")
    done = dangjian(warm, "run")
    assert done.returncode == 0, done.stdout + done.stderr
    # changed: the training sheet gains T001's 6 h; removed: the 补充培训 file; added: T003's 4 h
    submit_correction(warm / "inbox")
    write_training_csv(warm / "inbox" / ADDED_FILE, [("T003", "专题党课", "2024-12-01", 4)])
    done = dangjian(warm, "run")
    assert done.returncode == 0, done.stdout + done.stderr
    # the checks a warm run leaves out are not each warned about on the terminal
    assert "Blocking asset check" not in done.stderr
    # it was the warm path, replayed without dbt: the tables rebuilt and tested, the rulebook's
    # seeds and the staging views left as they were, and the tests of what reads the rulebook alone
    # (runs.rulebook_only_tests)
    run = _newest_run(warm)
    assert not (run / "dbt.log").exists()
    log = (run / "replay.log").read_text(encoding="utf-8").splitlines()
    assert "个节点已重放并提交" in log[-1]
    node = lambda line: " ".join(line.split(" ")[: 2 if line.startswith("model") else 3])  # noqa: E731
    replayed = {node(line) for line in log[:-1]}
    assert {"model warehouse.marts.member_training", "model warehouse.marts.rule_grades"} <= replayed
    assert "test PASS not_null_stg_inbox__members_member_key" in replayed
    assert not [line for line in replayed if "rulebook.rule_" in line or "staging.stg_" in line]
    assert "test PASS not_null_rulebook_grades_grade" not in replayed
    # only 学习培训 files changed: what reads them (and the files' list) ran again; what reads
    # neither — the 党费 chain, the 花名册's — stood as built (transform/changes.py)
    left = {node(line) for line in log[:-1] if line.endswith("未变（输入与上次构建相同）")}
    ran = replayed - left
    assert {"model warehouse.marts.member_training", "model warehouse.marts.training_records"} <= ran
    assert {"model warehouse.marts.dues", "model warehouse.marts.dim_member"} <= left
    assert "test PASS unique_combination_stg_inbox__members_year__member_key" in left

    # and the publish copied the last snapshot, writing only the marts the replay rebuilt
    with duckdb.connect(str(warm / "serving.duckdb"), read_only=True) as con:
        (copied,) = con.execute("select tables_copied from meta.snapshot").fetchone()
    assert 0 < copied < len(marts(warm / "serving.duckdb"))

    cold = tmp_path / "cold"
    shutil.copytree(warm / "inbox", cold / "inbox")
    done = dangjian(cold, "run")
    assert done.returncode == 0, done.stdout + done.stderr

    # by hand: T001 20 + 12 + 6 = 38, T002 32 (the 8 h file withdrawn), T003 4 (the added file),
    # S001 8, S002 none
    for home in (warm, cold):
        assert training_hours(home / "serving.duckdb") == {
            "T001": 38.0,
            "T002": 32.0,
            "T003": 4.0,
            "S001": 8.0,
            "S002": 0.0,
        }
    warm_marts, cold_marts = marts(warm / "serving.duckdb"), marts(cold / "serving.duckdb")
    with duckdb.connect(str(cold / "serving.duckdb"), read_only=True) as con:
        (tables,) = con.execute(
            "select count(*) from information_schema.tables where table_schema = 'marts'"
        ).fetchone()
    assert len(cold_marts) == tables >= 40
    # a file found in the inbox is "submitted" when a run first sees it: the warm home saw its files
    # minutes before the cold one (a clock, not a result)
    assert compare(cold_marts, warm_marts, ignore=["submissions.submitted_at"]), capsys.readouterr().out


def test_a_change_to_one_colleges_training_rebuilds_its_partitions_and_leaves_the_others(tmp_path, capsys):
    """The demo university (20 colleges, 2023–2025, small): one college's 学习培训 file of the last
    year loses a row. The 学习培训 chain is rebuilt for that year and college only (by year where
    branches rank across colleges), and the marts are those of a full rebuild from nothing."""
    from dagster_project.demo.generate import generate_demo

    def one_row_less(inbox):
        training = sorted(inbox.glob("2025_01_*学习培训*.csv"))
        assert len(training) == 1, sorted(p.name for p in inbox.iterdir())
        lines = training[0].read_bytes().rstrip(b"\r\n").split(b"\n")
        training[0].write_bytes(b"\n".join(lines[:-1]) + b"\n")

    warm, cold = tmp_path / "warm", tmp_path / "cold"
    for home in (warm, cold):  # the demo also leaves its colleges' submissions beside the inbox
        generate_demo(home / "inbox", scale=0.05, fmt="csv")
    done = dangjian(warm, "run")
    assert done.returncode == 0, done.stdout + done.stderr
    one_row_less(warm / "inbox")
    done = dangjian(warm, "run")
    assert done.returncode == 0, done.stdout + done.stderr

    log = (_newest_run(warm) / "replay.log").read_text(encoding="utf-8").splitlines()
    in_part = {line.split(" ")[1]: line.split("（只重算 ")[1] for line in log if "（只重算 " in line}
    by_year_college = "year in (2025) and (college_code in ('01'))）"
    assert in_part["warehouse.marts.member_training"] == by_year_college
    assert in_part["warehouse.marts.training_records"] == by_year_college
    assert in_part["warehouse.marts.branch_indicators"] == by_year_college
    assert in_part["warehouse.marts.branch_scores"] == "year in (2025)）"
    with duckdb.connect(str(warm / "serving.duckdb"), read_only=True) as con:
        (parts,) = con.execute(
            "select count(distinct (year, college_code)) from marts.member_training"
        ).fetchone()
    assert parts >= 3 * 20  # what was left is most of the marts: they must still be there, once

    one_row_less(cold / "inbox")
    done = dangjian(cold, "run")
    assert done.returncode == 0, done.stdout + done.stderr
    warm_marts, cold_marts = marts(warm / "serving.duckdb"), marts(cold / "serving.duckdb")
    assert compare(cold_marts, warm_marts, ignore=["submissions.submitted_at"]), capsys.readouterr().out
