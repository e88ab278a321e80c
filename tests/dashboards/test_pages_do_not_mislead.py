"""A college's place in the university as the page gathers it (dashboards/university.py), the 趋势 line
that restarts each January (dashboards/trend_charts.py), and the words of periods and marked rows —
on small hand-made inputs."""

import ast
import io
from pathlib import Path

import polars as pl
from python_calamine import CalamineWorkbook

from dashboards import charts
from dashboards.column_labels import result_labels
from dashboards.downloads import csv_bytes, xlsx_bytes
from dashboards.labels import CHOOSE, CHOOSE_MANY, period_label, period_text
from dashboards.sql_errors import translate
from dashboards.tables import VETO_MARK, flag_expr, unit_formats
from dashboards.trend_charts import score_trend_line
from dashboards.university import college_context


def _ladder(rows: list[tuple]) -> pl.DataFrame:
    return pl.DataFrame(
        rows, schema=["rank", "colleges", "composite", "grade", "veto"], orient="row"
    ).with_columns(pl.col("composite").cast(pl.Float64))


# 10 colleges: ranks 4 and 5 are tied at 88, rank 10 is under veto
LADDER = _ladder(
    [
        (1, 1, 95.0, "好", False),
        (2, 1, 92.0, "好", False),
        (3, 1, 90.0, "好", False),
        (4, 2, 88.0, "较好", False),
        (6, 1, 80.0, "较好", False),
        (7, 1, 70.0, "一般", False),
        (8, 1, 65.0, "一般", False),
        (9, 1, 62.0, "一般", False),
        (10, 1, 99.0, "差", True),
    ]
)
BENCHMARKS = pl.DataFrame(
    {"measure": ["c1", "total", "composite"], "mean": [70.0, 80.0, 82.9], "colleges": [10, 10, 10]}
)


def test_a_college_is_counted_against_the_whole_ladder_and_the_composite_mean():
    # the gaps themselves are dbt's (int_college_scores_computed's unit test
    # college_scores_gaps_to_the_rank_above_and_the_next_grade works them by hand on this ladder);
    # the page only gathers them: N is the ladder's colleges (the tie counts twice), the mean the
    # composite's, not the total's
    gaps = {
        "gap_to_rank_above": 2.0,
        "next_grade": "好",
        "gap_to_next_grade": 2.0,
        "next_grade_quota_full": True,
    }
    got = college_context(gaps, LADDER, BENCHMARKS)
    assert (got.colleges, got.mean) == (10, 82.9)
    assert (got.gap_above, got.next_grade, got.gap_grade, got.quota_full) == (2.0, "好", 2.0, True)
    # the first, a veto, or a frozen year stored before the columns existed: nothing to show
    nothing = college_context({}, LADDER, BENCHMARKS.filter(pl.col("measure") != "composite"))
    assert (nothing.colleges, nothing.mean, nothing.gap_above, nothing.next_grade) == (10, None, None, None)
    assert nothing.quota_full is False


def _segments(spec: dict) -> set[tuple[str, str]]:
    """Every pair of consecutive periods a line of the chart joins: rows grouped by the line layer's
    grouping encodings (colour, dash, detail), each group in x order."""
    (rows,) = spec["datasets"].values()
    line = next(layer for layer in spec["layer"] if "line" in str(layer["mark"]))
    encoding = line["encoding"]
    x_order = encoding["x"]["sort"]
    groups = [
        channel["field"]
        for name, channel in encoding.items()
        if name not in ("x", "y", "tooltip") and isinstance(channel, dict) and "field" in channel
    ]
    joined = set()
    keys = {tuple(r[g] for g in groups) for r in rows}
    for key in keys:
        points = sorted((r["period"] for r in rows if tuple(r[g] for g in groups) == key), key=x_order.index)
        joined |= set(zip(points, points[1:], strict=False))
    return joined


def test_the_trend_line_never_joins_q4_to_the_next_q1():
    periods = ["2024Q3", "2024Q4", "2025Q1", "2025Q2"]
    frame = pl.DataFrame(
        {
            "period": periods * 2,
            "series": ["综合得分"] * 4 + ["全校平均综合得分"] * 4,
            "score": [70.0, 85.0, 55.0, 68.0, 69.0, 80.0, 57.0, 66.0],
        }
    )
    joined = _segments(score_trend_line(frame, periods, ["综合得分"]).to_dict())
    assert ("2024Q4", "2025Q1") not in joined
    # within a year the line still runs
    assert {("2024Q3", "2024Q4"), ("2025Q1", "2025Q2")} <= joined


def test_periods_in_running_text():
    assert period_text("2024Q4") == "2024年第四季度"
    assert period_text("2025Q1") == "2025年第一季度"
    assert period_label("2024Q2") == "2024年第二季度（1–6月累计）"
    assert period_text("全年") == "全年"


def test_veto_and_lowest_grade_rows_are_marked():
    frame = pl.DataFrame({"veto": [False, True, False, None], "grade": ["好", "差", "差", None]})
    marks = frame.select(flag_expr("差"))["提示"].to_list()
    assert marks == ["", VETO_MARK, "⚠ 等次为差", ""]


def _branches() -> tuple[pl.DataFrame, dict[str, str]]:
    dimensions = {"b1": "教育党员有力", "b2": "管理党员有力"}
    frame = pl.DataFrame(
        {
            "rank_overall": [1, 2],
            "branch_code": ["0101", "0102"],
            "branch_name": ["一支部", "二支部"],
            "college_name": ["甲院", "甲院"],
            "branch_category": ["教工", "学生"],
            "stars": [5, 3],
            "total": [91.0, 72.5],
            "b1": [90.0, 70.0],
            "b2": [92.0, 75.0],
        }
    )
    return frame, dimensions


def test_heat_maps_carry_a_colour_legend_and_readable_headers():
    frame, dimensions = _branches()
    (cells, _text) = charts.dimension_heatmap(frame, dimensions).to_dict()["layer"]
    legend = cells["encoding"]["color"]["legend"]
    assert legend is not None and cells["encoding"]["color"]["title"] == "得分"
    assert legend["labelFontSize"] >= 12 and legend["values"] == [0, 20, 40, 60, 80, 100]
    header = cells["encoding"]["x"]["axis"]
    assert header["labelFontSize"] >= 12 and header["labelLimit"] >= 4 * 12  # four characters at 12 px


def test_the_star_legend_is_readable_and_above_the_bars():
    frame, dimensions = _branches()
    bars = charts.branch_total_bar(frame, dimensions).to_dict()["layer"][0]
    legend = bars["encoding"]["color"]["legend"]
    assert legend["orient"] == "top" and legend["labelFontSize"] >= 12


def test_downloads_say_yes_and_no_and_leave_missing_cells_empty():
    frame = pl.DataFrame(
        {"学院": ["甲院", None], "一票否决": [True, False], "得分": [90.5, None], "标签": [["a", "b"], None]}
    )
    assert csv_bytes(frame).decode("utf-8-sig").splitlines() == [
        "学院,一票否决,得分,标签",
        '甲院,是,90.5,"[""a"", ""b""]"',
        ",否,,",
    ]
    rows = CalamineWorkbook.from_filelike(io.BytesIO(xlsx_bytes(frame))).get_sheet_by_index(0).to_python()
    assert rows[1:] == [["甲院", "是", 90.5, '["a", "b"]'], ["", "否", "", ""]]


def test_common_duckdb_errors_in_chinese():
    assert (
        translate(
            'Catalog Error: Table with name nope does not exist!\nDid you mean "pg_enum"?\n\nLINE 1: select'
        )
        == "找不到表「nope」（可展开「数据目录」查看 marts 的表和列）；是否想写：pg_enum"
    )
    assert (
        translate(
            'Binder Error: Referenced column "x" not found in FROM clause!\nCandidate bindings: "a"\n\nLINE 1:'
        )
        == "找不到列「x」（可展开「数据目录」查看 marts 的表和列）；是否想写：a"
    )
    assert translate('Parser Error: syntax error at or near "where"\n\nLINE 1: select from where') == (
        "SQL 语法错误：在「where」附近"
    )
    assert translate("Conversion Error: Could not convert string 'abc' to INT32\n\nLINE 1:") == (
        "类型转换失败：「abc」不能转换为整数（INT32）"
    )
    assert translate(
        "Binder Error: No function matches the given name and argument types '+(INTEGER, VARCHAR)'. You"
    ) == ("函数或运算的参数类型不对：+(INTEGER, VARCHAR)（可用 CAST(列 AS 类型) 先转换类型）")
    assert translate("Some Error: something else") is None


def test_result_columns_get_the_published_chinese_labels():
    catalog = pl.DataFrame(
        {
            "table_name": ["college_scores", "college_scores", "branch_scores"],
            "column_name": ["period", "composite", "period"],
            "column_description": [
                '考核期，如"2024Q2"表示2024年1–6月累计',
                "综合得分（0–100）：0.8 × 总分 + 0.2 × 述职评议得分",
                "支部的考核期",
            ],
        }
    )
    labels = result_labels(
        ["period", "composite", "n"], catalog, "select period, composite, 1 as n from college_scores"
    )
    assert labels == {
        "period": ("period · 考核期", '考核期，如"2024Q2"表示2024年1–6月累计'),
        "composite": ("composite · 综合得分", "综合得分（0–100）：0.8 × 总分 + 0.2 × 述职评议得分"),
    }
    # the table the query names wins over another table's column of the same name
    assert (
        result_labels(["period"], catalog, "select period from branch_scores")["period"][0]
        == "period · 支部的考核期"
    )


def test_every_choice_widget_has_a_chinese_placeholder():
    """Streamlit's own placeholders are English ("Choose an option", "Choose options")."""
    missing = []
    for path in sorted((Path(__file__).resolve().parents[2] / "dashboards").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("selectbox", "multiselect")
                and not any(k.arg == "placeholder" for k in node.keywords)
            ):
                missing.append(f"{path.name}:{node.lineno}")
    assert not missing
    assert CHOOSE == "请选择" and CHOOSE_MANY.startswith("请选择")


def test_money_and_percent_columns_get_two_decimals():
    formats = unit_formats(["二级党组织", "应交（元）", "收缴率（%）", "交纳人数"])
    assert set(formats) == {"应交（元）", "收缴率（%）"}
    assert all(c["type_config"]["format"] == "%.2f" for c in formats.values())
