"""党员队伍 as a 学院 login sees it (Streamlit's AppTest on the demo snapshot, tests/conftest.py
`demo_home`): only its own college — the pipeline's stage counts, the audit findings, the 党费 arrears
and the dues report are college 13's rows of the marts, the college choice offers nothing else, and
no person's name is on the page (names go only into the audit list's download)."""

from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from dagster_project.access.users import add_user
from dashboards import auth
from tests.trust.test_auth import log_in, served_like_dangjian  # noqa: F401 (fixture)

APP = Path(__file__).resolve().parents[2] / "dashboards" / "app.py"
PAGE = "pages/development.py"
COLLEGE = "13"  # has 发展党员 findings and 党费 arrears in the demo's latest period
PASSWORD = "ysj-password-1"


def _sql(snapshot: Path, text: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(snapshot), read_only=True) as con:
        return con.execute(text, params or []).fetchall()


@pytest.fixture
def college_page(demo_home, tmp_path, monkeypatch, served_like_dangjian):  # noqa: F811
    snapshot = demo_home[0] / "serving.duckdb"
    home = tmp_path / "home"
    add_user(home / "users.json", "ysj", PASSWORD, "college", COLLEGE)
    monkeypatch.setenv("DANGJIAN_HOME", str(home))
    monkeypatch.setenv("DANGJIAN_SERVING_DB", str(snapshot))
    auth.login_throttle.clear()
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.run()
    at = log_in(at, "ysj", PASSWORD)
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    yield at, snapshot
    auth.login_throttle.clear()


def test_a_college_login_sees_its_own_pipeline_findings_arrears_and_dues_only(college_page, demo_home):
    at, snapshot = college_page
    assert at.title[0].value == "党员队伍"
    period = at.selectbox(key="dev_period").value
    year = int(period[:4])
    # the college choice: "all" (= what the login may see) and its own college, nothing else
    assert [o for o in at.selectbox(key="dev_college").options if o != "全部二级党组织"] == [
        _sql(snapshot, "select org_name from marts.dim_org where year = ? and org_code = ?", [year, COLLEGE])[
            0
        ][0]
    ]

    # the funnel: the stage counts of college 13 alone (the university's are larger)
    own = _sql(
        snapshot,
        "select stage, sum(people)::BIGINT from marts.development_pipeline where period = ? and college_code = ? "
        "group by stage, stage_order order by stage_order",
        [period, COLLEGE],
    )
    everyone = _sql(
        snapshot,
        "select sum(people)::BIGINT from marts.development_pipeline where period = ?",
        [period],
    )[0][0]
    assert [(m.label, m.value) for m in at.metric] == [(s, str(n)) for s, n in own]
    assert sum(n for _, n in own) < everyone

    # the audit findings of the period: college 13's only
    findings = _sql(
        snapshot,
        "select rule_id, member_key from marts.development_issues where period = ? and college_code = ? "
        "order by all",
        [period, COLLEGE],
    )
    shown = [d.value for d in at.dataframe if "规则" in d.value.columns and "工号/学号" in d.value.columns]
    assert findings, "the demo's college 13 has findings at the latest period end"
    if findings:
        (table,) = shown
        assert sorted(zip(table["规则"], table["工号/学号"], strict=True)) == findings
        own_branches = {
            b for (b,) in _sql(snapshot, "select org_code from marts.dim_org where year = ? and college_code = ?",
                               [year, COLLEGE])
        }  # fmt: skip
        assert set(table["支部编码"]) <= own_branches
    else:
        assert not shown

    # the arrears of the year: college 13's members only, and there are others elsewhere
    arrears = _sql(
        snapshot,
        "select member_key from marts.dues_arrears where year = ? and college_code = ? order by all",
        [year, COLLEGE],
    )
    others = _sql(
        snapshot,
        "select count(*) from marts.dues_arrears where year = ? and college_code <> ?",
        [year, COLLEGE],
    )[0][0]
    assert others > 0
    arrears_shown = [d.value for d in at.dataframe if "连续月数" in d.value.columns]
    assert arrears, "the demo's college 13 has arrears in the latest year"
    assert sorted(arrears_shown[0]["工号/学号"]) == [k for (k,) in arrears]

    # the yearly dues report: one row, the college's own
    (report,) = [d.value for d in at.dataframe if "收缴率（%）" in d.value.columns]
    expected = _sql(
        snapshot,
        "select o.org_name, d.amount_due, d.amount_paid from marts.dues_report d "
        "join marts.dim_org o on o.year = d.year and o.org_code = d.college_code "
        "where d.year = ? and d.college_code = ?",
        [year, COLLEGE],
    )
    assert [
        tuple(r) for r in report[["二级党组织", "应交（元）", "实交（元）"]].itertuples(index=False)
    ] == expected


def test_no_name_of_a_person_is_on_the_page(college_page, demo_home):
    at, _ = college_page
    home = demo_home[0]
    with duckdb.connect(str(home / "people.duckdb"), read_only=True) as con:
        names = {n for (n,) in con.execute("select person_name from names").fetchall()}
    assert names
    shown = set()
    for frame in at.dataframe:
        for column in frame.value.columns:
            shown |= {str(v) for v in frame.value[column].tolist()}
    texts = {e.value for e in [*at.markdown, *at.caption, *at.subheader]}
    assert not (names & shown)
    assert not [n for n in names for t in texts if n in str(t)]
