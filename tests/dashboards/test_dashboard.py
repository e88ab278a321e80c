"""The 排名 page through Streamlit's AppTest, against the hand-written snapshot in serving_fixture.py."""

import os
import time
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from dashboards import charts, snapshot
from dashboards.labels import star_string
from tests.support.serving_fixture import LATEST_PERIOD, build_serving_db, rulebook_dimensions

APP = Path(__file__).resolve().parents[2] / "dashboards" / "app.py"

Q4_ORDER = ["计算机教工第一党支部", "马院教工党支部", "马院研究生党支部", "计算机本科生党支部"]
Q3_ORDER = ["马院教工党支部", "计算机教工第一党支部", "计算机本科生党支部", "马院研究生党支部"]

BRANCH_DIMENSIONS = rulebook_dimensions("branch")


@pytest.fixture(scope="module")
def serving_db(tmp_path_factory) -> Path:
    return build_serving_db(tmp_path_factory.mktemp("home") / "serving.duckdb")


@pytest.fixture
def app(serving_db, monkeypatch) -> AppTest:
    monkeypatch.setenv("DANGJIAN_SERVING_DB", str(serving_db))
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    return at


def table(at: AppTest):
    return at.dataframe[0].value  # pandas frame of what st.dataframe received


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def chart_datasets(at: AppTest) -> list[dict[str, list]]:
    """The data Streamlit ships to the browser with each Vega-Lite chart (Arrow IPC in the proto)."""
    out = []
    for element in at.get("vega_lite_chart"):
        for dataset in element.proto.datasets:
            out.append(pa.ipc.open_stream(dataset.data.data).read_all().to_pydict())
    return out


def test_defaults_to_latest_period(app):
    assert app.title[0].value == "考核排名"
    # The fixture has no marts.college_scores: the 党支部排名 tab is the one opened.
    assert [t.label for t in app.tabs] == ["二级党组织排名", "党支部排名"]
    assert app.session_state["ranking_tab"] == "党支部排名"
    # only the open tab runs: the closed one's subheader and message are not there
    assert [h.value for h in app.subheader] == ["党支部排名"]
    assert not [i for i in app.info if "还没有二级党组织" in i.value]
    assert app.selectbox(key="year").value == 2024
    assert app.selectbox(key="period").value == LATEST_PERIOD
    assert app.selectbox(key="period").options == ["2024年第四季度", "2024年第三季度"]
    assert app.multiselect(key="category").value == ["教工", "学生"]
    assert metrics(app) == {"支部数": "4", "平均总分": "82.48", "★5 支部数": "1"}


def test_table_rows_order_and_formatting(app):
    df = table(app)
    assert df["排名"].tolist() == [1, 2, 3, 4]
    assert df["支部"].tolist() == Q4_ORDER
    assert df["学院"].tolist() == ["计算机学院", "马克思主义学院", "马克思主义学院", "计算机学院"]
    assert df["星级"].tolist() == ["★★★★★", "★★★★☆", "★★★★☆", "★★★☆☆"]
    assert df["总分"].tolist() == [90.57, 89.14, 77.93, 72.29]
    assert df["晋位升级"].tolist() == ["示范性", "红旗", "未定级", "规范化"]
    assert list(BRANCH_DIMENSIONS.values()) == [c for c in df.columns if c.endswith("有力")]
    assert df["服务师生有力"].tolist() == [89.0, 88.5, 77.0, 71.0]


def test_earlier_period_hides_missing_dimension_and_shows_veto(app):
    app.selectbox(key="period").set_value("2024Q3").run()
    assert not app.exception
    df = table(app)
    assert df["支部"].tolist() == Q3_ORDER
    assert df["星级"].tolist() == ["★★★★★", "★★★★☆", "★★★☆☆", "不定级"]
    assert df["一票否决"].tolist() == [False, False, False, True]
    assert "服务师生有力" not in df.columns  # b7 is NULL throughout 2024Q3
    assert "教育党员有力" in df.columns
    assert df["晋位升级"].tolist() == ["未定级"] * 4
    assert metrics(app)["★5 支部数"] == "1"


def test_category_and_college_filters(app):
    app.multiselect(key="category").set_value(["学生"]).run()
    df = table(app)
    assert df["支部"].tolist() == ["马院研究生党支部", "计算机本科生党支部"]
    assert df["排名"].tolist() == [3, 4]  # the marts' university-wide rank, not re-ranked
    assert metrics(app) == {"支部数": "2", "平均总分": "75.11", "★5 支部数": "0"}

    app.multiselect(key="category").set_value(["教工", "学生"]).run()
    app.selectbox(key="college").set_value("C02").run()
    assert table(app)["支部"].tolist() == ["马院教工党支部", "马院研究生党支部"]

    app.multiselect(key="category").set_value([]).run()
    assert not app.exception
    assert not app.dataframe
    assert any("请至少选择一个支部类别" in i.value for i in app.info)


def test_chart_data_carries_totals_as_floats(app):
    bar, heat = chart_datasets(app)
    assert bar["label"] == Q4_ORDER
    assert bar["total"] == [90.57, 89.14, 77.93, 72.29]
    assert all(isinstance(v, float) for v in bar["total"])
    assert bar["star_label"] == ["★5", "★4", "★4", "★3"]
    # heat map: one cell per branch and computed dimension
    assert len(heat["score"]) == 4 * 7
    assert set(heat["dimension"]) == set(BRANCH_DIMENSIONS.values())


def test_missing_snapshot_shows_message(tmp_path, monkeypatch):
    monkeypatch.setenv("DANGJIAN_SERVING_DB", str(tmp_path / "nope" / "serving.duckdb"))
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    assert not at.exception
    assert at.warning[0].value == snapshot.NO_SNAPSHOT_MESSAGE == "尚无发布的数据，请先运行 dangjian run"
    assert not at.dataframe


def test_empty_snapshot_shows_message(tmp_path, monkeypatch):
    path = build_serving_db(tmp_path / "serving.duckdb")
    with duckdb.connect(str(path)) as con:
        con.execute("delete from marts.branch_scores")
    monkeypatch.setenv("DANGJIAN_SERVING_DB", str(path))
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    assert not at.exception
    assert at.title[0].value == "考核排名"
    assert "还没有支部得分" in at.info[0].value


# ---- charts.py and data.py without the app ------------------------------------------------------


def test_bar_chart_casts_decimals_and_orders_by_rank():
    frame = pl.DataFrame(
        {
            "rank_overall": [2, 1],
            "branch_name": ["乙支部", "甲支部"],
            "college_name": ["A学院", "B学院"],
            "branch_category": ["学生", "教工"],
            "stars": [0, 5],
            "total": [Decimal("45.50"), Decimal("91.25")],
            "b1": [Decimal("40.00"), Decimal("90.00")],
        },
        schema_overrides={"total": pl.Decimal(5, 2), "b1": pl.Decimal(5, 2)},
    )
    spec = charts.branch_total_bar(frame, {"b1": "教育党员有力"}).to_dict()
    (rows,) = spec["datasets"].values()
    assert [r["label"] for r in rows] == ["甲支部", "乙支部"]
    assert [r["total"] for r in rows] == [91.25, 45.5]
    assert all(isinstance(r["total"], float) for r in rows)
    assert [r["star_label"] for r in rows] == ["★5", "不定级"]
    assert spec["layer"][0]["encoding"]["y"]["sort"] == ["甲支部", "乙支部"]
    tooltip_titles = [t["title"] for t in spec["layer"][0]["encoding"]["tooltip"]]
    assert tooltip_titles == ["排名", "支部", "学院", "类别", "星级", "总分", "教育党员有力"]


def test_duplicate_branch_names_get_their_college():
    frame = pl.DataFrame(
        {
            "rank_overall": [1, 2],
            "branch_name": ["第一党支部", "第一党支部"],
            "college_name": ["A学院", "B学院"],
            "branch_category": ["教工", "教工"],
            "stars": [5, 4],
            "total": [90.0, 80.0],
        }
    )
    (rows,) = charts.branch_total_bar(frame, {}).to_dict()["datasets"].values()
    assert [r["label"] for r in rows] == ["第一党支部（A学院）", "第一党支部（B学院）"]


def test_star_string():
    assert [star_string(n) for n in (0, 1, 4, 5)] == ["不定级", "★☆☆☆☆", "★★★★☆", "★★★★★"]
    assert star_string(None) == ""


def test_published_at_prefers_the_publishers_stamp(tmp_path, monkeypatch):
    path = build_serving_db(tmp_path / "serving.duckdb")
    monkeypatch.setenv("DANGJIAN_SERVING_DB", str(path))
    assert abs(snapshot.published_at().timestamp() - path.stat().st_mtime) < 1  # fixture has no meta table
    snapshot.release_snapshot()  # the publisher renames a new file; this test rewrites the same one in place
    with duckdb.connect(str(path)) as con:
        con.execute("create schema meta")
        con.execute("create table meta.snapshot as select timestamp '2025-01-02 03:04:05' as published_at")
    assert snapshot.published_at() == datetime(2025, 1, 2, 3, 4, 5)


def test_serving_path_from_env(tmp_path, monkeypatch):
    monkeypatch.delenv("DANGJIAN_SERVING_DB", raising=False)
    monkeypatch.setenv("DANGJIAN_HOME", str(tmp_path))
    assert snapshot.serving_path() == tmp_path / "serving.duckdb"
    monkeypatch.setenv("DANGJIAN_SERVING_DB", str(tmp_path / "x.duckdb"))
    assert snapshot.serving_path() == tmp_path / "x.duckdb"


def test_query_is_parameterised_and_sees_a_new_snapshot(tmp_path, monkeypatch):
    path = build_serving_db(tmp_path / "serving.duckdb")
    monkeypatch.setenv("DANGJIAN_SERVING_DB", str(path))
    sql = "select total from marts.branch_scores where period = ? and branch_code = ?"
    assert snapshot.query(sql, ["2024Q4", "C01B01"])["total"].to_list() == [90.57]
    assert snapshot.query(sql, ["2024Q4", "x' or '1'='1"]).is_empty()

    # Publish a new snapshot the way the pipeline does (write elsewhere, then os.replace).
    fresh = build_serving_db(tmp_path / "next.duckdb")
    with duckdb.connect(str(fresh)) as con:
        con.execute("update marts.branch_scores set total = 12.5 where branch_code = 'C01B01'")
    time.sleep(0.01)
    os.replace(fresh, path)
    assert snapshot.query(sql, ["2024Q4", "C01B01"])["total"].to_list() == [12.5]


def test_query_retries_on_lock(tmp_path, monkeypatch):
    path = build_serving_db(tmp_path / "serving.duckdb")
    real_connect = duckdb.connect
    calls = []

    def flaky_connect(*args, **kwargs):
        calls.append(kwargs)
        if len(calls) < 3:
            raise duckdb.IOException("Could not set lock on file: Conflicting lock is held")
        return real_connect(*args, **kwargs)

    monkeypatch.setattr(snapshot.duckdb, "connect", flaky_connect)
    monkeypatch.setattr(snapshot, "_LOCK_BACKOFF_S", 0.0)
    snapshot.release_snapshot()
    frame = snapshot.run_query(path, "select count(*)::BIGINT as n from marts.branch_scores")
    assert frame["n"].to_list() == [8]
    assert len(calls) == 3


def test_snapshot_is_attached_read_only_and_swaps_on_publish(tmp_path):
    path = build_serving_db(tmp_path / "serving.duckdb")
    assert snapshot.run_query(path, "select count(*)::BIGINT as n from marts.branch_scores")[
        "n"
    ].to_list() == [8]
    with pytest.raises(duckdb.Error):
        snapshot.run_query(path, "delete from marts.branch_scores")
    newer = build_serving_db(tmp_path / "next.duckdb")
    snapshot.release_snapshot()
    with duckdb.connect(str(newer)) as con:
        con.execute("delete from marts.branch_scores where branch_code <> 'C01B01'")
    os.utime(newer, ns=(path.stat().st_mtime_ns + 10**9,) * 2)
    os.replace(newer, path)  # what the publisher does
    assert snapshot.run_query(path, "select count(*)::BIGINT as n from marts.branch_scores")[
        "n"
    ].to_list() == [2]


def test_a_dimension_added_to_the_rulebook_reaches_the_ranking_with_no_dashboard_change(
    tmp_path, monkeypatch
):
    """What docs/recipes.md "加一个维度" promises for the dashboards: a published rule_dimensions row and
    its score column are enough — the page's table, heat map and tooltips pick it up."""
    path = build_serving_db(tmp_path / "serving.duckdb")
    with duckdb.connect(str(path)) as con:
        con.execute("alter table marts.branch_scores add column b8 DOUBLE")
        con.execute("update marts.branch_scores set b8 = 60 + rank_overall")
        con.execute(
            "insert into marts.rule_dimensions (level, dimension, dimension_name, score_column, sort_order, weight,"
            " year_end_only, source) values ('branch', 'B8', '党小组建设有力', 'b8', 8, 1.0, false, '本系统默认')"
        )
    monkeypatch.setenv("DANGJIAN_SERVING_DB", str(path))
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    df = table(at)
    assert df["党小组建设有力"].tolist() == [61.0, 62.0, 63.0, 64.0]
    heat = [d for d in chart_datasets(at) if "dimension" in d]
    assert "党小组建设有力" in set(heat[0]["dimension"])
