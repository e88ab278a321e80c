"""Logins and roles on the dashboard: the failed-login limit and session expiry (injected clocks), the
college-scoped data layer (dashboards/snapshot.py), and the app through Streamlit's AppTest.

The snapshot is serving_fixture.py's two colleges (C01 计算机学院, C02 马克思主义学院) plus, added here,
a few roster rows that tie its inbox files to colleges, a file of the 组织部 that covers both
colleges, and a table that names no college. Every count below is counted by hand from those rows.
"""

import io
import re
from datetime import datetime
from pathlib import Path

import duckdb
import pytest
from python_calamine import CalamineWorkbook
from streamlit.testing.v1 import AppTest

from dagster_project.access.users import add_user, remove_user
from dashboards import auth, downloads, scoping, snapshot, sql_sandbox
from dashboards.auth import (
    ABSOLUTE_TIMEOUT_S,
    IDLE_TIMEOUT_S,
    LoginRequired,
    LoginSession,
    session_problem,
    start_session,
)
from dashboards.login_limits import FAILURE_WINDOW_S, LOCAL_CLIENT, LoginThrottle
from dashboards.sql_policy import QueryError
from tests.support.serving_fixture import (
    BROKEN_FILE,
    CLEAN_FILE,
    GOOD_FILE,
    build_serving_db,
    create_mart,
    insert_rows,
)

APP = Path(__file__).resolve().parents[2] / "dashboards" / "app.py"
PASSWORD = "jsj-password-1"
ORG_PASSWORD = "zzb-password-1"
MIXED_FILE = "2024_组织部_考核汇总.xlsx"  # the 组织部's own file: rows of both colleges

MEMBER_COLUMNS = ("year", "member_key", "college_code", "branch_code", "source_file", "source_row")
MEMBERS = [
    (2024, "20240001", "C01", "C01B01", GOOD_FILE, 3),
    (2024, "20240002", "C01", "C01B02", GOOD_FILE, 4),
    (2024, "20240101", "C02", "C02B01", CLEAN_FILE, 3),
    (2024, "20249001", "C01", "C01B01", MIXED_FILE, 5),
    (2024, "20249002", "C02", "C02B02", MIXED_FILE, 6),
]


class Clock:
    def __init__(self, start: float = 1_000_000.0) -> None:
        self.t = start

    def __call__(self) -> float:
        return self.t


# ---- failed logins ---------------------------------------------------------------------------------


def test_fifth_failure_locks_the_name_for_60_seconds_for_that_client():
    clock = Clock()
    throttle = LoginThrottle(clock=clock)
    for _ in range(4):
        assert throttle.record_failure("jsj", LOCAL_CLIENT) == 0
        clock.t += 1
    assert throttle.wait_seconds("jsj", LOCAL_CLIENT) == 0
    assert throttle.record_failure("jsj", LOCAL_CLIENT) == 60
    assert throttle.wait_seconds("jsj", LOCAL_CLIENT) == 60
    assert throttle.wait_seconds("JSJ ", LOCAL_CLIENT) == 60  # the same name typed differently
    assert throttle.wait_seconds("mks", LOCAL_CLIENT) == 0  # another name is not locked
    assert throttle.wait_seconds("jsj", "10.0.0.5") == 0  # nor the same name from another client
    clock.t += 59.5
    assert throttle.wait_seconds("jsj", LOCAL_CLIENT) == 1
    clock.t += 0.5
    assert throttle.wait_seconds("jsj", LOCAL_CLIENT) == 0


def test_old_failures_are_forgotten_and_a_success_clears_the_count():
    clock = Clock()
    throttle = LoginThrottle(clock=clock)
    for _ in range(4):
        throttle.record_failure("jsj", LOCAL_CLIENT)
    clock.t += FAILURE_WINDOW_S
    assert throttle.record_failure("jsj", LOCAL_CLIENT) == 0  # the four are older than the window
    for _ in range(3):
        throttle.record_failure("jsj", LOCAL_CLIENT)
    throttle.record_success("jsj", LOCAL_CLIENT)
    assert [throttle.record_failure("jsj", LOCAL_CLIENT) for _ in range(4)] == [0, 0, 0, 0]


# ---- session expiry --------------------------------------------------------------------------------


@pytest.fixture
def user_record(tmp_path):
    return add_user(tmp_path / "users.json", "jsj", PASSWORD, "college", "C01")


def test_session_expires_after_30_idle_minutes(user_record):
    users = {"jsj": user_record}
    t0 = 1_000_000.0
    session = start_session(user_record, t0)
    assert (session.role, session.college, session.role_label) == ("college", "C01", "学院")
    assert session_problem(session, users, t0 + IDLE_TIMEOUT_S - 1) is None
    assert (
        session_problem(session, users, t0 + IDLE_TIMEOUT_S)
        == "超过 30 分钟没有操作，已自动退出，请重新登录。"
    )


def test_session_expires_8_hours_after_login_however_busy(user_record):
    users = {"jsj": user_record}
    t0 = 1_000_000.0
    busy = LoginSession(
        **{**start_session(user_record, t0).__dict__, "last_seen_at": t0 + ABSOLUTE_TIMEOUT_S - 60}
    )
    assert session_problem(busy, users, t0 + ABSOLUTE_TIMEOUT_S - 1) is None
    assert session_problem(busy, users, t0 + ABSOLUTE_TIMEOUT_S) == "登录已超过 8 小时，请重新登录。"


def test_session_ends_when_the_user_is_removed_or_changed(tmp_path, user_record):
    t0 = 1_000_000.0
    session = start_session(user_record, t0)
    assert session_problem(session, {}, t0) == "账号已被删除或修改了密码、角色，请重新登录。"
    changed = add_user(tmp_path / "users.json", "jsj", "new-password-2", "college", "C01", replace=True)
    assert session_problem(session, {"jsj": changed}, t0) == "账号已被删除或修改了密码、角色，请重新登录。"
    assert session_problem(start_session(changed, t0), {"jsj": changed}, t0) is None


# ---- the scoped data layer -------------------------------------------------------------------------


def build_college_snapshot(path: Path) -> Path:
    """serving_fixture's snapshot plus rows that say which college each inbox file belongs to."""
    build_serving_db(path)
    loaded_at = datetime(2024, 12, 20, 9, 40)
    with duckdb.connect(str(path)) as con:
        create_mart(con, "dim_member")
        insert_rows(con, "dim_member", [dict(zip(MEMBER_COLUMNS, m, strict=True)) for m in MEMBERS])
        insert_rows(
            con,
            "load_summary",
            [
                {
                    "source_file": MIXED_FILE,
                    "file_hash": "f0f0f0",
                    "kinds": "members",
                    "rows_read": 3,
                    "rows_loaded": 2,
                    "rows_rejected": 1,
                    "loaded_at": loaded_at,
                    "years": [2024],
                }
            ],
        )
        insert_rows(
            con,
            "rejects",
            [
                {
                    "source_file": MIXED_FILE,
                    "sheet": "党员花名册",
                    "row_number": 7,
                    "column_name": "入党日期",
                    "raw_value": "2099-01-01",
                    "reason": "「入党日期」晚于今天",
                    "kind": "members",
                    "check_stage": "parse",
                    "row_values": '{"工号/学号": "20249003", "姓名": "李四"}',
                    "loaded_at": loaded_at,
                }
            ],
        )
        # not a mart: a table with no college column, which a 学院 login must not see
        con.execute("create table marts.university_notes (note VARCHAR)")
        con.execute("insert into marts.university_notes values ('只给组织部看的说明')")
        con.execute("create schema meta")
        con.execute("create table meta.snapshot as select timestamp '2024-12-21 08:00:00' as published_at")
    return path


@pytest.fixture(scope="module")
def college_snapshot(tmp_path_factory) -> Path:
    return build_college_snapshot(tmp_path_factory.mktemp("auth") / "serving.duckdb")


def rows_per_table(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    tables = con.execute(
        "select schema_name || '.' || table_name from duckdb_tables() where database_name = current_database()"
    ).fetchall()
    return {t: con.execute(f"select count(*) from {t}").fetchone()[0] for (t,) in sorted(tables)}


def test_scope_rules_follow_the_columns():
    rules = scoping.scope_rules(
        {
            "branch_scores": ["period", "branch_code", "college_code", "total"],
            "dim_member": ["member_key", "college_code", "source_file"],
            "rejects": ["source_file", "sheet", "row_values"],
            "load_summary": ["source_file", "rows_read"],
            "university_notes": ["note"],
            "frozen_years": ["year", "frozen_at"],
            "frozen_diff": ["year", "org_code", "college_code", "reason"],
            "rule_dimensions": ["level", "dimension", "dimension_name"],
            "indicator_sources": ["level", "indicator", "detail_table"],
            "college_benchmarks": ["period", "measure", "mean"],
            "college_rank_ladder": ["period", "rank", "composite"],
        }
    )
    assert rules == {
        "frozen_years": "shared",
        "rule_dimensions": "shared",
        "indicator_sources": "shared",
        # the university's figures a college compares itself with name no college
        "college_benchmarks": "shared",
        "college_rank_ladder": "shared",
        "frozen_diff": "college_code",
        "branch_scores": "college_code",
        "dim_member": "college_code",
        "rejects": "source_file",
        "load_summary": "source_file",
    }


# the rulebook tables every login sees whole (rows of seeds/rule_dimensions, rule_grades, rule_tiers)
SHARED_RULEBOOK_ROWS = {"marts.rule_dimensions": 12, "marts.rule_grades": 4, "marts.rule_tiers": 3}


def test_a_college_copy_holds_only_that_college(college_snapshot):
    c01 = scoping.build_scoped_snapshot(college_snapshot, "C01")
    c02 = scoping.build_scoped_snapshot(college_snapshot, "C02")
    try:
        # dim_org: the college and its two branches (the university 党委 row belongs to no college);
        # branch_scores: two branches × two periods; files: only the college's own files; no
        # university_notes (nothing in it names a college).
        assert rows_per_table(c01) == {
            "marts.branch_scores": 4,
            "marts.dim_member": 3,
            "marts.dim_org": 3,
            "marts.load_summary": 1,
            "marts.rejects": 4,
            **SHARED_RULEBOOK_ROWS,
            "meta.snapshot": 1,
        }
        assert rows_per_table(c02) == {
            "marts.branch_scores": 4,
            "marts.dim_member": 2,
            "marts.dim_org": 3,
            "marts.load_summary": 1,
            "marts.rejects": 0,
            **SHARED_RULEBOOK_ROWS,
            "meta.snapshot": 1,
        }
        for con, college in ((c01, "C01"), (c02, "C02")):
            for table in ("branch_scores", "dim_member", "dim_org"):
                found = con.execute(f"select distinct college_code from marts.{table}").fetchall()
                assert found == [(college,)], table
        assert c01.execute("select source_file from marts.load_summary").fetchall() == [(GOOD_FILE,)]
        assert c02.execute("select source_file from marts.load_summary").fetchall() == [(CLEAN_FILE,)]
        # Personal names travel in the rejected rows: 张三 is in C01's own file; 李四 (组织部's file) is
        # shown to neither college.
        c01_rows = " ".join(r for (r,) in c01.execute("select row_values from marts.rejects").fetchall() if r)
        assert "张三" in c01_rows and "李四" not in c01_rows
        assert BROKEN_FILE not in str(c02.execute("select * from marts.rejects").fetchall())
    finally:
        c01.close()
        c02.close()


def test_a_college_copy_cannot_reach_the_snapshot(college_snapshot):
    con = scoping.build_scoped_snapshot(college_snapshot, "C01")
    try:
        with pytest.raises(duckdb.CatalogException):
            con.execute("select * from snapshot.marts.branch_scores")
        with pytest.raises(duckdb.PermissionException):
            con.execute("attach ? as again (read_only)", [str(college_snapshot)])
        with pytest.raises(duckdb.PermissionException):
            con.execute("select * from read_csv(?)", [str(college_snapshot)])
        with pytest.raises(duckdb.InvalidInputException):
            con.execute("set enable_external_access = true")
    finally:
        con.close()


COUNT_BRANCH_ROWS = "select count(*)::BIGINT as n, string_agg(distinct college_code, ',' order by college_code) as c from marts.branch_scores"


def test_query_results_are_cached_per_scope(college_snapshot, monkeypatch):
    monkeypatch.setenv("DANGJIAN_SERVING_DB", str(college_snapshot))
    scope = {"now": "C02"}
    monkeypatch.setattr(auth, "data_scope", lambda: scope["now"])
    assert snapshot.query(COUNT_BRANCH_ROWS).row(0) == (4, "C02")
    scope["now"] = None  # same SQL, same snapshot version: the cache must not hand back C02's answer
    assert snapshot.query(COUNT_BRANCH_ROWS).row(0) == (8, "C01,C02")
    scope["now"] = "C01"
    assert snapshot.query(COUNT_BRANCH_ROWS).row(0) == (4, "C01")
    # The one figure taken from outside the scope: how many colleges the university ranked.
    version = college_snapshot.stat().st_mtime_ns
    assert snapshot.run_query(college_snapshot, COUNT_BRANCH_ROWS, scope="C01").row(0) == (4, "C01")
    assert snapshot._cached_query(str(college_snapshot), COUNT_BRANCH_ROWS, (), version, "C02").row(0) == (
        4,
        "C02",
    )


def test_sql_page_function_refuses_a_college(college_snapshot, monkeypatch):
    monkeypatch.setenv("DANGJIAN_SERVING_DB", str(college_snapshot))
    monkeypatch.setattr(auth, "data_scope", lambda: "C01")
    with pytest.raises(QueryError, match="无权限：自助查询只对组织部用户开放。"):
        sql_sandbox.run_readonly_sql("select count(*) from marts.branch_scores")
    monkeypatch.setattr(auth, "data_scope", lambda: None)
    frame, more = sql_sandbox.run_readonly_sql("select count(*)::BIGINT as n from marts.branch_scores")
    assert frame["n"].to_list() == [8] and not more


def reject_files(workbook: bytes) -> list[str]:
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(workbook)).get_sheet_by_name("退回清单").to_python()
    return [row[0] for row in sheet[1:]]


def test_deferred_download_keeps_the_scope_of_the_page_that_offered_it(college_snapshot, monkeypatch):
    monkeypatch.setenv("DANGJIAN_SERVING_DB", str(college_snapshot))
    monkeypatch.setattr(auth, "data_scope", lambda: "C01")
    download = downloads.rejects_download(None)
    with pytest.raises(ValueError, match=f"未找到文件「{CLEAN_FILE}」"):
        downloads.rejects_workbook(CLEAN_FILE)  # another college's file does not exist for C01

    def no_session():
        raise LoginRequired("没有登录会话")

    # Streamlit runs the download later on a worker thread with no session.
    monkeypatch.setattr(auth, "data_scope", no_session)
    assert reject_files(download()) == [GOOD_FILE] * 4
    with pytest.raises(LoginRequired):
        downloads.rejects_workbook(None)


def test_no_session_with_users_configured_sees_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("DANGJIAN_HOME", str(tmp_path))
    assert auth.data_scope() is None  # no users: open mode
    add_user(tmp_path / "users.json", "jsj", PASSWORD, "college", "C01")
    with pytest.raises(LoginRequired):
        auth.data_scope()
    (tmp_path / "users.json").write_text("{", encoding="utf-8")  # damaged: closed, never open
    with pytest.raises(LoginRequired, match="已损坏"):
        auth.data_scope()


# ---- the app (AppTest) -----------------------------------------------------------------------------


@pytest.fixture
def served_like_dangjian(monkeypatch):
    """Streamlit's old pages/ folder mode off, as `dangjian serve` runs it (dashboards/server.py).

    AppTest turns that mode back on before every run, and in it a page whose file name is its URL
    (排名: pages/ranking.py, url "ranking"; 模板下载) runs without app.py, so without the login.
    """
    from streamlit.runtime.scriptrunner import script_runner

    class NoPagesFolder(script_runner.PagesManager):
        uses_pages_directory = False

    monkeypatch.setattr(script_runner, "PagesManager", NoPagesFolder)


@pytest.fixture
def home(tmp_path, college_snapshot, monkeypatch, served_like_dangjian) -> Path:
    """A home with a C01 user and a 组织部 user, showing the college snapshot."""
    home = tmp_path / "home"
    add_user(home / "users.json", "jsj", PASSWORD, "college", "C01")
    add_user(home / "users.json", "zzb", ORG_PASSWORD, "org")
    monkeypatch.setenv("DANGJIAN_HOME", str(home))
    monkeypatch.setenv("DANGJIAN_SERVING_DB", str(college_snapshot))
    auth.login_throttle.clear()  # one process-wide limiter: start each test from zero failures
    yield home
    auth.login_throttle.clear()


def start() -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    return at


def log_in(at: AppTest, name: str, password: str) -> AppTest:
    at.text_input(key="login_name").input(name)
    at.text_input(key="login_password").input(password)
    at.button[0].click().run()
    assert not at.exception, at.exception
    return at


def is_login_form(at: AppTest) -> bool:
    return [s.value for s in at.subheader] == ["登录"] and len(at.text_input) == 2


def test_every_page_asks_for_a_login_once_a_user_exists(home):
    at = start()
    assert is_login_form(at)
    assert at.title[0].value == "党建考核数据仓库"
    assert (
        at.text_input(key="login_password").proto.type == at.text_input(key="login_password").proto.PASSWORD
    )
    assert not at.dataframe and not at.metric and not at.sidebar.caption
    for page in ("pages/templates.py", "pages/data_quality.py", "pages/sql_query.py"):
        at.switch_page(page).run()
        assert is_login_form(at), page
        assert not at.dataframe and not at.get("download_button"), page


def test_wrong_password_then_sixth_failure_waits(home):
    at = start()
    for attempt in range(1, 6):
        log_in(at, "jsj", f"wrong-{attempt}")
        assert is_login_form(at)
        expected = "用户名或密码错误。" + ("失败次数过多，请 60 秒后再试。" if attempt == 5 else "")
        assert [e.value for e in at.error] == [expected]
    log_in(at, "jsj", PASSWORD)  # the right password, but this client waits: not even checked
    assert is_login_form(at)
    assert len(at.error) == 1
    assert re.fullmatch(r"登录失败次数过多，请 (59|60) 秒后再试。", at.error[0].value)
    # Another tab of the same client (a new session) waits as well: the limiter is the server's.
    other = log_in(start(), "jsj", PASSWORD)
    assert is_login_form(other) and "登录失败次数过多" in other.error[0].value


def test_org_login_sees_everything_and_the_sql_page(home):
    at = log_in(start(), "zzb", ORG_PASSWORD)
    assert at.title[0].value == "考核排名"
    assert at.dataframe[0].value["支部"].tolist() == [
        "计算机教工第一党支部",
        "马院教工党支部",
        "马院研究生党支部",
        "计算机本科生党支部",
    ]
    assert "zzb · 组织部" in [c.value for c in at.sidebar.caption][0]
    at.switch_page("pages/sql_query.py").run()
    assert at.title[0].value == "自助查询" and not at.exception


def test_college_login_sees_only_its_own_college(home):
    at = log_in(start(), "jsj", PASSWORD)
    assert at.title[0].value == "考核排名"
    assert [c.value for c in at.sidebar.caption][0].endswith("jsj · 学院：计算机学院（C01）")
    assert at.selectbox(key="college").options == ["全部学院", "计算机学院"]
    branches = at.dataframe[0].value
    assert branches["支部"].tolist() == ["计算机教工第一党支部", "计算机本科生党支部"]
    assert branches["排名"].tolist() == [1, 4]  # school-wide ranks, as the marts hold them
    assert branches["学院"].tolist() == ["计算机学院"] * 2
    assert {m.label: m.value for m in at.metric}["本院支部数"] == "2"  # its own branches, labelled so

    at.selectbox(key="period").set_value("2024Q3").run()
    assert at.dataframe[0].value["排名"].tolist() == [2, 3]

    # A URL parameter naming the other college changes nothing: the scope comes from the login.
    at.query_params["college"] = "C02"
    at.run()
    assert at.dataframe[0].value["学院"].tolist() == ["计算机学院"] * 2

    # 自助查询 is not in this login's navigation, so it cannot be switched to.
    with pytest.raises(ValueError, match="sql_query"):
        at.switch_page("pages/sql_query.py")

    at.switch_page("pages/data_quality.py").run()
    assert not at.exception
    assert at.dataframe[0].value["文件"].tolist() == [GOOD_FILE]
    assert at.selectbox(key="reject_file").options == ["全部文件", GOOD_FILE]
    rejects = at.dataframe[1].value
    assert rejects["文件"].tolist() == [GOOD_FILE] * 4
    shown = " ".join(str(v) for v in rejects.to_numpy().ravel())
    assert "张三" in shown and "李四" not in shown and "C02" not in shown


def test_other_college_sees_only_itself(home):
    add_user(home / "users.json", "mks", PASSWORD, "college", "C02")
    at = log_in(start(), "mks", PASSWORD)
    assert at.dataframe[0].value["支部"].tolist() == ["马院教工党支部", "马院研究生党支部"]
    at.switch_page("pages/data_quality.py").run()
    assert at.dataframe[0].value["文件"].tolist() == [CLEAN_FILE]
    assert any(s.value == "没有拒收记录，无需退回修改。" for s in at.success)


def test_idle_session_expires_and_logout_ends_it(home, monkeypatch):
    clock = Clock()
    monkeypatch.setattr(auth, "now", clock)
    at = log_in(start(), "jsj", PASSWORD)
    assert at.title[0].value == "考核排名"
    clock.t += IDLE_TIMEOUT_S - 1
    at.run()
    assert at.title[0].value == "考核排名"  # each interaction restarts the idle clock
    clock.t += IDLE_TIMEOUT_S
    at.run()
    assert is_login_form(at)
    assert at.info[0].value == "超过 30 分钟没有操作，已自动退出，请重新登录。"
    assert not at.dataframe

    log_in(at, "jsj", PASSWORD)
    assert at.title[0].value == "考核排名"
    at.button(key="logout").click().run()
    assert is_login_form(at) and at.info[0].value == "已退出登录。"


def test_removing_a_user_ends_their_session(home):
    at = log_in(start(), "jsj", PASSWORD)
    assert at.title[0].value == "考核排名"
    remove_user(home / "users.json", "jsj")
    at.run()
    assert is_login_form(at)
    assert at.info[0].value == "账号已被删除或修改了密码、角色，请重新登录。"


def test_without_users_the_dashboard_is_open_and_says_so(
    college_snapshot, tmp_path, monkeypatch, served_like_dangjian
):
    monkeypatch.setenv("DANGJIAN_HOME", str(tmp_path / "no_users"))
    monkeypatch.setenv("DANGJIAN_SERVING_DB", str(college_snapshot))
    at = start()
    assert at.title[0].value == "考核排名"
    assert len(at.dataframe[0].value) == 4
    banner = at.sidebar.info[0].value
    assert "127.0.0.1" in banner and "dangjian user add" in banner
    assert any("未启用登录" in m.value for m in at.markdown)
    assert not at.button  # no logout


def test_a_college_result_sheet_lists_only_that_college(demo_home, monkeypatch):
    """年终考核's download for a 学院 login: the same workbook as `dangjian export`, with its own rows."""
    from dagster_project.reports.result_sheet import BRANCH_SHEET, COLLEGE_SHEET

    snapshot = demo_home[0] / "serving.duckdb"
    with duckdb.connect(str(snapshot), read_only=True) as con:
        (year,) = con.execute("select max(year) from marts.college_scores where quarter = 4").fetchone()
        college = con.execute(
            "select rank, college_name from marts.college_scores where period = ? and college_code = '01'",
            [f"{year}Q4"],
        ).fetchall()
        branches = con.execute(
            "select rank_overall, branch_name from marts.branch_scores where period = ? and college_code = '01' "
            "order by rank_overall, branch_code",
            [f"{year}Q4"],
        ).fetchall()
    assert len(college) == 1 and len(branches) >= 2
    monkeypatch.setenv("DANGJIAN_SERVING_DB", str(snapshot))
    monkeypatch.setattr(auth, "data_scope", lambda: "01")
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(downloads.result_sheet_download(year)()))
    college_rows = workbook.get_sheet_by_name(COLLEGE_SHEET).to_python()[2:]
    branch_rows = workbook.get_sheet_by_name(BRANCH_SHEET).to_python()[2:]
    # School-wide ranks, as the marts hold them; only college 01 and its branches.
    assert [(int(r[0]), r[1]) for r in college_rows] == college
    assert [(int(r[0]), r[1]) for r in branch_rows] == branches
    assert {r[2] for r in branch_rows} == {college[0][1]}
