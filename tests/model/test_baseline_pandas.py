"""The pandas + openpyxl baseline of the benchmarks computes what the warehouse computes for B1's
training_compliance: by hand on a tiny inbox, and against marts.branch_indicators on the demo."""

import datetime as dt

import duckdb
from python_calamine import CalamineWorkbook

from bench.baseline_pandas import run_baseline
from dagster_project.contracts import KINDS
from dagster_project.demo import HEADER_ROW
from tests.support.tiny_university import MEMBER
from tests.support.workbooks import write_workbook

D = dt.date


def test_training_compliance_and_ranking_by_hand(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write_workbook(
        inbox / "花名册.xlsx",
        {
            "花名册": (
                "members",
                [
                    {
                        **MEMBER,
                        "member_key": "0001",
                        "party_role": "书记",
                        "joined_on": D(2010, 7, 1),
                    },  # 56 h
                    {**MEMBER, "member_key": "0002"},  # 32 h
                    {**MEMBER, "member_key": "0003", "joined_on": D(2025, 3, 1)},  # joins after 2024
                    {**MEMBER, "member_key": "0004", "branch_code": "0102"},
                    {**MEMBER, "member_key": "0005", "branch_code": "0102"},
                ],
            )
        },
    )
    (inbox / "培训.csv").write_text(
        "工号/学号,培训名称,开始日期,学时\n"
        "0001,党史学习,2024-03-01,30\n"
        "0001,党章学习,2024-09-01,30\n"  # 60 ≥ 56: met
        "0002,党史学习,2024-05-01,20\n"
        "0002,冬训,2023-12-01,20\n"  # another year: 20 < 32
        "0003,党史学习,2024-06-01,40\n"  # not counted in 2024
        "0004,党史学习,2024-04-01,32\n"  # exactly 32: met
        "0005,党史学习,2024年6月1日,32\n",  # met, the date as people type it
        encoding="utf-8",
    )
    out = tmp_path / "b1.xlsx"
    result = run_baseline(inbox, out)
    assert (result["rows"], result["branches"]) == (5 + 7, 2)
    assert result["rows_per_s"] == result["rows"] / result["seconds"]
    sheet = CalamineWorkbook.from_path(str(out)).get_sheet_by_name("Sheet1").to_python()
    assert sheet == [
        ["year", "branch_code", "members", "met", "training_compliance", "rank"],
        [2024.0, "0102", 2.0, 2.0, 100.0, 1.0],
        [2024.0, "0101", 2.0, 1.0, 50.0, 2.0],
    ]


def test_same_scores_as_the_warehouse_on_the_demo(demo_home, tmp_path):
    home, summary, _ = demo_home
    out = tmp_path / "b1.xlsx"
    run_baseline(home / "inbox", out)
    rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_name("Sheet1").to_python()[1:]
    baseline = {(int(year), code): score for year, code, _, _, score, _ in rows}
    with duckdb.connect(str(home / "serving.duckdb"), read_only=True) as con:
        warehouse = dict(
            ((int(period[:4]), code), score)
            for period, code, score in con.execute(
                "select period, org_code, score from marts.branch_indicators "
                "where indicator = 'training_compliance' and period like '%Q4'"
            ).fetchall()
        )
    assert len(warehouse) > 100
    # The warehouse rejects two planted roster rows (an impossible 入党日期, a blank 姓名) that the
    # baseline, validating nothing, counts as members: their branches differ, and only those.
    messy_members = {}
    for m in summary.messy:
        if m.sheet == KINDS["members"].title and m.column in ("入党日期", "姓名"):
            cells = (
                CalamineWorkbook.from_path(str(home / "inbox" / m.file))
                .get_sheet_by_name(m.sheet)
                .to_python()
            )
            header, row = cells[HEADER_ROW - 1], cells[m.row - 1]
            messy_members[(int(m.file[:4]), row[header.index("所在党支部编码")])] = m
    differing = {k for k, score in warehouse.items() if baseline.get(k) != score}
    assert len(messy_members) == 2
    assert differing == set(messy_members)
