"""The pages 报送进度 and 数据报送 on the demo snapshot (its planted submissions log: every college on time
for December and the fourth quarter of the latest year, college 02 late, college 12 short of two periods): a 组织部 login sees every
college, a college login its own row only; the 数据报送 page offers 确认提交 for a college."""

from pathlib import Path

import duckdb
import pytest

from dagster_project.access.users import add_user
from dagster_project.demo.submissions import LATE_COLLEGE, SHORT_COLLEGE
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


def test_demo_submission_status_shows_every_status(demo_login):
    statuses = dict(_rows(demo_login, "select status, count(*) from marts.submission_status group by all"))
    colleges = _rows(demo_login, "select count(distinct college_code) from marts.submission_status")[0][0]
    live = _rows(
        demo_login,
        "select college_code, kind, period, due_on::VARCHAR, received_at::DATE::VARCHAR, days_late, status "
        "from marts.submission_status where status <> '按时' and status <> '不适用' order by all",
    )
    year = live[0][2][:4]
    y1 = int(year) + 1
    # as of 8 January (DANGJIAN_AS_OF in the fixture): college 02 sent its book on the 7th, two days
    # after December's monthly sheets were due and before the fourth quarter's; college 12's book has
    # no December training (未报 since the 5th) and no fourth-quarter funding (due the 10th)
    assert live == [
        (LATE_COLLEGE, "activities", f"{year}-12", f"{y1}-01-05", f"{y1}-01-07", 2, "逾期补报"),
        (LATE_COLLEGE, "training", f"{year}-12", f"{y1}-01-05", f"{y1}-01-07", 2, "逾期补报"),
        (SHORT_COLLEGE, "funding", f"{year}Q4", f"{y1}-01-10", None, None, "未到期"),
        (SHORT_COLLEGE, "training", f"{year}-12", f"{y1}-01-05", None, 3, "未报"),
    ]
    # per college: December's two monthly sheets and the fourth quarter's two quarterly sheets are live
    assert statuses["按时"] == 4 * colleges - 4
    assert set(statuses) == {"按时", "逾期补报", "未报", "未到期", "不适用"}
    on_time = _rows(
        demo_login,
        "select kind, received_at::VARCHAR, submitted_by from marts.submission_status "
        f"where college_code = '{SHORT_COLLEGE}' and status = '按时' order by kind",
    )
    assert on_time == [
        ("activities", f"{y1}-01-04 09:30:00", f"demo{SHORT_COLLEGE}"),
        ("dues", f"{y1}-01-04 09:30:00", f"demo{SHORT_COLLEGE}"),
    ]
    # the backfilled history moves no score: nothing was due by any period's end after the first file
    assert _rows(
        demo_login, "select count(*) from marts.college_indicators where indicator = 'submissions_on_time'"
    ) == [(0,)]
    # the 未报 period is the college's problem of the fourth quarter; 未到期 is none yet
    assert _rows(
        demo_login,
        "select org_code, period, description from marts.problems where problem_source = 'unreported'",
    ) == [(SHORT_COLLEGE, f"{year}Q4", f"学习培训台账 {year}-12 未报（截止 {y1}-01-05）")]


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
