"""整改台账 as a college sends it back: which rows load and which are rejected, with the reason, the
column and the Excel row (parse level: the 问题编号 against the problems is checked in dbt, see
tests/model/test_rectification_loop.py)."""

import datetime as dt

from dagster_project.ingest.reader import parse_file
from tests.support.workbooks import write_workbook

D = dt.date
TODAY = D(2025, 3, 1)
BASE = {"year": 2024, "org_code": "0101"}


def _parse(tmp_path, rows):
    path = write_workbook(tmp_path / "整改台账.xlsx", {"整改台账": ("rectifications", rows)})
    result = parse_file(path, path.name, today=TODAY)
    (sheet,) = result.sheets
    return sheet, result.rejects


def test_each_rule_of_the_rectification_sheet(tmp_path):
    rows = [
        # row 4: pre-filled and left alone (neither measure nor status) → loads; it means 未整改
        {**BASE, "problem_id": "2024-0101-AAAAAAAA", "description": "党课不足"},
        # row 5: done, with its date → loads
        {**BASE, "problem_id": "2024-0101-BBBBBBBB", "measure": "补讲党课", "deadline": "2025年3月底前",
         "status": "已完成", "completed_on": D(2025, 2, 10)},
        # row 6: 已完成 without 完成日期
        {**BASE, "problem_id": "2024-0101-CCCCCCCC", "measure": "整改", "deadline": "2月底前", "status": "已完成"},
        # row 7: 完成日期 after the day the file came in
        {**BASE, "problem_id": "2024-0101-DDDDDDDD", "measure": "整改", "deadline": "2025-06-30",
         "status": "已完成", "completed_on": D(2025, 3, 2)},
        # row 8: a status without a measure
        {**BASE, "problem_id": "2024-0101-EEEEEEEE", "deadline": "第二季度", "status": "整改中"},
        # row 9: a measure without status or deadline
        {**BASE, "problem_id": "2024-0101-FFFFFFFF", "measure": "整改"},
        # row 10: a problem the college found itself, without a description
        {**BASE, "measure": "整改", "deadline": "6月底前", "status": "整改中"},
        # row 11: the same, described → loads
        {**BASE, "description": "档案不全", "measure": "补齐", "deadline": "长期坚持", "status": "整改中"},
        # row 12: a deadline that cannot be read
        {**BASE, "problem_id": "2024-0101-GGGGGGGG", "measure": "整改", "deadline": "尽快", "status": "整改中"},
    ]  # fmt: skip
    sheet, rejects = _parse(tmp_path, rows)
    loaded = sheet.loaded.sort("_row_number")
    assert loaded.select("_row_number", "problem_id", "status", "deadline", "deadline_text", "ongoing").rows() == [
        (4, "2024-0101-AAAAAAAA", None, None, None, False),
        (5, "2024-0101-BBBBBBBB", "已完成", D(2025, 3, 31), "2025年3月底前", False),
        (11, None, "整改中", None, "长期坚持", True),
    ]  # fmt: skip
    assert sorted(rejects.select("row_number", "column_name", "reason").rows()) == [
        (6, "完成日期", "整改状态为已完成，须填写完成日期"),
        (7, "完成日期", "「完成日期」晚于今天（2025-03-01），日期不可能"),
        (8, "整改措施", "填写了整改状态，须填写整改措施"),
        (9, "整改时限", "填写了整改措施，须填写整改时限"),
        (9, "整改状态", "填写了整改措施，须填写整改状态"),
        (10, "问题描述", "问题编号留空时须填写问题描述"),
        (12, "整改时限", "整改时限无法识别"),
    ]
