"""A 学院 login's 排名, 年终考核 and 趋势 pages on the demo snapshot: its copy holds its own college row
only, so no count, mean or distribution over colleges may be shown (they would be its own figures
passed off as the university's: 二级党组织数 1, 平均综合得分 = its own score, 进步最大 = itself). Its
own score, its school-wide rank and its grade are shown instead; a 组织部 login still sees the
university's figures."""

from pathlib import Path

import duckdb
import pytest

from dagster_project.access.users import add_user
from dashboards import auth
from tests.trust.test_auth import log_in, served_like_dangjian, start  # noqa: F401 (fixture)

PASSWORD = "jsj-password-1"
COLLEGE_AGGREGATES = {"二级党组织数", "平均综合得分", "等次为「好」", "★5 二级党组织", "一票否决", "党支部数"}


@pytest.fixture
def demo_login(demo_home, tmp_path, monkeypatch, served_like_dangjian) -> Path:  # noqa: F811
    snapshot = demo_home[0] / "serving.duckdb"
    home = tmp_path / "home"
    add_user(home / "users.json", "jsj", PASSWORD, "college", "01")
    add_user(home / "users.json", "zzb", PASSWORD, "org")
    monkeypatch.setenv("DANGJIAN_HOME", str(home))
    monkeypatch.setenv("DANGJIAN_SERVING_DB", str(snapshot))
    auth.login_throttle.clear()
    yield snapshot
    auth.login_throttle.clear()


def _one(snapshot: Path, sql: str, params: list) -> tuple:
    with duckdb.connect(str(snapshot), read_only=True) as con:
        return con.execute(sql, params).fetchone()


def _metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_college_login_ranking_shows_its_own_figures_not_single_row_aggregates(demo_login):
    at = log_in(start(), "jsj", PASSWORD)
    assert at.title[0].value == "考核排名"
    period = at.selectbox(key="period").value
    composite, rank, branches = _one(
        demo_login,
        "select composite, rank, branch_count from marts.college_scores where period = ? and college_code = '01'",
        [period],
    )
    (colleges,) = _one(demo_login, "select count(*) from marts.college_scores where period = ?", [period])
    shown = _metrics(at)
    assert not COLLEGE_AGGREGATES & set(shown), shown
    assert shown["本院综合得分"] == f"{composite:.2f}"
    assert shown["全校排名"] == f"{rank} / {colleges}"
    at.session_state["ranking_tab"] = "党支部排名"  # the branch figures are in the other tab
    at.run()
    assert not at.exception, at.exception
    assert _metrics(at)["本院支部数"] == str(branches)


def test_org_login_ranking_still_shows_the_university_figures(demo_login):
    at = log_in(start(), "zzb", PASSWORD)
    period = at.selectbox(key="period").value
    (colleges, mean) = _one(
        demo_login, "select count(*), avg(composite) from marts.college_scores where period = ?", [period]
    )
    shown = _metrics(at)
    assert shown["二级党组织数"] == str(colleges) and colleges > 1
    assert shown["全校平均综合得分"] == f"{mean:.2f}"


def test_college_login_year_end_shows_no_counts_or_grade_distribution(demo_login):
    at = log_in(start(), "jsj", PASSWORD)
    at.switch_page("pages/year_end.py").run()
    assert not at.exception, at.exception
    year = at.selectbox(key="year").value
    composite, rank, grade = _one(
        demo_login,
        "select composite, rank, grade from marts.college_scores where period = ? and college_code = '01'",
        [f"{year}Q4"],
    )
    (colleges,) = _one(
        demo_login, "select count(*) from marts.college_scores where period = ?", [f"{year}Q4"]
    )
    shown = _metrics(at)
    assert not COLLEGE_AGGREGATES & set(shown), shown
    assert not {"好", "较好", "一般", "差"} & set(shown)  # the grade distribution's counts
    assert "等次分布" not in [s.value for s in at.subheader]
    assert shown["本院综合得分"] == f"{composite:.2f}"
    assert shown["全校排名"] == f"{rank} / {colleges}"
    assert shown["本院等次"] == grade


def test_college_login_trends_list_no_largest_moves_or_all_colleges(demo_login):
    at = log_in(start(), "jsj", PASSWORD)
    at.switch_page("pages/trends.py").run()
    assert not at.exception, at.exception
    assert at.title[0].value == "趋势"
    subheaders = [s.value for s in at.subheader]
    assert "进步最大 / 退步最大" not in subheaders
    assert not [e for e in at.expander if e.label.startswith("全部二级党组织")]
    assert not at.radio  # the 对比方式 of the largest moves


def test_org_login_trends_list_the_largest_moves(demo_login):
    at = log_in(start(), "zzb", PASSWORD)
    at.switch_page("pages/trends.py").run()
    assert "进步最大 / 退步最大" in [s.value for s in at.subheader]


def test_college_login_year_end_shows_the_university_mean_and_the_gaps(demo_login):
    at = log_in(start(), "jsj", PASSWORD)
    at.switch_page("pages/year_end.py").run()
    assert not at.exception, at.exception
    period = f"{at.selectbox(key='year').value}Q4"
    (mean,) = _one(
        demo_login,
        "select mean from marts.college_benchmarks where period = ? and measure = 'composite'",
        [period],
    )
    rank, composite, grade, gap_above, next_grade, gap_grade = _one(
        demo_login,
        "select rank, composite, grade, gap_to_rank_above, next_grade, gap_to_next_grade "
        "from marts.college_scores where period = ? and college_code = '01'",
        [period],
    )
    shown = _metrics(at)
    assert shown["全校平均综合得分"] == f"{mean:.2f}"
    (above,) = _one(
        demo_login,
        "select max_by(composite, rank) from marts.college_rank_ladder where period = ? and rank < ?",
        [period, rank],
    )
    assert shown["与上一名次相差"] == ("—" if above is None else f"{above - composite:.2f} 分")
    assert gap_above == (None if above is None else round(above - composite, 2))
    # the grade above its own: the rulebook's bar, or the lowest holder once the quota is full —
    # worked again here from the ladder, against the column dbt computed and the page shows
    better = _one(
        demo_login,
        "select grade, min_composite, max_share from marts.rule_grades where rank_order = "
        "(select rank_order - 1 from marts.rule_grades where grade = ?)",
        [grade],
    )
    if better is not None:
        name, bar, share = better
        holders, lowest, colleges = _one(
            demo_login,
            "select sum(colleges) filter (where grade = ?), min(composite) filter (where grade = ?), "
            "sum(colleges) from marts.college_rank_ladder where period = ?",
            [name, name, period],
        )
        if share is not None and holders and holders >= int(share * colleges):
            bar = max(bar, lowest)
        assert (next_grade, gap_grade) == (name, round(max(bar - composite, 0), 2))
        assert shown[f"距「{name}」"] == f"{gap_grade:.2f} 分"


def test_org_login_choosing_one_college_gets_its_context_not_a_count_of_one(demo_login):
    at = log_in(start(), "zzb", PASSWORD)
    at.selectbox(key="college").set_value("01").run()
    assert not at.exception, at.exception
    period = at.selectbox(key="period").value
    shown = _metrics(at)
    assert "二级党组织数" not in shown, shown
    (mean,) = _one(
        demo_login,
        "select mean from marts.college_benchmarks where period = ? and measure = 'composite'",
        [period],
    )
    assert shown["全校平均综合得分"] == f"{mean:.2f}"


def test_college_login_detail_labels_its_indicators_by_dimension(demo_login):
    """学院详情 for a 学院 login: the indicator table's 维度 labels come from the rulebook query, which
    needs the login's session; looked up inside a polars UDF (a polars thread, no session) they
    stopped the page with 没有登录会话."""
    at = log_in(start(), "jsj", PASSWORD)
    at.switch_page("pages/college_detail.py").run()
    assert not at.exception, at.exception
    table = next(d.value for d in at.dataframe if "维度" in d.value.columns)  # 五个到位's indicators
    with duckdb.connect(str(demo_login), read_only=True) as con:
        names = dict(con.execute("select score_column, dimension_name from marts.rule_dimensions").fetchall())
    assert set(table["维度"]) == {
        f"{code.upper()} {name}" for code, name in names.items() if code.startswith("c")
    }
