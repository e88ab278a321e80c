"""学院详情 and 任务清单 through Streamlit's AppTest against the DEMO snapshot (tests/conftest.py `demo_home`).

Every number the pages show is compared with a query on the same snapshot: the pages only select,
filter and format marts, so what they show must equal the marts row for row.
"""

import re
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from dashboards.labels import OVERDUE_MARK, TASK_STATUSES, star_string
from dashboards.tables import ROWS_SHOWN

APP = Path(__file__).resolve().parents[2] / "dashboards" / "app.py"
DETAIL = "pages/college_detail.py"
TASKS = "pages/tasks.py"
INDICATOR_COLUMNS = ["维度", "指标", "实际值", "要求", "得分", "权重"]


@pytest.fixture(scope="module")
def snapshot(demo_home) -> Path:
    home, _summary, _checks = demo_home
    return home / "serving.duckdb"


def sql(snapshot: Path, text: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(snapshot), read_only=True) as con:
        return con.execute(text, params or []).fetchall()


def one(snapshot: Path, text: str, params: list | None = None):
    return sql(snapshot, text, params)[0][0]


@pytest.fixture(scope="module")
def latest(snapshot) -> tuple[str, int, int]:
    """(period, year, quarter) of the newest college_scores period — the pages' default."""
    return sql(
        snapshot,
        "select period, year, quarter from marts.college_scores order by year desc, quarter desc limit 1",
    )[0]


@pytest.fixture(scope="module")
def top_college(snapshot, latest) -> str:
    return one(
        snapshot,
        "select college_code from marts.college_scores where period = ? order by rank, college_code limit 1",
        [latest[0]],
    )


def open_page(snapshot: Path, monkeypatch, page: str) -> AppTest:
    monkeypatch.setenv("DANGJIAN_SERVING_DB", str(snapshot))
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    at.switch_page(page)
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.fixture
def detail(snapshot, monkeypatch) -> AppTest:
    return open_page(snapshot, monkeypatch, DETAIL)


@pytest.fixture
def tasks_page(snapshot, monkeypatch) -> AppTest:
    return open_page(snapshot, monkeypatch, TASKS)


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def frames(at: AppTest) -> list[pd.DataFrame]:
    return [d.value for d in at.dataframe]


def frames_with(at: AppTest, *columns: str) -> list[pd.DataFrame]:
    return [f for f in frames(at) if set(columns) <= set(f.columns)]


def frame_with(at: AppTest, *columns: str) -> pd.DataFrame:
    found = frames_with(at, *columns)
    assert found, f"no table with columns {columns}: {[list(f.columns) for f in frames(at)]}"
    return found[0]


def indicator_rows(frame: pd.DataFrame) -> list[tuple]:
    return sorted(
        (
            row["指标"],
            row["实际值"],
            None if pd.isna(row["要求"]) else row["要求"],
            row["得分"],
            row["权重"],
        )
        for _, row in frame.iterrows()
    )


def mart_indicator_rows(snapshot: Path, table: str, period: str, org_code: str) -> list[tuple]:
    return sorted(
        sql(
            snapshot,
            f"select coalesce(indicator_name, indicator), value, target, score, weight from marts.{table} "
            "where period = ? and org_code = ?",
            [period, org_code],
        )
    )


def tab_labels(at: AppTest) -> list[str]:
    return [t.label for t in at.tabs]


def open_tab(at: AppTest, name: str) -> AppTest:
    """Click the tab called `name` (its label without the count): only the open tab runs."""
    at.session_state["detail_tab"] = next(label for label in tab_labels(at) if label.split("（")[0] == name)
    at.run()
    assert not at.exception, at.exception
    return at


def chart_datasets(at: AppTest) -> list[dict[str, list]]:
    out = []
    for element in at.get("arrow_vega_lite_chart") + at.get("vega_lite_chart"):
        for dataset in element.proto.datasets:
            out.append(pa.ipc.open_stream(dataset.data.data).read_all().to_pydict())
    return out


# ---- 学院详情 ----------------------------------------------------------------------------------------


def test_detail_defaults_to_latest_period_and_top_college(detail, latest, top_college):
    assert detail.title[0].value == "学院详情"
    assert detail.selectbox(key="detail_period").value == latest[0]
    assert detail.selectbox(key="detail_college").value == top_college


def test_detail_header_metrics_equal_college_scores(detail, snapshot, latest, top_college):
    period, _year, quarter = latest
    composite, total, stars, grade, rank, rank_change, year_end_change = sql(
        snapshot,
        "select composite, total, stars, grade, rank, rank_change, year_end_rank_change from marts.college_scores "
        "where period = ? and college_code = ?",
        [period, top_college],
    )[0]
    colleges = one(snapshot, "select count(*) from marts.college_scores where period = ?", [period])
    shown = metrics(detail)
    assert shown["综合得分"] == f"{composite:.2f}"
    assert shown["党建工作考核得分"] == f"{total:.2f}"
    assert shown["星级"] == star_string(stars)
    assert shown["全校排名"] == f"{rank} / {colleges}"
    rank_metric = next(m for m in detail.metric if m.label == "全校排名")
    # 年终 (Q4) against last year's 年终, any other quarter against the quarter before
    change = year_end_change if quarter == 4 else rank_change
    assert rank_metric.delta == ("" if change is None else str(change))
    assert ("上年年终" in rank_metric.help) == (quarter == 4)
    if quarter == 4:
        assert shown["年终等次"] == grade
    else:
        assert "年终等次" not in shown


def test_five_dimensions_chart_and_indicator_table_equal_marts(detail, snapshot, latest, top_college):
    period = latest[0]
    table = frames_with(detail, *INDICATOR_COLUMNS)[0]  # the college's table comes first
    assert indicator_rows(table) == mart_indicator_rows(snapshot, "college_indicators", period, top_college)
    assert set(table["维度"].str[:2]) <= {"C1", "C2", "C3", "C4", "C5"}
    # one bar per computed dimension, each the college_scores value
    scores = sql(
        snapshot,
        "select c1, c2, c3, c4, c5 from marts.college_scores where period = ? and college_code = ?",
        [period, top_college],
    )[0]
    bars = next(d for d in chart_datasets(detail) if "dimension" in d)
    expected = {f"C{i + 1}": s for i, s in enumerate(scores) if s is not None}
    assert {d[:2]: s for d, s in zip(bars["dimension"], bars["score"], strict=True)} == expected


def test_branches_table_and_branch_indicators_equal_marts(detail, snapshot, latest, top_college):
    period = latest[0]
    branches = sql(
        snapshot,
        "select branch_code, branch_name, total, stars from marts.branch_scores "
        "where period = ? and college_code = ? order by rank_in_college, branch_code",
        [period, top_college],
    )
    assert not frames_with(detail, "院内排名", "支部")  # 所属支部 is closed: it has not run
    table = frame_with(open_tab(detail, "所属支部"), "院内排名", "支部", "总分", "星级")
    assert table["支部"].tolist() == [b[1] for b in branches]
    assert table["总分"].tolist() == [b[2] for b in branches]
    assert table["星级"].tolist() == [star_string(b[3]) for b in branches]
    assert f"所属支部（{len(branches)}）" in tab_labels(detail)

    # the first branch's indicators by default, another one when picked
    assert detail.selectbox(key="detail_branch").value == branches[0][0]
    shown = frames_with(detail, *INDICATOR_COLUMNS)[0]  # the college's indicators are in the closed tab
    assert indicator_rows(shown) == mart_indicator_rows(snapshot, "branch_indicators", period, branches[0][0])
    if len(branches) > 1:
        detail.selectbox(key="detail_branch").set_value(branches[-1][0]).run()
        assert not detail.exception
        shown = frames_with(detail, *INDICATOR_COLUMNS)[0]
        expected = mart_indicator_rows(snapshot, "branch_indicators", period, branches[-1][0])
        assert indicator_rows(shown) == expected


def test_activity_indicators_open_to_their_rows(detail, snapshot, latest, top_college):
    """The rows behind a count indicator are the records it counted: as many rows as its value."""
    period = latest[0]
    value = one(
        snapshot,
        "select value from marts.college_indicators where period = ? and org_code = ? "
        "and indicator = 'center_group_study'",
        [period, top_college],
    )
    detail.selectbox(key="detail_indicator").set_value("center_group_study").run()
    assert not detail.exception
    rows = frame_with(detail, "日期", "活动类型", "来源文件", "行号")
    assert len(rows) == value
    assert set(rows["活动类型"]) <= {"理论学习中心组"}
    assert rows["来源文件"].notna().all() and rows["行号"].notna().all()

    branch = open_tab(detail, "所属支部").selectbox(key="detail_branch").value
    lectures = one(
        snapshot,
        "select value from marts.branch_indicators where period = ? and org_code = ? "
        "and indicator = 'party_lectures'",
        [period, branch],
    )
    detail.selectbox(key="detail_branch_indicator").set_value("party_lectures").run()
    assert not detail.exception
    rows = frames_with(detail, "日期", "活动类型", "来源文件", "行号")[-1]
    assert len(rows) == lectures
    assert set(rows["活动类型"]) <= {"党课"}


def test_training_and_funding_indicators_open_to_their_rows(detail, snapshot, latest, top_college):
    period = latest[0]
    met, counted = sql(
        snapshot,
        "select value, target from marts.college_indicators where period = ? and org_code = ? "
        "and indicator = 'training_compliance'",
        [period, top_college],
    )[0]
    detail.selectbox(key="detail_indicator").set_value("training_compliance").run()
    assert not detail.exception
    members = frames_with(detail, "工号/学号", "学时", "学时要求", "达标")[0]
    assert len(members) == counted
    assert int(members["达标"].sum()) == met

    allocated = one(
        snapshot,
        "select value from marts.college_indicators where period = ? and org_code = ? "
        "and indicator = 'funding_adequacy'",
        [period, top_college],
    )
    detail.selectbox(key="detail_indicator").set_value("funding_adequacy").run()
    assert not detail.exception
    grants = frames_with(detail, "类型", "金额（元）", "来源文件", "行号")[0]
    assert set(grants["类型"]) == {"拨款"}
    assert grants["金额（元）"].sum() == pytest.approx(allocated, abs=0.01)
    assert metrics(open_tab(detail, "活动经费"))["拨款合计（元）"] == f"{allocated:,.2f}"


def test_short_members_overdue_tasks_and_checklist_equal_marts(detail, snapshot, latest, top_college):
    period, year, quarter = latest
    short = sql(
        snapshot,
        "select member_key, hours, required_hours from marts.member_training "
        "where period = ? and college_code = ? and not met order by member_key",
        [period, top_college],
    )
    overdue = sql(
        snapshot,
        "select task_id, deadline_text from marts.tasks where period = ? and college_code = ? and overdue "
        "order by task_id",
        [period, top_college],
    )
    labels = tab_labels(detail)
    assert f"学时未达标（{len(short)}）" in labels
    assert f"逾期任务（{len(overdue)}）" in labels
    if short:
        table = frame_with(open_tab(detail, "学时未达标"), "工号/学号", "学时要求", "差额")
        shown = sorted(zip(table["工号/学号"], table["学时"], table["学时要求"], strict=True))
        assert shown == [(k, h, r) for k, h, r in short]
        assert "姓名" not in table.columns
    if overdue:
        table = frame_with(open_tab(detail, "逾期任务"), "任务编号", "完成时限（原文）", "责任单位")
        assert sorted(zip(table["任务编号"], table["完成时限（原文）"], strict=True)) == sorted(overdue)
    if quarter == 4:
        answers = sql(
            snapshot,
            "select question_no, answer from marts.checklist_answers "
            "where year = ? and college_code = ? and answer in ('否', '部分')",
            [year, top_college],
        )
        shown = [m.value for m in open_tab(detail, "责任清单自查").markdown if m.value.startswith("**第")]
        assert len(shown) == len(answers)
        for no, answer in answers:
            mark = ":red[否]" if answer == "否" else ":orange[部分]"
            assert any(text.startswith(f"**第{no}题** · {mark}") for text in shown)


def test_earlier_quarter_has_no_grade_and_no_checklist(detail, snapshot):
    period = one(snapshot, "select max(period) from marts.college_scores where quarter = 2")  # e.g. 2025Q2
    detail.selectbox(key="detail_period").set_value(period).run()
    assert not detail.exception
    assert "年终等次" not in metrics(detail)
    college = detail.selectbox(key="detail_college").value
    assert any("只在第4季度" in i.value for i in open_tab(detail, "责任清单自查").info)
    composite = one(
        snapshot,
        "select composite from marts.college_scores where period = ? and college_code = ?",
        [period, college],
    )
    assert metrics(detail)["综合得分"] == f"{composite:.2f}"


# ---- 任务清单 ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tasks_period(snapshot) -> str:
    return one(snapshot, "select period from marts.tasks order by year desc, quarter desc limit 1")


def test_tasks_counts_by_status_equal_marts(tasks_page, snapshot, tasks_period):
    assert tasks_page.title[0].value == "任务清单"
    assert tasks_page.selectbox(key="tasks_period").value == tasks_period
    counts = dict(
        sql(snapshot, "select status, count(*) from marts.tasks where period = ? group by 1", [tasks_period])
    )
    total, overdue = sql(
        snapshot,
        "select count(*), count(*) filter (overdue) from marts.tasks where period = ?",
        [tasks_period],
    )[0]
    shown = metrics(tasks_page)
    assert shown["任务数"] == str(total)
    for status in TASK_STATUSES:
        assert shown[status] == str(counts.get(status, 0))
    assert shown["逾期"] == str(overdue)

    # the university's 511 rows open as their first 200, the overdue ones first; the toggle shows all
    first = frame_with(tasks_page, "任务编号", "工作任务", "责任单位", "完成时限（原文）", "完成时限（解析）")
    assert total > ROWS_SHOWN and len(first) == ROWS_SHOWN
    assert first["逾期"].tolist() == sorted(first["逾期"].tolist(), reverse=True)
    assert int(first["逾期"].sum()) == min(overdue, ROWS_SHOWN)
    assert any(f"前 {ROWS_SHOWN} 行" in c.value and f"全部 {total} 行" in c.value for c in tasks_page.caption)
    tasks_page.toggle(key="tasks_all_rows").set_value(True).run()
    assert not tasks_page.exception

    table = frame_with(tasks_page, "任务编号", "工作任务", "责任单位", "完成时限（原文）", "完成时限（解析）")
    assert len(table) == total
    assert table.head(ROWS_SHOWN).equals(first)
    assert not any(f"前 {ROWS_SHOWN} 行" in c.value for c in tasks_page.caption)
    assert int(table["逾期"].sum()) == overdue
    assert (table["提示"] == OVERDUE_MARK).tolist() == table["逾期"].tolist()
    # the table shows the chosen period's rows: task × 责任单位 is unique within it
    assert not table.duplicated(subset=["任务编号", "责任单位"]).any()


def test_tasks_overdue_rows_are_highlighted(tasks_page):
    """The Styler colours exactly the overdue rows (every cell of them)."""
    element = next(d for d in tasks_page.dataframe if "逾期" in d.value.columns)
    styles = element.proto.arrow_data.styler.styles
    assert "background-color" in styles
    coloured = {int(row) for row in re.findall(r"_row(\d+)_col0\b", styles)}
    overdue = set(element.value.index[element.value["逾期"].astype(bool)].tolist())
    assert overdue and coloured == overdue


def test_tasks_filters_by_college_status_and_overdue(tasks_page, snapshot, tasks_period, top_college):
    tasks_page.selectbox(key="tasks_college").set_value(top_college).run()
    assert not tasks_page.exception
    rows = sql(
        snapshot,
        "select task_id, org_name, deadline_text, status, overdue from marts.tasks "
        "where period = ? and college_code = ?",
        [tasks_period, top_college],
    )
    table = frame_with(tasks_page, "任务编号", "责任单位")
    assert sorted(
        zip(table["任务编号"], table["责任单位"], table["完成时限（原文）"], strict=True)
    ) == sorted((r[0], r[1], r[2]) for r in rows)
    assert metrics(tasks_page)["任务数"] == str(len(rows))

    tasks_page.multiselect(key="tasks_status").set_value(["已完成"]).run()
    table = frame_with(tasks_page, "任务编号", "状态")
    assert set(table["状态"]) <= {"已完成"}
    assert len(table) == sum(r[3] == "已完成" for r in rows)
    assert metrics(tasks_page)["已完成"] == str(sum(r[3] == "已完成" for r in rows))

    tasks_page.multiselect(key="tasks_status").set_value(list(TASK_STATUSES)).run()
    tasks_page.toggle(key="tasks_overdue_only").set_value(True).run()
    overdue = sum(bool(r[4]) for r in rows)
    found = frames_with(tasks_page, "任务编号", "逾期")
    if overdue:
        assert len(found[0]) == overdue and found[0]["逾期"].all()
    else:
        assert not found


def test_tasks_completion_rate_per_college_matches_c2(tasks_page, snapshot, tasks_period):
    expected = {
        name: 100.0 * value / target
        for name, value, target in sql(
            snapshot,
            "select o.org_name, i.value, i.target from marts.college_indicators i "
            "join marts.dim_org o on o.year = i.year and o.org_code = i.org_code "
            "where i.period = ? and i.indicator = 'tasks_on_time'",
            [tasks_period],
        )
    }
    data = next(d for d in chart_datasets(tasks_page) if "on_time_rate" in d)
    shown = dict(zip(data["college_name"], data["on_time_rate"], strict=True))
    assert shown.keys() == expected.keys()
    for name, rate in expected.items():
        assert shown[name] == pytest.approx(rate, abs=1e-6)
    assert data["on_time_rate"] == sorted(data["on_time_rate"], reverse=True)


def test_tasks_department_filter_shows_the_departments_tasks(tasks_page, snapshot, tasks_period):
    assert "职能部门" in tasks_page.selectbox(key="tasks_college").options
    tasks_page.selectbox(key="tasks_college").set_value("职能部门").run()
    assert not tasks_page.exception
    rows = sql(
        snapshot,
        "select task_id, owner_name, is_lead, responsible_person from marts.tasks "
        "where period = ? and owner_kind = '职能部门'",
        [tasks_period],
    )
    assert rows
    table = frame_with(tasks_page, "任务编号", "责任单位", "类别", "牵头", "责任人")
    assert set(table["类别"]) == {"职能部门"}
    assert sorted(
        zip(table["任务编号"], table["责任单位"], table["牵头"], table["责任人"], strict=True)
    ) == sorted((task, owner, bool(lead), person) for task, owner, lead, person in rows)
    assert metrics(tasks_page)["任务数"] == str(len(rows))


def test_every_activity_indicator_opens_to_as_many_rows_as_it_counted(detail, snapshot, latest, top_college):
    """The detail rows come from marts.indicator_sources, not from a list in the page: every college
    indicator the rulebook counts from the 组织生活台账 lists exactly the records it counted."""
    period = latest[0]
    counted = sql(
        snapshot,
        "select i.indicator, i.value from marts.college_indicators i "
        "join marts.indicator_sources s on s.level = 'college' and s.indicator = i.indicator "
        "where i.period = ? and i.org_code = ? and s.detail_table = 'activity_records' order by i.indicator",
        [period, top_college],
    )
    assert {indicator for indicator, _ in counted} >= {
        "center_group_study",
        "joint_meetings",
        "secretary_lectures",
    }
    for indicator, value in counted:
        detail.selectbox(key="detail_indicator").set_value(indicator).run()
        assert not detail.exception
        shown = frames_with(detail, "日期", "活动类型", "来源文件", "行号")
        rows = len(shown[0]) if shown else 0
        assert rows == value, indicator


def test_the_open_tab_stays_open_when_another_college_is_chosen(detail, snapshot, latest, top_college):
    """Only the open tab runs, so a reader on 所属支部 who picks another college must stay there even
    though the tab's label (its count) changes: the label is how Streamlit knows the tab."""
    counts = dict(
        sql(
            snapshot,
            "select college_code, count(*) from marts.branch_scores where period = ? group by college_code",
            [latest[0]],
        )
    )
    other = next(code for code, n in counts.items() if n != counts[top_college])
    open_tab(detail, "所属支部")
    detail.selectbox(key="detail_college").set_value(other).run()
    assert not detail.exception, detail.exception
    assert detail.session_state["detail_tab"] == f"所属支部（{counts[other]}）"
    assert len(frame_with(detail, "院内排名", "支部")) == counts[other]
