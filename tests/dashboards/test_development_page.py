"""党员队伍 through Streamlit's AppTest against the DEMO snapshot (tests/conftest.py `demo_home`): the
page only selects, filters and formats marts, so what it shows must equal the marts row for row."""

from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parents[2] / "dashboards" / "app.py"
PAGE = "pages/development.py"


@pytest.fixture(scope="module")
def page(demo_home, monkeypatch_module):
    home, _summary, _checks = demo_home
    monkeypatch_module.setenv("DANGJIAN_HOME", str(home))
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at, home / "serving.duckdb"


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as mp:
        yield mp


def _sql(snapshot: Path, text: str) -> list[tuple]:
    with duckdb.connect(str(snapshot), read_only=True) as con:
        return con.execute(text).fetchall()


def test_stage_counts_are_the_pipeline_mart_of_the_latest_period(page):
    at, snapshot = page
    expected = _sql(
        snapshot,
        "select stage, sum(people)::BIGINT from marts.development_pipeline where period = "
        "(select max(period) from marts.development_pipeline) group by stage, stage_order order by stage_order",
    )
    assert [(m.label, m.value) for m in at.metric] == [(s, str(n)) for s, n in expected]
    assert len(expected) == 5


def test_the_findings_list_is_the_audit_of_the_period_with_a_download(page):
    at, snapshot = page
    (count,) = _sql(
        snapshot,
        "select count(*) from marts.development_issues where period = (select max(period) from marts.development_records)",
    )[0]
    findings = next(d.value for d in at.dataframe if "规则" in d.value.columns and "说明" in d.value.columns)
    assert len(findings) == count > 0
    rules = _sql(
        snapshot,
        "select distinct rule_id from marts.development_issues "
        "where period = (select max(period) from marts.development_records)",
    )
    assert set(findings["规则"]) == {r for (r,) in rules}
    # over the three years the demo plants (and the audit finds) one of each rule
    assert {r for (r,) in _sql(snapshot, "select distinct rule_id from marts.development_issues")} == {
        f"D{n:02d}" for n in range(1, 13)
    }
    assert len(at.get("download_button")) == 3  # findings, arrears, dues report


def test_arrears_and_dues_report_of_the_year(page):
    at, snapshot = page
    year = _sql(snapshot, "select max(year) from marts.development_records")[0][0]
    arrears = _sql(snapshot, f"select count(*) from marts.dues_arrears where year = {year}")[0][0]
    shown = next(d.value for d in at.dataframe if "连续月数" in d.value.columns)
    assert len(shown) == arrears > 0
    report = next(d.value for d in at.dataframe if "收缴率（%）" in d.value.columns)
    rows = _sql(
        snapshot,
        f"select amount_due, amount_paid from marts.dues_report where year = {year} order by college_code",
    )
    assert [tuple(r) for r in report[["应交（元）", "实交（元）"]].itertuples(index=False)] == rows
