"""排名 (二级党组织 + 党支部, 公示 view) and 趋势 through AppTest, against the DEMO snapshot.

Every number the pages show is compared with what marts.college_scores / marts.branch_scores hold in
the same snapshot (queried here with duckdb directly): the dashboards only select, filter and format.
"""

import json
from decimal import Decimal
from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from dashboards import charts, trend_charts
from dashboards.labels import TOTAL_LABEL, period_label, period_text, rank_change_arrow, star_string
from tests.support.serving_fixture import build_serving_db, rulebook_dimensions

APP = Path(__file__).resolve().parents[2] / "dashboards" / "app.py"
TRENDS = "pages/trends.py"
COLLEGE_DIMENSIONS = rulebook_dimensions("college")
DIMENSION_NAMES = list(COLLEGE_DIMENSIONS.values())
NUMERIC_KINDS = "biufc"  # pandas dtype kinds: bool, int, uint, float, complex


@pytest.fixture
def snapshot(demo_home, monkeypatch) -> Path:
    home, _summary, _checks = demo_home
    path = home / "serving.duckdb"
    monkeypatch.setenv("DANGJIAN_SERVING_DB", str(path))
    return path


def mart(path: Path, sql: str, params: list | None = None) -> list[dict]:
    with duckdb.connect(str(path), read_only=True) as con:
        cursor = con.execute(sql, params or [])
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def open_tab(at: AppTest, label: str) -> AppTest:
    """Click a tab of 排名: only the open tab runs (on_change="rerun"), so its content appears now."""
    at.session_state["ranking_tab"] = label
    at.run()
    assert not at.exception, at.exception
    return at


def run_app(page: str | None = None) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    if page is not None:
        at.switch_page(page).run()
        assert not at.exception, at.exception
    return at


def periods(path: Path) -> list[str]:
    return [
        r["period"]
        for r in mart(
            path, "select distinct period, year, quarter from marts.college_scores order by year, quarter"
        )
    ]


def chart_datasets(element) -> list[dict[str, list]]:
    """The data Streamlit ships with one Vega-Lite chart (Arrow IPC in the proto), in spec order."""
    return [pa.ipc.open_stream(d.data.data).read_all().to_pydict() for d in element.proto.datasets]


def charts_data(at: AppTest) -> list[list[dict[str, list]]]:
    return [chart_datasets(e) for e in at.get("vega_lite_chart")]


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def college_rows(path: Path, period: str) -> list[dict]:
    return mart(
        path, "select * from marts.college_scores where period = ? order by rank, college_code", [period]
    )


def arrow(change: int | None) -> str:
    if change is None:
        return ""
    return f"↑{change}" if change > 0 else f"↓{-change}" if change < 0 else "—"


# ---- 排名: 二级党组织 ---------------------------------------------------------------------------


def test_college_ranking_equals_marts(snapshot):
    at = run_app()
    latest = periods(snapshot)[-1]
    assert latest.endswith("Q4")  # the demo ends with a year-end period
    assert at.title[0].value == "考核排名"
    assert [t.label for t in at.tabs] == ["二级党组织排名", "党支部排名"]
    assert at.selectbox(key="year").value == int(latest[:4])
    assert at.selectbox(key="period").value == latest
    assert at.selectbox(key="period").options == [period_text(f"{latest[:4]}Q{q}") for q in (4, 3, 2, 1)]
    assert period_label(latest) in [c.value for c in at.caption]

    expected = college_rows(snapshot, latest)
    df = at.dataframe[0].value
    assert list(df.columns) == [
        "提示", "排名", "二级党组织", "名次变化", "综合得分", "星级", "等次", TOTAL_LABEL, "述职评议得分",
        *DIMENSION_NAMES, "一票否决", "类型",
    ]  # fmt: skip
    assert df["排名"].tolist() == [r["rank"] for r in expected]
    assert df["二级党组织"].tolist() == [r["college_name"] for r in expected]
    assert df["综合得分"].tolist() == [r["composite"] for r in expected]
    assert df[TOTAL_LABEL].tolist() == [r["total"] for r in expected]
    assert df["述职评议得分"].tolist() == [r["evaluation_score"] for r in expected]
    assert df["等次"].tolist() == [r["grade"] for r in expected]
    assert df["星级"].tolist() == [star_string(r["stars"]) for r in expected]
    assert df["名次变化"].tolist() == [arrow(r["rank_change"]) for r in expected]
    for code, name in COLLEGE_DIMENSIONS.items():
        assert df[name].tolist() == [r[code] for r in expected], name
    assert df["一票否决"].tolist() == [r["veto"] for r in expected]

    composites = [r["composite"] for r in expected]
    assert metrics(at)["二级党组织数"] == str(len(expected))
    assert metrics(at)["全校平均综合得分"] == f"{sum(composites) / len(composites):.2f}"
    assert metrics(at)["等次为「好」"] == str(sum(r["grade"] == "好" for r in expected))


def test_college_charts_carry_marts_values_as_floats(snapshot):
    at = run_app()
    latest = periods(snapshot)[-1]
    expected = college_rows(snapshot, latest)
    bar, heat = charts_data(at)  # the 党支部排名 tab is closed: its charts are not built
    (bar,) = bar
    assert bar["college_name"] == [r["college_name"] for r in expected]
    assert bar["composite"] == [r["composite"] for r in expected]
    assert all(isinstance(v, float) for v in bar["composite"])
    assert bar["grade"] == [r["grade"] for r in expected]  # Q4: coloured by grade
    (heat,) = heat
    cells = {
        (label, dim): score
        for label, dim, score in zip(heat["label"], heat["dimension"], heat["score"], strict=True)
    }
    want = {
        (r["college_name"], name): r[code]
        for r in expected
        for code, name in COLLEGE_DIMENSIONS.items()
        if r[code] is not None
    }
    assert cells == want
    assert all(isinstance(v, float) for v in heat["score"])

    open_tab(at, "党支部排名")
    branch_bar, _branch_heat = charts_data(at)
    (branch_bar,) = branch_bar
    branches = mart(
        snapshot, "select total from marts.branch_scores where period = ? order by rank_overall, branch_code "
        "limit 30", [latest],
    )  # fmt: skip
    assert branch_bar["total"] == [r["total"] for r in branches]


def test_quarter_without_year_end_results(snapshot):
    at = run_app()
    first = periods(snapshot)[1]  # a Q2: no 述职评议, no grade; rank_change vs Q1
    assert first.endswith("Q2")
    at.selectbox(key="year").set_value(int(first[:4])).run()
    at.selectbox(key="period").set_value(first).run()
    assert not at.exception
    expected = college_rows(snapshot, first)
    df = at.dataframe[0].value
    assert "等次" not in df.columns and "述职评议得分" not in df.columns
    assert df["综合得分"].tolist() == [r["composite"] for r in expected]
    assert df["名次变化"].tolist() == [arrow(r["rank_change"]) for r in expected]
    assert metrics(at)["★5 二级党组织"] == str(sum(r["stars"] == 5 for r in expected))
    assert any("第四季度（年终考核）给出" in c.value for c in at.caption)
    (bar,) = charts_data(at)[0]
    assert bar["composite"] == [r["composite"] for r in expected]
    assert set(bar["grade"]) == {None}  # coloured by stars instead


def test_college_filter_and_branch_tab(snapshot):
    at = run_app()
    latest = periods(snapshot)[-1]
    branches = mart(
        snapshot,
        "select * from marts.branch_scores where period = ? order by rank_overall, branch_code",
        [latest],
    )
    assert len(at.dataframe) == 1  # the closed 党支部排名 tab has not run
    open_tab(at, "党支部排名")
    branch_df = at.dataframe[0].value
    assert branch_df["支部"].tolist() == [r["branch_name"] for r in branches]
    assert branch_df["总分"].tolist() == [r["total"] for r in branches]
    assert branch_df["晋位升级"].tolist() == [r["tier"] or "未定级" for r in branches]
    assert branch_df["星级"].tolist() == [star_string(r["stars"]) for r in branches]

    college = college_rows(snapshot, latest)[3]
    at.selectbox(key="college").set_value(college["college_code"]).run()
    assert set(at.dataframe[0].value["学院"]) == {college["college_name"]}  # the branch tab stays open
    colleges_df = open_tab(at, "二级党组织排名").dataframe[0].value
    assert colleges_df["二级党组织"].tolist() == [college["college_name"]]
    assert colleges_df["排名"].tolist() == [college["rank"]]  # the university-wide rank, not re-ranked

    at.selectbox(key="college").set_value(None).run()
    at.multiselect(key="category").set_value(["学生"]).run()
    assert len(at.dataframe[0].value) == len(college_rows(snapshot, latest))  # colleges unaffected
    assert set(open_tab(at, "党支部排名").dataframe[0].value["类别"]) == {"学生"}


def test_grades_only_view_has_no_numbers(snapshot):
    at = run_app()
    latest = periods(snapshot)[-1]
    at.toggle(key="grades_only").set_value(True).run()
    assert not at.exception
    assert not at.metric
    assert not at.get("vega_lite_chart")
    colleges = at.dataframe[0].value
    open_tab(at, "党支部排名")
    assert not at.metric
    assert not at.get("vega_lite_chart")
    branches = at.dataframe[0].value
    for df in (colleges, branches):
        assert not [c for c in df.columns if df[c].dtype.kind in NUMERIC_KINDS], df.dtypes
        assert not {"排名", "名次变化", "综合得分", "总分", *DIMENSION_NAMES} & set(df.columns)
        for column in df.columns:
            assert not df[column].astype(str).str.fullmatch(r"[\d.↑↓-]+").any(), column

    assert list(colleges.columns) == ["二级党组织", "类型", "星级", "等次"]
    expected = {
        r["college_name"]: (star_string(r["stars"]), r["grade"]) for r in college_rows(snapshot, latest)
    }
    shown = dict(
        zip(colleges["二级党组织"], zip(colleges["星级"], colleges["等次"], strict=True), strict=True)
    )
    assert shown == expected
    order = {"好": 0, "较好": 1, "一般": 2, "差": 3}
    assert colleges["等次"].map(order).is_monotonic_increasing  # listed by grade, not by score

    assert list(branches.columns) == ["支部", "学院", "类别", "星级", "晋位升级"]
    marts_branches = mart(snapshot, "select * from marts.branch_scores where period = ?", [latest])
    assert sorted(zip(branches["支部"], branches["星级"], branches["晋位升级"], strict=True)) == sorted(
        (r["branch_name"], star_string(r["stars"]), r["tier"] or "未定级") for r in marts_branches
    )

    at.toggle(key="grades_only").set_value(False).run()
    assert "总分" in at.dataframe[0].value.columns
    assert "综合得分" in open_tab(at, "二级党组织排名").dataframe[0].value.columns


# ---- 趋势 ----------------------------------------------------------------------------------------


def test_trend_line_equals_marts(snapshot):
    at = run_app(TRENDS)
    assert at.title[0].value == "趋势"
    all_periods = periods(snapshot)
    assert len(all_periods) == 12
    college = mart(snapshot, "select college_code, college_name from marts.college_scores "
                             "where period = ? and rank = 5", [all_periods[-1]])[0]  # fmt: skip
    at.selectbox(key="trend_college").set_value(college["college_code"]).run()
    assert not at.exception
    assert at.subheader[0].value == f"{college['college_name']} 得分走势"

    rows = mart(snapshot, "select period, composite, total, rank, rank_change from marts.college_scores "
                          "where college_code = ? order by year, quarter", [college["college_code"]])  # fmt: skip
    line_element = at.get("vega_lite_chart")[0]
    (line,) = chart_datasets(line_element)
    got = {(p, s): v for p, s, v in zip(line["period"], line["series"], line["score"], strict=True)}
    want = {(r["period"], "综合得分"): r["composite"] for r in rows}
    want |= {(r["period"], TOTAL_LABEL): r["total"] for r in rows}
    means = mart(snapshot, "select period, mean from marts.college_benchmarks where measure = 'composite'")
    want |= {(r["period"], "全校平均综合得分"): r["mean"] for r in means}
    assert got == want
    assert all(isinstance(v, float) for v in line["score"])
    spec = json.loads(line_element.proto.spec)
    assert spec["layer"][0]["encoding"]["x"]["sort"] == all_periods  # x = the periods in order

    latest = rows[-1]
    assert metrics(at)[f"{period_text(all_periods[-1])}综合得分"] == f"{latest['composite']:.2f}"
    assert metrics(at)[f"{period_text(all_periods[-1])}全校排名"] == f"第 {latest['rank']} 名"

    # One of its branches adds a third line: the branch's total per period.
    branch = mart(snapshot, "select branch_code, branch_name from marts.branch_scores where college_code = ? "
                            "order by branch_code limit 1", [college["college_code"]])[0]  # fmt: skip
    at.selectbox(key="trend_branch").set_value(branch["branch_code"]).run()
    assert not at.exception
    (line,) = chart_datasets(at.get("vega_lite_chart")[0])
    branch_rows = mart(snapshot, "select period, total from marts.branch_scores where branch_code = ?",
                       [branch["branch_code"]])  # fmt: skip
    series = f"支部总分：{branch['branch_name']}"
    got = {p: v for p, s, v in zip(line["period"], line["series"], line["score"], strict=True) if s == series}
    assert got == {r["period"]: r["total"] for r in branch_rows}


def test_bump_chart_ranks_equal_marts(snapshot):
    at = run_app(TRENDS)
    all_periods = periods(snapshot)
    bump_element = at.get("vega_lite_chart")[1]
    data, last = chart_datasets(bump_element)
    got = {(p, c): r for p, c, r in zip(data["period"], data["college_code"], data["rank"], strict=True)}
    want = {
        (r["period"], r["college_code"]): r["rank"]
        for r in mart(snapshot, "select * from marts.college_scores")
    }
    assert got == want  # 20 colleges ≤ the default N: every college, every period
    assert set(last["period"]) == {all_periods[-1]}
    default = at.selectbox(key="trend_college").value
    assert [c for c, h in zip(data["college_code"], data["highlight"], strict=True) if h] == [default] * 12

    at.slider(key="bump_top").set_value(5).run()
    data, _ = chart_datasets(at.get("vega_lite_chart")[1])
    top5 = {r["college_code"] for r in mart(snapshot, "select college_code from marts.college_scores "
                                                      "where period = ? and rank <= 5", [all_periods[-1]])}  # fmt: skip
    assert set(data["college_code"]) == top5 | {default}  # the selected college is always drawn


def test_year_on_year_table(snapshot):
    at = run_app(TRENDS)
    college = at.selectbox(key="trend_college").value
    q4 = mart(snapshot, "select * from marts.college_scores where college_code = ? and quarter = 4 order by year",
              [college])  # fmt: skip
    df = at.dataframe[0].value
    assert df["年度"].tolist() == [str(r["year"]) for r in q4]
    assert df["全校排名"].tolist() == [r["rank"] for r in q4]
    assert df["综合得分"].tolist() == [r["composite"] for r in q4]
    assert df[TOTAL_LABEL].tolist() == [r["total"] for r in q4]
    assert df["述职评议得分"].tolist() == [r["evaluation_score"] for r in q4]
    assert df["等次"].tolist() == [r["grade"] for r in q4]
    assert df["较上一年"].tolist() == [""] + [
        arrow(a["rank"] - b["rank"]) for a, b in zip(q4, q4[1:], strict=False)
    ]

    # every college, Q4 of each year: built when its expander is opened (the page reruns then)
    assert len(at.dataframe) == 3 and [e.label for e in at.expander] == ["全部二级党组织逐年对比（第四季度）"]
    at.session_state["trends_all_years"] = True
    at.run()
    assert not at.exception, at.exception
    wide = at.dataframe[1].value
    years = sorted({r["year"] for r in q4})
    all_q4 = mart(snapshot, "select * from marts.college_scores where quarter = 4")
    for year in years:
        by_name = {r["college_name"]: r for r in all_q4 if r["year"] == year}
        assert dict(zip(wide["二级党组织"], wide[f"{year} 综合得分"], strict=True)) == {
            n: r["composite"] for n, r in by_name.items()
        }
        assert dict(zip(wide["二级党组织"], wide[f"{year} 等次"], strict=True)) == {
            n: r["grade"] for n, r in by_name.items()
        }


def movers(rows: list[dict], up: bool) -> list[tuple[str, int, int, str]]:
    chosen = [r for r in rows if (r["change"] > 0 if up else r["change"] < 0)]
    chosen.sort(key=lambda r: (-r["change"] if up else r["change"], r["rank"]))
    return [(r["college_name"], r["before"], r["rank"], arrow(r["change"])) for r in chosen[:5]]


def shown_movers(at: AppTest) -> tuple[list[tuple], list[tuple]]:
    up, down = (d.value for d in at.dataframe[-2:])
    as_rows = [
        [tuple(row) for row in df[["二级党组织", "原名次", "现名次", "名次变化"]].itertuples(index=False)]
        for df in (up, down)
    ]
    return as_rows[0], as_rows[1]


def test_largest_moves_latest_period_and_year(snapshot):
    at = run_app(TRENDS)
    all_periods = periods(snapshot)
    latest, before = all_periods[-1], all_periods[-2]
    assert f"对比：{period_text(latest)}与上一考核期{period_text(before)}的全校名次" in " ".join(
        c.value for c in at.caption
    )
    rows = mart(
        snapshot,
        """
        select now.college_name, prev.rank as before, now.rank, now.rank_change as change
        from marts.college_scores now join marts.college_scores prev
          on prev.college_code = now.college_code and prev.period = ?
        where now.period = ?
        """,
        [before, latest],
    )
    assert all(r["change"] == r["before"] - r["rank"] for r in rows)  # rank_change is vs the previous period
    up, down = shown_movers(at)
    assert up == movers(rows, up=True) and up
    assert down == movers(rows, up=False) and down

    at.radio(key="movement_basis").set_value("年终（第四季度）对比上一年").run()
    assert not at.exception
    year = int(latest[:4])
    assert f"对比：{year} 年与 {year - 1} 年第四季度（年终考核）的全校名次" in " ".join(
        c.value for c in at.caption
    )
    rows = mart(
        snapshot,
        """
        select now.college_name, prev.rank as before, now.rank, prev.rank - now.rank as change
        from marts.college_scores now join marts.college_scores prev
          on prev.college_code = now.college_code and prev.period = ?
        where now.period = ?
        """,
        [f"{year - 1}Q4", f"{year}Q4"],
    )
    up, down = shown_movers(at)
    assert up == movers(rows, up=True) and up
    assert down == movers(rows, up=False) and down


def test_trends_without_college_scores_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setenv("DANGJIAN_SERVING_DB", str(build_serving_db(tmp_path / "serving.duckdb")))
    at = run_app(TRENDS)
    assert "还没有二级党组织" in at.info[0].value and "dangjian run" in at.info[0].value
    assert not at.get("vega_lite_chart")


# ---- charts.py and labels.py without the app ---------------------------------------------------


def test_rank_change_arrow_and_period_label():
    assert [rank_change_arrow(n) for n in (3, -2, 0, None)] == ["↑3", "↓2", "—", ""]
    assert period_label("2024Q2") == "2024年第二季度（1–6月累计）"
    assert period_label("2024Q4") == "2024年第四季度（全年）"
    assert period_label("其他") == "其他"


def test_college_bar_casts_decimals_and_colours_by_stars_before_q4():
    frame = pl.DataFrame(
        {
            "rank": [2, 1],
            "college_code": ["02", "01"],
            "college_name": ["乙学院党委", "甲学院党委"],
            "composite": [Decimal("70.50"), Decimal("91.25")],
            "total": [Decimal("70.50"), Decimal("91.25")],
            "evaluation_score": [None, None],
            "stars": [3, 5],
            "grade": [None, None],
            "c1": [Decimal("60.00"), Decimal("95.00")],
        },
        schema_overrides={
            "composite": pl.Decimal(5, 2),
            "total": pl.Decimal(5, 2),
            "c1": pl.Decimal(5, 2),
            "evaluation_score": pl.Float64,
            "grade": pl.String,
        },  # fmt: skip
    )
    spec = charts.college_score_bar(frame, {"c1": "政治引领到位"}).to_dict()
    (rows,) = spec["datasets"].values()
    assert [r["label"] for r in rows] == ["甲学院党委", "乙学院党委"]
    assert [r["composite"] for r in rows] == [91.25, 70.5]
    assert all(isinstance(r["composite"], float) for r in rows)
    assert spec["layer"][0]["encoding"]["color"]["field"] == "star_label"


def test_rank_bump_labels_each_college_once():
    frame = pl.DataFrame(
        {
            "period": ["2024Q1", "2024Q2", "2024Q1", "2024Q2"],
            "college_code": ["01", "01", "02", "02"],
            "college_name": ["甲学院党委"] * 2 + ["乙学院党委"] * 2,
            "rank": [1, 2, 2, 1],
        }
    )
    spec = charts.rank_bump(frame, ["2024Q1", "2024Q2"], highlight="02").to_dict()
    data = [d for d in spec["datasets"].values() if len(d) == 4][0]
    assert {r["label"] for r in data} == {
        "甲学院党委",
        "乙学院党委",
    }  # a name repeated across periods is no clash
    assert [r["college_code"] for r in data if r["highlight"]] == ["02", "02"]
    last = [d for d in spec["datasets"].values() if len(d) == 2][0]
    assert {(r["college_code"], r["period"], r["rank"]) for r in last} == {
        ("01", "2024Q2", 2),
        ("02", "2024Q2", 1),
    }


def test_score_trend_line_keeps_the_given_series_order():
    frame = pl.DataFrame(
        {"period": ["2024Q1", "2024Q1", "2024Q2"], "series": ["乙", "甲", "甲"], "score": [1, 2, None]}
    )
    spec = trend_charts.score_trend_line(frame, ["2024Q1", "2024Q2"], ["甲", "乙"]).to_dict()
    (rows,) = spec["datasets"].values()
    assert all(isinstance(r["score"], float) for r in rows) and len(rows) == 2  # NULL dropped: a gap
    assert spec["layer"][0]["encoding"]["color"]["scale"]["domain"] == ["甲", "乙"]
