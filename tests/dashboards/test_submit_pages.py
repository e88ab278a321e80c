"""The pages 报送进度 and 数据报送 on the demo snapshot (its planted submissions log: every college on time
for December and the fourth quarter of the latest year, college 02 late): a 组织部 login sees every
college, a college login its own row only; the 数据报送 page offers 确认提交 for a college."""

from pathlib import Path

import duckdb
import pytest

from dagster_project.access.users import add_user
from dagster_project.demo.submissions import LATE_COLLEGE
from dashboards import auth
from tests.trust.test_auth import log_in, served_like_dangjian, start  # noqa: F401 (fixture)

PASSWORD = "jsj-password-1"


@pytest.fixture
def demo_login(demo_home, tmp_path, monkeypatch, served_like_dangjian) -> Path:  # noqa: F811
    snapshot = demo_home[0] / "serving.duckdb"
    home = tmp_path / "home"
    add_user(home / "users.json", "jsj", PASSWORD, "college", LATE_COLLEGE)
    add_user(home / "users.json", "zzb", PASSWORD, "org")
    monkeypatch.setenv("DANGJIAN_HOME", str(home))
    monkeypatch.setenv("DANGJIAN_SERVING_DB", str(snapshot))
    auth.login_throttle.clear()
    yield snapshot
    auth.login_throttle.clear()


def _rows(snapshot: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(snapshot), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_demo_submission_status_shows_on_time_late_and_backfill(demo_login):
    statuses = dict(_rows(demo_login, "select status, count(*) from marts.submission_status group by all"))
    colleges = _rows(demo_login, "select count(distinct college_code) from marts.submission_status")[0][0]
    # per college: December's two monthly sheets and the fourth quarter's two quarterly sheets are live
    assert statuses["按时"] == 4 * (colleges - 1)
    assert statuses["逾期补报"] == 4
    late = _rows(
        demo_login,
        "select kind, period, due_on::VARCHAR, days_late from marts.submission_status "
        f"where college_code = '{LATE_COLLEGE}' and status = '逾期补报' order by kind",
    )
    year = late[0][1][:4]
    y1 = int(year) + 1
    assert late == [
        ("activities", f"{year}-12", f"{y1}-01-05", 7),
        ("dues", f"{year}Q4", f"{y1}-01-10", 2),
        ("funding", f"{year}Q4", f"{y1}-01-10", 2),
        ("training", f"{year}-12", f"{y1}-01-05", 7),
    ]
    # the backfilled history moves no score: nothing was due by any period's end after the first file
    assert _rows(
        demo_login, "select count(*) from marts.college_indicators where indicator = 'submissions_on_time'"
    ) == [(0,)]


def test_progress_page_for_the_organization_department_and_for_a_college(demo_login):
    at = log_in(start(), "zzb", PASSWORD)
    at.switch_page("pages/submission_progress.py").run()
    assert not at.exception, at.exception
    assert at.title[0].value == "报送进度"
    month = at.selectbox[0].value
    assert month.endswith("-12")  # the latest month with live periods
    grid = at.dataframe[0].value
    assert (
        len(grid)
        == _rows(demo_login, "select count(distinct college_code) from marts.submission_status")[0][0]
    )
    at = log_in(start(), "jsj", PASSWORD)
    at.switch_page("pages/submission_progress.py").run()
    assert not at.exception, at.exception
    grid = at.dataframe[0].value
    assert len(grid) == 1 and set(grid.iloc[0].tolist()[1:]) >= {"逾期补报"}


def test_submit_page_offers_the_uploader_to_a_college(demo_login):
    at = log_in(start(), "jsj", PASSWORD)
    at.switch_page("pages/submit.py").run()
    assert not at.exception, at.exception
    assert at.title[0].value == "数据报送"
    assert any(f"以学院（{LATE_COLLEGE}）的身份提交" in c.value for c in at.caption)
