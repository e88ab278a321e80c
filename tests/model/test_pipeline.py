"""The whole graph (ingest → dbt → publish) on a small university whose scores are worked out by hand.

The university (2024): college 01 with two branches.
- 0101 教工: 8 members, all 正式 (T008 joined 2024-05-10, so counted from Q2); committee required (≥7).
- 0102 学生: 3 members, no committee required; 换届 2020-05-01 is overdue.
Requirements pro-rated by months elapsed m: 32 h (56 h for 书记/组织委员) · m/12, 党课 4·m/12,
支部党员大会 4·m/12, 支委会 12·m/12, 主题党日 every month.
"""

import datetime as dt
import json
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from tests.support import tiny_university as tu
from tests.support.workbooks import write_workbook

D = dt.date


def _orgs():
    # 0102 was last elected in 2020 with no term given: its election is overdue
    return tu.orgs(counts=(120, 1500, 1), elections={**tu.ELECTIONS, "0102": (D(2020, 5, 1), None)})


def _members():
    member = tu.member
    teachers = [member("T001", "0101", "书记"), member("T002", "0101", "组织委员")]
    teachers += [member(f"T00{i}", "0101") for i in range(3, 8)]
    teachers.append(member("T008", "0101", status="预备党员", joined=D(2024, 5, 10)))
    students = [
        member("S001", "0102", "书记", category="学生"),
        member("S002", "0102", category="学生"),
        member("S003", "0102", status="预备党员", joined=D(2023, 9, 1), category="学生"),
    ]
    messy = [member("T009", "0101", joined="2024-02-30")]  # an impossible date: rejected
    return teachers + students + messy


def _training():
    def t(key, hours, on):
        return {"member_key": key, "course": f"学习{on.isoformat()}", "started_on": on, "hours": hours}

    rows = [
        t("T001", 20, D(2024, 2, 10)),
        t("T001", 40, D(2024, 8, 1)),
        t("T002", 56, D(2024, 1, 15)),
        t("T003", 10, D(2024, 3, 1)),
    ]
    rows += [t(f"T00{i}", 32, D(2024, 1, 20)) for i in range(4, 8)]
    rows += [t("S001", 56, D(2024, 3, 1)), t("S002", 8, D(2024, 2, 1))]
    rows.append({"member_key": "T008", "course": "网络学习", "started_on": D(2024, 6, 1), "hours": "两小时"})
    return rows


def _activities():
    def a(org, kind, on, expected, attended, speaker=None):
        return {
            "org_code": org,
            "activity_type": kind,
            "held_on": on,
            "expected": expected,
            "attended": attended,
            "topic": f"{kind}{on.isoformat()}",
            "speaker_key": speaker,
        }

    rows = [
        a("0101", "支部党员大会", D(2024, 3, 15), 7, 7),
        a("0101", "支部党员大会", D(2024, 6, 20), 8, 6),
        a("0101", "支部党员大会", D(2024, 9, 10), 8, 8),
        a("0101", "支部党员大会", D(2024, 12, 5), 8, 7),
        a("0101", "党课", D(2024, 4, 10), 8, 8, "T001"),
        a("0101", "党课", D(2024, 10, 10), 8, 8, "T002"),
        a("0101", "党课", D(2024, 11, 10), 8, 8, "T003"),
        a("0101", "党课", D(2024, 12, 10), 8, 8, "T003"),
        a("0101", "组织生活会", D(2024, 12, 20), 8, 8),
        a("0101", "民主评议党员", D(2024, 12, 21), 8, 8),
        a("0102", "支部党员大会", D(2024, 3, 20), 3, 3),
        a("0102", "主题党日", D(2024, 2, 18), 3, 2),
    ]
    rows += [a("0101", "主题党日", D(2024, m, 8), 7, 7) for m in (1, 2, 3)]
    rows += [a("0101", "主题党日", D(2024, m, 8), 8, 6) for m in (5, 9, 11)]
    rows += [a("0101", "支部委员会", D(2024, m, 5), 5, 5) for m in (1, 2, 3, 7)]
    return rows


@pytest.fixture(scope="module")
def university(tmp_path_factory, monkeypatch_module, dbt_manifest):
    home = tmp_path_factory.mktemp("home")
    inbox = home / "inbox"
    inbox.mkdir()
    write_workbook(
        inbox / "2024_组织部_考核汇总.xlsx",
        {
            "组织架构": ("orgs", _orgs()),
            "加减分": (
                "adjustments",
                [
                    {
                        "year": 2024,
                        "org_code": "0101",
                        "adjustment_type": "加分",
                        "points": 8,
                        "reason": "获评校级先进党支部",
                    },
                ],
            ),
        },
    )
    write_workbook(
        inbox / "2024_01_计算机学院党委.xlsx",
        {
            "党员花名册": ("members", _members()),
            "学习培训台账": ("training", _training()),
            "组织生活台账": ("activities", _activities()),
        },
    )
    monkeypatch_module.setenv("DANGJIAN_HOME", str(home))
    return home


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as mp:
        yield mp


def _materialize():
    from dagster_project.definitions import defs

    d = defs()
    return dg.materialize(list(d.assets), resources=d.resources)


def _marts(home: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(home / "serving.duckdb"), read_only=True) as con:
        tables = [
            t
            for (t,) in con.execute(
                "select table_name from duckdb_tables() where schema_name = 'marts' order by 1"
            ).fetchall()
        ]
        return {t: con.execute(f"select * from marts.{t} order by all").fetchall() for t in tables}


@pytest.fixture(scope="module")
def built(university):
    result = _materialize()
    assert result.success
    return university


def _scores(home: Path) -> dict[tuple[str, str], dict]:
    with duckdb.connect(str(home / "serving.duckdb"), read_only=True) as con:
        frame = con.sql("select * from marts.branch_scores").pl()
    return {(r["period"], r["branch_code"]): r for r in frame.iter_rows(named=True)}


def test_one_row_per_branch_per_quarter(built):
    scores = _scores(built)
    assert sorted(scores) == [(f"2024Q{q}", b) for q in range(1, 5) for b in ("0101", "0102")]


def test_branch_scores_match_hand_computation(built):
    s = _scores(built)
    q1 = s[("2024Q1", "0101")]
    # B1 = 0.5·(7/7 met) + 0.25·(0 党课 / 1) + 0.25·(3 of 3 months with 主题党日) = 50 + 0 + 25
    # B2 = no dues sheet (left out); 0 失联 → 100, roster 8 of 9 rows clean (T009 rejected) → 88.889,
    #      7 members → size ok 100: (20 + 17.778 + 20) / 0.6 = 96.296
    # B3 year end only; B4 = 党员大会 1/1, 支委会 3/3, attendance 28/28 → 100
    # B5 = 宣传 0/1 → 0 (书记讲党课 year end only); B6 = 教工 双带头人 → 100 (no 述职评议: left out)
    # B7 = 志愿服务 0/1 → 0 (no 拨款: funds_used left out)
    # total = (75 + 96.296 + 100 + 0 + 100 + 0) / 6 = 61.883, + 加分 8 capped at 5 → 66.88
    assert (q1["b1"], q1["b2"], q1["b3"], q1["b4"], q1["b5"], q1["b6"], q1["b7"]) == (
        75.0,
        96.3,
        None,
        100.0,
        0.0,
        100.0,
        0.0,
    )
    assert (q1["base_total"], q1["bonus"], q1["total"]) == (61.88, 5.0, 66.88)
    assert (q1["stars"], q1["rank_overall"], q1["rank_in_college"], q1["tier"]) == (2, 1, 1, None)

    q4 = s[("2024Q4", "0101")]
    # B1 = 0.5·(6/8 met) + 0.25·(4/4 党课) + 0.25·(6/12 months) = 37.5 + 25 + 12.5
    # B3 = 0.35·组织生活会 100 + 0.35·民主评议 100 + 0.3·谈心谈话 0/8 → 70
    # B4 = 0.35·(4/4) + 0.35·(4/12 支委会) + 0.3·(99/108 attended) = 35 + 11.667 + 27.5 = 74.167
    # B5 = 0.5·宣传 0/4 + 0.5·书记 T001 讲党课 1/1 → 50
    # total = (75 + 96.296 + 70 + 74.167 + 50 + 100 + 0) / 7 = 66.495, + 5 → 71.49 ★3, 规范化
    assert (q4["b1"], q4["b3"], q4["b4"], q4["b5"], q4["total"], q4["stars"]) == (
        75.0,
        70.0,
        74.17,
        50.0,
        71.49,
        3,
    )
    assert q4["tier"] == "规范化" and q4["meets_hard_rules"]

    q1s = s[("2024Q1", "0102")]
    # B1 = 0.5·(2/3) + 0.25·0 + 0.25·(1/3) = 41.667; B4 without 支委会: (0.35·100 + 0.3·5/6·100)/0.65 = 92.308
    # B2 = 100 (3 clean rows, 3 members within 3–30); B5 = 0; B6 left out (学生, no 述职评议); B7 = 0
    # total = (41.667 + 100 + 92.308 + 0 + 0) / 5 = 46.79 ★1
    assert (q1s["b1"], q1s["b2"], q1s["b4"], q1s["b6"], q1s["total"], q1s["stars"], q1s["rank_overall"]) == (
        41.67,
        100.0,
        92.31,
        None,
        46.79,
        1,
        2,
    )
    # 换届 overdue since 2023-05-01: never 规范化
    assert s[("2024Q4", "0102")]["tier"] is None


def test_member_training_pro_rates_requirements(built):
    with duckdb.connect(str(built / "serving.duckdb"), read_only=True) as con:
        rows = con.execute(
            "select period, member_key, hours, required_hours, met from marts.member_training "
            "where member_key in ('T001', 'T008') order by member_key, period"
        ).fetchall()
    assert rows == [
        ("2024Q1", "T001", 20.0, 14.0, True),
        ("2024Q2", "T001", 20.0, 28.0, False),
        ("2024Q3", "T001", 60.0, 42.0, True),
        ("2024Q4", "T001", 60.0, 56.0, True),
        # joined 2024-05-10: counted from Q2; its only training row was rejected
        ("2024Q2", "T008", 0.0, 16.0, False),
        ("2024Q3", "T008", 0.0, 24.0, False),
        ("2024Q4", "T008", 0.0, 32.0, False),
    ]


def test_rejects_name_file_sheet_row_and_reason(built):
    with duckdb.connect(str(built / "serving.duckdb"), read_only=True) as con:
        rows = con.execute(
            "select source_file, sheet, row_number, column_name, raw_value, reason "
            "from marts.rejects order by all"
        ).fetchall()
    assert rows == [
        (
            "2024_01_计算机学院党委.xlsx",
            "党员花名册",
            15,
            "入党日期",
            "2024-02-30",
            "「入党日期」不是有效日期",
        ),
        ("2024_01_计算机学院党委.xlsx", "学习培训台账", 14, "学时", "两小时", "「学时」应为数字"),
    ]


def _checks(result) -> set[tuple[str, str, bool]]:
    return {
        (c.asset_key.to_user_string(), c.check_name, c.passed) for c in result.get_asset_check_evaluations()
    }


def test_rerun_with_no_change_gives_identical_marts(built):
    before = _marts(built)
    result = _materialize()
    assert result.success
    assert _marts(built) == before
    with duckdb.connect(str(built / "serving.duckdb"), read_only=True) as con:  # published again
        assert con.execute("select build_id from meta.snapshot").fetchone() == (result.run_id,)
    # the same project built this warehouse: the SQL dbt compiled then was replayed, without dbt
    run = built / "dbt" / f"run-{result.run_id}"
    assert not (run / "dbt.log").exists()
    replay_log = (run / "replay.log").read_text(encoding="utf-8")
    assert "model warehouse.marts.branch_scores" in replay_log
    assert "test PASS not_null_stg_inbox__members_member_key" in replay_log
    assert "个节点已重放并提交" in replay_log.splitlines()[-1]
    # no file changed: only what reads the clock (the 报送 deadlines) ran again (transform/changes.py)
    assert "model warehouse.marts.branch_scores 未变（输入与上次构建相同）" in replay_log
    assert "model warehouse.intermediate.int_submission_periods_checked 未变" not in replay_log
    checks = _checks(result)
    assert ("marts/branch_scores", "unique_combination_branch_scores_period__branch_code", True) in checks


def test_a_replay_that_stops_falls_back_to_dbt_build(built):
    """A plan whose SQL fails (here: damaged by hand) changes nothing; dbt builds as before, reports
    the same checks, and leaves a good plan for the next run."""
    replayed = _checks(_materialize())
    plan_file = built / "dbt" / "replay-plan.json"
    plan = json.loads(plan_file.read_text(encoding="utf-8"))
    step = next(s for s in plan["steps"] if s["name"] == "branch_scores")
    step["sql"] = "select * from no_such_table"
    plan_file.write_text(json.dumps(plan), encoding="utf-8")
    before = _marts(built)
    with duckdb.connect(str(built / "warehouse.duckdb")) as con:  # as if a 花名册 had changed
        con.execute("insert into raw.build_pending (source_table) values ('members')")

    result = _materialize()
    assert result.success
    assert _marts(built) == before
    run = built / "dbt" / f"run-{result.run_id}"
    assert "重放停止（已回滚，改由 dbt build 构建）：branch_scores" in (run / "replay.log").read_text(
        encoding="utf-8"
    )
    # dbt started from the parse the first run left in the home (a full parse costs seconds)
    dbt_log = (run / "dbt.log").read_text(encoding="utf-8")
    assert "Finished running" in dbt_log
    assert "Unable to do partial parsing" not in dbt_log
    # seeds and views were left as they were, tables rebuilt, the data tests run
    assert "START seed file" not in dbt_log and "START sql view model" not in dbt_log
    assert "START sql table model marts.branch_scores" in dbt_log
    assert "START test not_null_stg_inbox__members_member_key" in dbt_log
    assert _checks(result) == replayed
    mended = json.loads(plan_file.read_text(encoding="utf-8"))
    assert (
        next(s for s in mended["steps"] if s["name"] == "branch_scores")["sql"]
        != "select * from no_such_table"
    )


def test_changing_a_rulebook_csv_moves_the_score(built, tmp_path):
    """The rulebook is data: a copy of the project with B5 weighted 0 scores 0101 without 宣传师生有力."""
    import os
    import shutil
    import subprocess
    import sys

    from dagster_project.home import DBT_DIR, REPO_ROOT

    project = tmp_path / "project"
    shutil.copytree(DBT_DIR, project / "dbt", ignore=shutil.ignore_patterns("target", "logs"))
    shutil.copytree(REPO_ROOT / "seeds", project / "seeds")
    dimensions = project / "seeds" / "rule_dimensions.csv"
    dimensions.write_text(
        dimensions.read_text(encoding="utf-8").replace(
            "branch,B5,宣传师生有力,1,", "branch,B5,宣传师生有力,0,"
        ),
        encoding="utf-8",
    )
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(built / "warehouse.duckdb", home / "warehouse.duckdb")
    dbt = str(Path(sys.executable).with_name("dbt"))
    subprocess.run(
        [
            dbt,
            "build",
            "--quiet",
            "--project-dir",
            str(project / "dbt"),
            "--profiles-dir",
            str(project / "dbt"),
            "--select",
            "+branch_scores",
        ],
        check=True,
        env={**os.environ, "DANGJIAN_HOME": str(home)},
        cwd=project / "dbt",
    )
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        total = con.execute(
            "select total from marts.branch_scores where period = '2024Q4' and branch_code = '0101'"
        ).fetchone()[0]
    # (75 + 96.296 + 70 + 74.167 + 100 + 0) / 6 = 69.244, + 5 → 74.24 (was 71.49 with B5 = 50)
    assert total == 74.24


def test_college_indicators_match_hand_computation(built):
    with duckdb.connect(str(built / "serving.duckdb"), read_only=True) as con:
        rows = dict(
            con.execute(
                "select indicator, score from marts.college_indicators where org_code = '01' and period = '2024Q4'"
            ).fetchall()
        )
    assert rows == {
        # C1: no 中心组/联席会议 rows → 0; no 一票否决 → 100
        "center_group_study": 0.0,
        "joint_meetings": 0.0,
        "no_veto": 100.0,
        # C2 left out entirely: no tasks, no checklist
        # C3: 7 of 11 members met their hours (0101: 6 of 8, 0102: S001 only); leaders T001, T002, S001 all met;
        #     no 党课 by the college secretary (none named) → 0
        "training_compliance": 63.64,
        "leader_training": 100.0,
        "secretary_lectures": 0.0,
        # C4: branch totals 71.49 and 0102's; 0101 规范化, 0102 not (overdue) → 50; 1 of 2 on time → 50;
        #     the one 教工 branch has a 双带头人 secretary → 100
        "branch_mean": rows["branch_mean"],
        "branches_standard": 50.0,
        "elections_on_time": 50.0,
        "dual_leader_coverage": 100.0,
        # C5: 1 组织员 for max(1, ceil((120 + 1500) / 1000)) = 2 → 50; no 拨款 against 8·200 + 3·100 → 0
        "organizers": 50.0,
        "funding_adequacy": 0.0,
    }
    with duckdb.connect(str(built / "serving.duckdb"), read_only=True) as con:
        (branch_mean,) = con.execute(
            "select round(avg(total), 2) from marts.branch_scores where period = '2024Q4' and college_code = '01'"
        ).fetchone()
    assert rows["branch_mean"] == branch_mean


def test_snapshot_carries_the_chinese_column_descriptions_and_no_raw_data(built):
    with duckdb.connect(str(built / "serving.duckdb"), read_only=True) as con:
        schemas = {s for (s,) in con.execute("select distinct schema_name from duckdb_tables()").fetchall()}
        undocumented = con.execute(
            "select table_name, column_name from duckdb_columns() "
            "where schema_name = 'marts' and (comment is null or not regexp_matches(comment, '[一-龥]'))"
        ).fetchall()
    assert schemas == {"marts", "meta"}  # raw (ID-card numbers in clear) never reaches the dashboards
    assert undocumented == []
