"""The one sheet writer of the reports (dagster_project/reports/sheets.py): the reject list and the
result sheet both write their tables through it, so what it promises holds for both."""

import datetime as dt
import re
import zipfile

import openpyxl
import pytest

from dagster_project.reports import rejects, result_sheet
from dagster_project.reports.sheets import Layout, Styles, new_workbook, write_atomically, write_table

HEADERS = ("名次", "名称", "说明", "得分", "通过", "时间", "空")


def _write(path, rows, title=None):
    def write(target):
        wb = new_workbook(target)
        fmt = wb.add_format({})
        styles = Styles(
            header=fmt,
            text=fmt,
            wrap=fmt,
            center=fmt,
            blank=fmt,
            integer=fmt,
            decimal=fmt,
            datetime=wb.add_format({"num_format": "yyyy-mm-dd hh:mm"}),
            title=fmt,
        )
        layout = Layout(max_width={"说明": 12}, wrapped=frozenset({"说明"}))
        write_table(wb, "表", HEADERS, rows, styles, layout, title=title)
        wb.close()

    write_atomically(path, write)


def test_values_are_written_as_their_type_and_text_never_as_a_formula(tmp_path):
    path = tmp_path / "out" / "t.xlsx"
    when = dt.datetime(2024, 12, 31, 8, 30)
    _write(path, [[1, '=HYPERLINK("http://x")', "很长的一段说明文字超过了上限", 91.256, True, when, None]])

    ws = openpyxl.load_workbook(path)["表"]
    assert [c.value for c in ws[1]] == list(HEADERS)
    assert [c.value for c in ws[2]] == [
        1,
        '\'=HYPERLINK("http://x")',
        "很长的一段说明文字超过了上限",
        91.256,
        "是",
        when,
        None,
    ]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:G2"
    # widths: the display width (CJK counts 2) plus room for the filter button, within the caps
    assert ws.column_dimensions["B"].width == min(len('=HYPERLINK("http://x")') + 1 + 4, 24) + 0.7109375
    assert ws.column_dimensions["C"].width == 12 + 0.7109375
    assert sorted(p.name for p in path.parent.iterdir()) == ["t.xlsx"]  # no temporary file left


def test_a_title_spans_the_table_and_moves_the_header_down(tmp_path):
    path = tmp_path / "t.xlsx"
    _write(path, [], title="2024年度考核结果")
    ws = openpyxl.load_workbook(path)["表"]
    assert ws["A1"].value == "2024年度考核结果"
    assert [str(r) for r in ws.merged_cells.ranges] == ["A1:G1"]
    assert [c.value for c in ws[2]] == list(HEADERS)
    assert ws.freeze_panes == "A3"


def test_both_reports_write_their_sheets_with_it():
    for module in (rejects, result_sheet):
        source = module.__loader__.get_source(module.__name__)
        assert "write_table(" in source and "add_worksheet(" not in source, module.__name__


def test_a_report_without_the_file_raises_and_leaves_nothing(tmp_path):
    def broken(target):
        target.write_bytes(b"half")
        raise RuntimeError("disk full")

    out = tmp_path / "t.xlsx"
    with pytest.raises(RuntimeError, match="disk full"):
        write_atomically(out, broken)
    assert list(tmp_path.iterdir()) == []


def test_no_text_becomes_a_link_or_a_number(tmp_path):
    path = tmp_path / "t.xlsx"
    _write(path, [[1, "http://example.com", "0012", 1.0, False, None, None]])
    with zipfile.ZipFile(path) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<hyperlink" not in sheet
    ws = openpyxl.load_workbook(path)["表"]
    assert ws["C2"].value == "0012" and ws["B2"].value == "http://example.com" and ws["E2"].value == "否"
    assert re.search(r'<c r="D2"[^>]*><v>1</v>', sheet)
