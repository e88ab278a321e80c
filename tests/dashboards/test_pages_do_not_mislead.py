"""The arithmetic behind a college's place in the university (dashboards/university.py), the 趋势 line
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

# The rulebook's grades as seeds/rule_grades.csv has them: 好 needs 85 and the top 30 %
GRADE_RULES = pl.DataFrame(
    {
        "grade": ["好", "较好", "一般", "差"],
        "min_composite": [85.0, 75.0, 60.0, 0.0],
        "max_share": [0.3, None, None, None],
    }
)


def _ladder(rows: list[tuple]) -> pl.DataFrame:
    return pl.DataFrame(
        rows, schema=["rank", "colleges", "composite", "grade", "veto"], orient="row"
    ).with_columns(pl.col("composite").cast(pl.Float64))


# 10 colleges, 好 quota floor(0.3 × 10) = 3: ranks 1–3 hold it (95, 92, 90); ranks 4 and 5 are tied at 88
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


def test_a_college_above_its_grade_bar_but_outside_the_full_quota():
    # rank 4 with 88: 好 needs 85, but its 3 places are held (3 ≥ floor(0.3 × 10)): the bar is the
    # lowest holder, 90 → 2 points; the rank above (3) has 90 → 2 points as well
    own = {"rank": 4, "composite": 88.0, "grade": "较好", "veto": False}
    got = college_context(own, LADDER, BENCHMARKS, GRADE_RULES)
    assert got.colleges == 10 and got.mean == 82.9
    assert (got.gap_above, got.next_grade, got.gap_grade, got.quota_full) == (2.0, "好", 2.0, True)


def test_a_college_below_the_next_grade_bar_and_the_tie_above_it():
    # rank 6 with 80: the rank above is the tie at rank 4 (88) → 8 points; its grade is 较好, the
    # next is 好 with its quota full → max(85, 90) − 80 = 10
    own = {"rank": 6, "composite": 80.0, "grade": "较好", "veto": False}
    got = college_context(own, LADDER, BENCHMARKS, GRADE_RULES)
    assert (got.gap_above, got.next_grade, got.gap_grade) == (8.0, "好", 10.0)
    # rank 7 with 70, 一般: the next grade is 较好, no quota → its bar 75 − 70 = 5; rank 6 above: 10
    own = {"rank": 7, "composite": 70.0, "grade": "一般", "veto": False}
    got = college_context(own, LADDER, BENCHMARKS, GRADE_RULES)
    assert (got.gap_above, got.next_grade, got.gap_grade, got.quota_full) == (10.0, "较好", 5.0, False)


def test_the_quota_not_yet_full_leaves_the_rulebook_bar():
    # only 2 colleges hold 好 of a quota of 3: a college of 84 needs the rulebook's 85 → 1 point
    ladder = _ladder([(1, 1, 95.0, "好", False), (2, 1, 90.0, "好", False), (3, 8, 84.0, "较好", False)])
    own = {"rank": 3, "composite": 84.0, "grade": "较好", "veto": False}
    got = college_context(own, ladder, BENCHMARKS, GRADE_RULES)
    assert (got.colleges, got.gap_above, got.gap_grade, got.quota_full) == (10, 6.0, 1.0, False)


def test_the_first_the_best_grade_and_a_veto_have_no_gap():
    first = college_context(
        {"rank": 1, "composite": 95.0, "grade": "好", "veto": False}, LADDER, BENCHMARKS, GRADE_RULES
    )
    assert (first.gap_above, first.next_grade, first.gap_grade) == (None, None, None)
    vetoed = college_context(
        {"rank": 10, "composite": 99.0, "grade": "差", "veto": True}, LADDER, BENCHMARKS, GRADE_RULES
    )
    assert (vetoed.gap_above, vetoed.next_grade, vetoed.gap_grade) == (None, None, None)
    # a quarter without grades: the rank above still counts, no grade gap
    quarter = college_context(
        {"rank": 3, "composite": 90.0, "grade": None, "veto": False}, LADDER, BENCHMARKS, GRADE_RULES
    )
    assert (quarter.gap_above, quarter.next_grade) == (2.0, None)


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
