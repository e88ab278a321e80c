# ruff: noqa: F811  (pytest fixtures imported from test_auth are parameters here)
"""Attacks on the login from outside the login form, played through Streamlit's AppTest.

- a users file of valid JSON but the wrong shape, a deleted file, or the last user removed while the
  server runs must never turn a logged-in 学院 tab (or a new one) into the open dashboard;
- the open dashboard is for a browser on this machine only;
- a stranger failing logins, for the 组织部 account or for made-up names, slows down only the
  stranger: the real user logging in from another client gets in at once;
- a download button drawn before the user was removed (or logged out) delivers nothing afterwards.

The snapshot is test_auth.py's two-college fixture (C01 计算机学院, C02 马克思主义学院) or, for the
downloads, the demo university's.
"""

import json
import shutil
from pathlib import Path

import duckdb
import pytest
from streamlit.elements.widgets import button as button_module
from streamlit.runtime.context import ContextProxy, StreamlitHeaders
from streamlit.testing.v1 import AppTest

from dagster_project.access.users import add_user, remove_user
from dashboards import auth
from dashboards.login_limits import LOCAL_CLIENT, LoginThrottle, client_of_session
from tests.trust.test_auth import (  # noqa: F401  (fixtures)
    ORG_PASSWORD,
    PASSWORD,
    college_snapshot,
    home,
    is_login_form,
    log_in,
    served_like_dangjian,
    start,
)

APP = Path(__file__).resolve().parents[2] / "dashboards" / "app.py"
STOPPED = "看板已停止提供数据"


class Clock:
    def __init__(self, start: float = 1_000_000.0) -> None:
        self.t = start

    def __call__(self) -> float:
        return self.t


def shows_nothing(at: AppTest) -> bool:
    """No data of any kind on the page: no table, chart, metric, download or page title."""
    return not (
        at.dataframe or at.metric or at.get("arrow_vega_lite_chart") or at.get("download_button")
    ) and (not at.title or at.title[0].value == "党建考核数据仓库")


def stopped_with(at: AppTest, words: str) -> bool:
    return [e.value for e in at.error] != [] and words in at.error[0].value and STOPPED in at.error[0].value


# ---- the users file ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        '{"users": {}}',
        '{"users": ""}',
        '{"users": []}',
        '{"users": null}',
        "{}",
        "[]",
        '{"users": [1]}',
        '{"users": [{"name": 7, "role": "org", "password_hash": "x"}]}',
    ],
)
def test_a_users_file_of_the_wrong_shape_never_opens_the_dashboard(home, content):
    at = log_in(start(), "jsj", PASSWORD)
    assert at.title[0].value == "考核排名"
    (home / "users.json").write_text(content, encoding="utf-8")
    at.run()
    assert not at.exception
    assert stopped_with(at, "users.json") and shows_nothing(at)
    assert not any("未启用登录" in m.value for m in at.markdown)
    # Not through the SQL page either, nor in a new tab.
    at.switch_page("pages/sql_query.py").run()
    assert stopped_with(at, "users.json") and shows_nothing(at)
    fresh = start()
    assert stopped_with(fresh, "users.json") and shows_nothing(fresh) and not is_login_form(fresh)
    with pytest.raises(auth.LoginRequired):
        auth.data_scope()


def test_a_deleted_users_file_shuts_everyone_out_while_the_server_runs(home):
    at = log_in(start(), "jsj", PASSWORD)
    assert at.title[0].value == "考核排名"
    (home / "users.json").unlink()
    at.run()
    assert stopped_with(at, "不见了") and shows_nothing(at)
    at.switch_page("pages/sql_query.py").run()
    assert stopped_with(at, "不见了") and shows_nothing(at)
    assert stopped_with(start(), "不见了")
    # Put back, the same login carries on.
    add_user(home / "users.json", "zzb", ORG_PASSWORD, "org")
    assert is_login_form(start())


def test_removing_the_last_user_shuts_everyone_out(home):
    remove_user(home / "users.json", "zzb")
    at = log_in(start(), "jsj", PASSWORD)
    assert at.title[0].value == "考核排名"
    remove_user(home / "users.json", "jsj")  # what `dangjian user remove jsj` does
    at.run()
    assert stopped_with(at, "没有任何用户") and shows_nothing(at)
    at.switch_page("pages/sql_query.py").run()
    assert stopped_with(at, "没有任何用户") and shows_nothing(at)
    fresh = start()
    assert stopped_with(fresh, "没有任何用户") and shows_nothing(fresh)


def test_open_mode_only_when_there_never_was_a_users_file(
    tmp_path, college_snapshot, monkeypatch, served_like_dangjian
):
    monkeypatch.setenv("DANGJIAN_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("DANGJIAN_SERVING_DB", str(college_snapshot))
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    assert at.title[0].value == "考核排名" and any("未启用登录" in m.value for m in at.markdown)
    add_user(tmp_path / "home" / "users.json", "jsj", PASSWORD, "college", "C01")
    at.run()
    assert is_login_form(at)
    (tmp_path / "home" / "users.json").unlink()
    at.run()
    assert stopped_with(at, "不见了") and shows_nothing(at)


def test_a_server_started_with_a_users_file_keeps_logins_on(
    tmp_path, college_snapshot, monkeypatch, served_like_dangjian
):
    """dashboards/server.py notes the file before the first page: gone by then, still no open mode."""
    monkeypatch.setenv("DANGJIAN_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("DANGJIAN_SERVING_DB", str(college_snapshot))
    add_user(tmp_path / "home" / "users.json", "jsj", PASSWORD, "college", "C01")
    auth.note_server_start()
    (tmp_path / "home" / "users.json").unlink()
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    assert stopped_with(at, "不见了") and shows_nothing(at)


# ---- who is asking -------------------------------------------------------------------------------------


@pytest.fixture
def client(monkeypatch) -> dict:
    """The connection Streamlit reports for every session: {"ip": address or None, "headers": {...}}."""
    who: dict = {"ip": None, "headers": {}}
    monkeypatch.setattr(ContextProxy, "ip_address", property(lambda self: who["ip"]))
    monkeypatch.setattr(
        ContextProxy, "headers", property(lambda self: StreamlitHeaders(list(who["headers"].items())))
    )
    return who


@pytest.mark.parametrize(
    ("ip", "headers"),
    [("192.168.1.20", {}), ("203.0.113.7", {}), (None, {"X-Forwarded-For": "192.168.1.20"})],
)
def test_the_open_dashboard_is_for_this_machine_only(
    tmp_path, college_snapshot, monkeypatch, served_like_dangjian, client, ip, headers
):
    monkeypatch.setenv("DANGJIAN_HOME", str(tmp_path / "no_users"))
    monkeypatch.setenv("DANGJIAN_SERVING_DB", str(college_snapshot))
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    assert at.title[0].value == "考核排名"  # 127.0.0.1, no proxy
    client.update(ip=ip, headers=headers)
    at.run()
    assert "只允许在本机" in at.error[0].value and shows_nothing(at)
    at.switch_page("pages/sql_query.py").run()
    assert "只允许在本机" in at.error[0].value and shows_nothing(at)


def test_client_addresses():
    assert client_of_session() == LOCAL_CLIENT  # outside a session: nothing to tell
    throttle = LoginThrottle()
    # An IPv6 machine holds a /64: its addresses are one client.
    for _ in range(5):
        throttle.record_failure("zzb", "2001:db8:1:2::/64")
    assert throttle.wait_seconds("zzb", "2001:db8:1:2::/64") == 60


def test_a_stranger_cannot_lock_the_org_admin_out(home, client):
    """One tab failing the 组织部 password 12 times and 30 made-up names: only that client waits."""
    client["ip"] = "203.0.113.66"
    attacker = start()
    messages = []
    for attempt in range(12):
        log_in(attacker, "zzb", f"guess-{attempt}")
        messages.append(attacker.error[0].value)
    for i in range(30):
        log_in(attacker, f"nobody{i}", "guess-password")
    assert messages[:4] == ["用户名或密码错误。"] * 4
    assert messages[4] == "用户名或密码错误。失败次数过多，请 60 秒后再试。"
    assert all(m.startswith("登录失败次数过多，请 ") for m in messages[5:])
    log_in(attacker, "zzb", ORG_PASSWORD)  # even the right password waits: it is not checked
    assert is_login_form(attacker) and attacker.error[0].value.startswith("登录失败次数过多")

    client["ip"] = "198.51.100.5"  # the 组织部, at its own desk
    real = log_in(start(), "zzb", ORG_PASSWORD)
    assert real.title[0].value == "考核排名" and not real.error
    client["ip"] = "198.51.100.9"  # a college at its own desk
    assert log_in(start(), "jsj", PASSWORD).title[0].value == "考核排名"


def test_same_client_other_tab_still_waits(home, client):
    client["ip"] = "203.0.113.66"
    at = start()
    for attempt in range(5):
        log_in(at, "jsj", f"wrong-{attempt}")
    other = log_in(start(), "jsj", PASSWORD)  # a new tab of the same client: the count is the server's
    assert is_login_form(other) and other.error[0].value.startswith("登录失败次数过多")


def test_back_off_per_name_and_client_doubles_and_forgets():
    clock = Clock()
    throttle = LoginThrottle(clock=clock)
    a, b = "203.0.113.66", "198.51.100.5"
    assert [throttle.record_failure("zzb", a) for _ in range(5)] == [0, 0, 0, 0, 60]
    assert throttle.wait_seconds("ZZB ", a) == 60  # the same name typed differently
    assert throttle.wait_seconds("zzb", b) == 0  # another client is not slowed
    assert throttle.wait_seconds("jsj", a) == 0  # nor this client for another name
    clock.t += 60
    assert [throttle.record_failure("zzb", a) for _ in range(5)] == [0, 0, 0, 0, 120]  # doubled
    clock.t += 120
    assert throttle.record_failure("zzb", a) == 0
    assert [throttle.record_failure("zzb", a) for _ in range(4)] == [0, 0, 0, 240]
    clock.t += 240 + throttle.window_s  # a quiet window: back to the first wait
    assert [throttle.record_failure("zzb", a) for _ in range(5)] == [0, 0, 0, 0, 60]
    throttle.record_success("zzb", b)  # another client's success changes nothing here
    assert throttle.wait_seconds("zzb", a) == 60


def test_back_off_per_client_over_any_names_and_its_cap():
    clock = Clock()
    throttle = LoginThrottle(clock=clock)
    a = "203.0.113.66"
    waits = [throttle.record_failure(f"guess{i}", a) for i in range(20)]
    assert waits == [0] * 19 + [60]
    assert throttle.wait_seconds("zzb", a) == 60  # every name, for this client
    assert throttle.wait_seconds("zzb", "198.51.100.5") == 0
    for expected in (120, 240, 480, 900, 900):  # doubling, at most 15 minutes
        clock.t += throttle.wait_seconds("x", a)
        assert [throttle.record_failure(f"n{i}", a) for i in range(20)][-1] == expected


def test_a_success_clears_only_that_name_for_that_client():
    throttle = LoginThrottle(clock=Clock())
    a = "203.0.113.66"
    for i in range(4):
        throttle.record_failure("jsj", a)
        throttle.record_failure(f"guess{i}", a)
    throttle.record_success("jsj", a)
    assert [throttle.record_failure("jsj", a) for _ in range(4)] == [0, 0, 0, 0]
    # …but the client's failures over all names stay: 4 + 4 + 4 so far, 8 more reach 20.
    assert [throttle.record_failure(f"more{i}", a) for i in range(8)][-1] == 60


# ---- downloads offered before the login ended ------------------------------------------------------------


@pytest.fixture
def demo_with_users(demo_home, tmp_path, monkeypatch, served_like_dangjian) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(demo_home[0] / "serving.duckdb", home / "serving.duckdb")
    add_user(home / "users.json", "jsj", PASSWORD, "college", "01")
    add_user(home / "users.json", "zzb", ORG_PASSWORD, "org")
    monkeypatch.setenv("DANGJIAN_HOME", str(home))
    monkeypatch.delenv("DANGJIAN_SERVING_DB", raising=False)
    auth.login_throttle.clear()
    return home


@pytest.fixture
def offered(monkeypatch) -> list:
    """Every deferred download a page offers: the callables Streamlit would keep for a later click."""
    found: list = []
    original = button_module.marshall_file

    def keep(coordinates, data, *args, **kwargs):
        if callable(data):
            found.append((coordinates, data))
        return original(coordinates, data, *args, **kwargs)

    monkeypatch.setattr(button_module, "marshall_file", keep)
    return found


def _offered_by(at: AppTest, offered: list, page: str, expected: int) -> list:
    before = len(offered)
    at.switch_page(page).run()
    assert not at.exception, at.exception
    made = [data for _, data in offered[before:]]
    assert len(made) == expected, (page, len(made))
    return made


def test_downloads_offered_before_the_user_was_removed_deliver_nothing(demo_with_users, offered):
    with duckdb.connect(str(demo_with_users / "serving.duckdb"), read_only=True) as con:
        (year,) = con.execute("select max(year) from marts.college_scores where quarter = 4").fetchone()
    college = log_in(start(), "jsj", PASSWORD)
    assert college.title[0].value == "考核排名"
    ranking = _offered_by(college, offered, "pages/ranking.py", 1)  # the open tab's table
    before = len(offered)
    college.session_state["ranking_tab"] = "党支部排名"  # the other tab's table, offered once it is open
    college.run()
    assert not college.exception, college.exception
    ranking += [data for _, data in offered[before:]]
    assert len(ranking) == 2  # college and branch tables
    downloads = {
        "ranking": ranking,
        "quality": _offered_by(college, offered, "pages/data_quality.py", 1),
        # Excel and the printable PDF of the result sheet, its own 考核反馈报告 as Word and PDF
        "year_end": _offered_by(college, offered, "pages/year_end.py", 4),
    }
    org = log_in(start(), "zzb", ORG_PASSWORD)
    org.switch_page("pages/sql_query.py").run()
    org.text_area(key="sql_text").input(
        "select org_code, org_name from marts.dim_org order by org_code limit 3"
    )
    before = len(offered)
    next(b for b in org.button if b.label == "运行查询").click().run()
    assert not org.error, org.error[0].value
    downloads["sql"] = [data for _, data in offered[before:]]
    assert len(downloads["sql"]) == 2  # CSV and Excel
    assert year

    # While the logins are valid, every one delivers (clicked from Streamlit's worker thread: no session).
    for page, callables in downloads.items():
        for make in callables:
            content = make()
            assert (
                content[:2] == b"PK"
                or content.startswith(b"%PDF")
                or content.startswith("\ufefforg_code,org_name\n".encode())
            ), page

    remove_user(demo_with_users / "users.json", "jsj")
    org.button(key="logout").click().run()
    for page, callables in downloads.items():
        for make in callables:
            with pytest.raises(auth.LoginRequired):
                make()
            assert page


def test_a_download_is_refused_once_the_users_file_goes_bad(demo_with_users, offered):
    at = log_in(start(), "jsj", PASSWORD)
    (make,) = _offered_by(at, offered, "pages/data_quality.py", 1)
    assert make()[:2] == b"PK"
    (demo_with_users / "users.json").write_text(json.dumps({"users": {}}), encoding="utf-8")
    with pytest.raises(auth.LoginRequired, match="已损坏"):
        make()
