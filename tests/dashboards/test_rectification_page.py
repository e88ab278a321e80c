"""整改跟踪 through Streamlit's AppTest against the demo snapshot (tests/conftest.py `demo_home`): the
counts per college equal marts.rectifications, a problem opens to the row it was found in, and a 学院
login sees its own college's problems only."""

import io
from pathlib import Path

import duckdb
import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

from dagster_project.access.users import add_user
from dagster_project.reports import problem_sheet_xlsx
from dashboards import auth, tables
from dashboards.snapshot import cursor
from tests.trust.test_auth import log_in, served_like_dangjian  # noqa: F401 (fixture)

APP = Path(__file__).resolve().parents[2] / "dashboards" / "app.py"
PAGE = "pages/rectification.py"
PASSWORD = "jsj-password-1"


@pytest.fixture(scope="module")
def snapshot(demo_home) -> Path:
    return demo_home[0] / "serving.duckdb"


def _sql(snapshot: Path, text: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(snapshot), read_only=True) as con:
        return con.execute(text, params or []).fetchall()


def _open(at: AppTest) -> AppTest:
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, at.exception
    return at


def test_counts_per_college_are_the_marts_and_a_problem_opens_to_its_question(snapshot, monkeypatch):
    monkeypatch.setenv("DANGJIAN_SERVING_DB", str(snapshot))
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    at = _open(at)
    assert at.title[0].value == "整改跟踪"
    year = at.selectbox(key="rect_year").value
    assert year == _sql(snapshot, "select max(year) from marts.rectifications")[0][0]
    counts = at.dataframe[0].value
    expected = _sql(
        snapshot,
        "select college_code, count(*), count(*) filter (where status = '已销号'), "
        "count(*) filter (where status = '逾期') from marts.rectifications where year = ? group by all order by 1",
        [year],
    )
    assert counts["问题数"].tolist() == [n for _, n, _, _ in expected]
    assert counts["已销号"].tolist() == [n for _, _, n, _ in expected]
    assert counts["逾期"].tolist() == [n for _, _, _, n in expected]
    # a 否 of the checklist opens to the answer and the question as the checklist writes it
    problems = at.dataframe[1].value
    (pick,) = [i for i, r in problems.reset_index().iterrows() if r["来源"] == "责任清单自查“否”"][:1]
    at.selectbox(key="rect_pick").set_value(pick).run()
    assert not at.exception, at.exception
    evidence = at.dataframe[2].value
    assert evidence["answer"].tolist() == ["否"]
    (question,) = _sql(
        snapshot,
        "select question from marts.checklist_answers a join marts.problems p "
        "on p.year = a.year and p.org_code = a.org_code and p.source_key = cast(a.question_no as varchar) "
        "where p.problem_id = ?",
        [problems["问题编号"].iloc[pick]],
    )[0]
    assert evidence["question"].tolist() == [question]


def test_a_college_login_sees_only_its_own_problems(snapshot, tmp_path, monkeypatch, served_like_dangjian):  # noqa: F811
    home = tmp_path / "home"
    add_user(home / "users.json", "jsj", PASSWORD, "college", "01")
    monkeypatch.setenv("DANGJIAN_HOME", str(home))
    monkeypatch.setenv("DANGJIAN_SERVING_DB", str(snapshot))
    auth.login_throttle.clear()
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    at = _open(log_in(at, "jsj", PASSWORD))
    year = at.selectbox(key="rect_year").value
    assert at.dataframe[0].value["问题数"].tolist() == [
        _sql(
            snapshot,
            "select count(*) from marts.rectifications where year = ? and college_code = '01'",
            [year],
        )[0][0]
    ]
    shown = set(at.dataframe[1].value["问题编号"].dropna())
    own = {
        p for (p,) in _sql(
            snapshot, "select problem_id from marts.problems where year = ? and college_code = '01'", [year]
        )
    }  # fmt: skip
    assert shown and shown <= own
    auth.login_throttle.clear()


def test_a_college_s_download_holds_its_own_problems_only(snapshot):
    (year,) = _sql(snapshot, "select max(year) from marts.problems")[0]
    with cursor(str(snapshot), "01") as con:
        content = problem_sheet_xlsx(con, year)  # no college asked for: the login's scope decides
    rows = list(
        openpyxl.load_workbook(io.BytesIO(content))["整改台账"].iter_rows(min_row=3, values_only=True)
    )
    own = _sql(
        snapshot,
        "select problem_id from marts.problems where year = ? and college_code = '01' order by all",
        [year],
    )
    assert sorted((r[1],) for r in rows) == own


def test_a_long_list_opens_with_its_first_rows_and_the_toggle_shows_them_all(snapshot, monkeypatch):
    """With the list's first rows lowered to 5, the year's problems open as the first 5 (the order of
    the whole list), the picker offers those 5, and 显示全部 brings back every problem."""
    monkeypatch.setattr(tables, "ROWS_SHOWN", 5)
    monkeypatch.setenv("DANGJIAN_SERVING_DB", str(snapshot))
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    at = _open(at)
    first = at.dataframe[1].value
    assert len(first) == 5
    assert len(at.selectbox(key="rect_pick").options) == 5
    captions = [c.value for c in at.caption]

    at.toggle(key="rect_all_rows").set_value(True).run()
    assert not at.exception, at.exception
    everything = at.dataframe[1].value
    total = len(everything)
    assert total > 5 and everything.head(5).equals(first)
    assert any(f"共 {total} 个问题" in c and "前 5 行" in c and f"全部 {total:,} 行" in c for c in captions)
    assert len(at.selectbox(key="rect_pick").options) == total
    assert not any("前 5 行" in c.value for c in at.caption)

    # a problem picked beyond the first rows, then the toggle off: the picker is back to the table's rows
    at.selectbox(key="rect_pick").set_value(total - 1).run()
    assert not at.exception, at.exception
    at.toggle(key="rect_all_rows").set_value(False).run()
    assert not at.exception, at.exception
    assert len(at.dataframe[1].value) == 5
    assert at.selectbox(key="rect_pick").value in range(5)
