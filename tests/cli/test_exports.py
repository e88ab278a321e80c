"""The rejects workbook sent back to a college: exact cells of both sheets, the file filter, errors."""

import datetime as dt
import json
from pathlib import Path

import duckdb
import pytest
from python_calamine import CalamineWorkbook

from dagster_project.reports.rejects import RejectsExport, kinds_text, row_values_text, write_rejects_workbook
from tests.support.serving_fixture import LOAD_SUMMARY_COLUMNS, create_mart, insert_rows

GOOD = "计算机学院党建台账2024.xlsx"
UNREADABLE = "文件无法读取（可能已损坏或加密）：File is not a zip file"
CORRUPT = "马院花名册（损坏）.xlsx"
LOADED_AT = dt.datetime(2024, 12, 20, 9, 30, 15)

ROW_5 = {"年度": "2024", "工号/学号": "20240012", "姓名": "张三", "出生日期": "2030-01-01", "入党日期": ""}
ROW_9 = {"组织编码": "C01B09", "活动类型": "主题党日", "日期": "2024-03-18", "应到人数": 20, "实到人数": 25}

# source_file, sheet, row_number, column_name, raw_value, reason, kind, row_values, check_stage
REJECTS = [
    # inserted out of order on purpose: the export sorts
    (GOOD, "组织生活台账", 9, "实到人数", "25", "实到人数大于应到人数", "activities", ROW_9, "parse"),
    (GOOD, "党员花名册", 5, "入党日期", None, "入党日期不能为空", "members", ROW_5, "parse"),
    (GOOD, "党员花名册", 5, "出生日期", "2030-01-01", "出生日期晚于今天", "members", ROW_5, "parse"),
    (CORRUPT, None, None, None, None, UNREADABLE, None, None, "parse"),
]

# source_file, file_hash, kinds, rows_read, rows_loaded, rows_rejected, loaded_at, problem
SUMMARY = [
    (GOOD, "abc123", "members,activities", 120, 118, 2, LOADED_AT, None),
    (CORRUPT, "def456", None, 0, 0, 0, LOADED_AT, UNREADABLE),
]

REJECT_HEADER = ["文件", "工作表", "行号", "列", "原始值", "原因", "整行内容"]
QUALITY_HEADER = ["文件", "表格类型", "读取行数", "入库行数", "拒收行数", "入库时间", "问题"]

ROW_5_TEXT = "年度=2024；工号/学号=20240012；姓名=张三；出生日期=2030-01-01"
GOOD_REJECT_ROWS = [
    [GOOD, "党员花名册", 5.0, "入党日期", "", "入党日期不能为空", ROW_5_TEXT],
    [GOOD, "党员花名册", 5.0, "出生日期", "2030-01-01", "出生日期晚于今天", ROW_5_TEXT],
    [
        GOOD,
        "组织生活台账",
        9.0,
        "实到人数",
        "25",
        "实到人数大于应到人数",
        "组织编码=C01B09；活动类型=主题党日；日期=2024-03-18；应到人数=20；实到人数=25",
    ],
]
CORRUPT_REJECT_ROWS = [
    [CORRUPT, "", "整个文件", "", "", UNREADABLE, ""],
]
GOOD_QUALITY_ROW = [GOOD, "党员花名册、组织生活台账", 120.0, 118.0, 2.0, LOADED_AT, ""]
CORRUPT_QUALITY_ROW = [
    CORRUPT,
    "",
    0.0,
    0.0,
    0.0,
    LOADED_AT,
    UNREADABLE,
]


@pytest.fixture
def serving_db(tmp_path: Path) -> Path:
    """The two marts the export reads, with their contracts' columns (tests/support/serving_fixture.py)."""
    path = tmp_path / "serving.duckdb"
    reject_columns = ("source_file", "sheet", "row_number", "column_name", "raw_value", "reason", "kind")
    with duckdb.connect(str(path)) as con:
        create_mart(con, "rejects")
        create_mart(con, "load_summary")
        insert_rows(
            con,
            "rejects",
            [
                {
                    **dict(zip(reject_columns, row[:7], strict=True)),
                    "row_values": None if row[7] is None else json.dumps(row[7], ensure_ascii=False),
                    "check_stage": row[8],
                    "loaded_at": LOADED_AT,
                }
                for row in REJECTS
            ],
        )
        insert_rows(
            con, "load_summary", [dict(zip(LOAD_SUMMARY_COLUMNS, row, strict=True)) for row in SUMMARY]
        )
    return path


def _sheet(path: Path, name: str) -> list[list]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python()


def test_all_files(serving_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "exports" / "退回清单.xlsx"
    result = write_rejects_workbook(serving_db, out)

    assert result == RejectsExport(path=out, files=2, rejects=4)
    assert CalamineWorkbook.from_path(str(out)).sheet_names == ["退回清单", "数据质量"]
    assert _sheet(out, "退回清单") == [REJECT_HEADER, *GOOD_REJECT_ROWS, *CORRUPT_REJECT_ROWS]
    assert _sheet(out, "数据质量") == [QUALITY_HEADER, GOOD_QUALITY_ROW, CORRUPT_QUALITY_ROW]
    assert not list(out.parent.glob(".*.tmp"))


def test_one_file(serving_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "corrupt.xlsx"
    result = write_rejects_workbook(serving_db, out, source_file=CORRUPT)

    assert (result.files, result.rejects) == (1, 1)
    assert _sheet(out, "退回清单") == [REJECT_HEADER, *CORRUPT_REJECT_ROWS]
    assert _sheet(out, "数据质量") == [QUALITY_HEADER, CORRUPT_QUALITY_ROW]

    result = write_rejects_workbook(serving_db, out, source_file=GOOD)
    assert (result.files, result.rejects) == (1, 3)
    assert _sheet(out, "退回清单") == [REJECT_HEADER, *GOOD_REJECT_ROWS]
    assert _sheet(out, "数据质量") == [QUALITY_HEADER, GOOD_QUALITY_ROW]


def test_unknown_file(serving_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "x.xlsx"
    with pytest.raises(ValueError, match="未找到文件「没有这个文件.xlsx」") as excinfo:
        write_rejects_workbook(serving_db, out, source_file="没有这个文件.xlsx")
    assert GOOD in str(excinfo.value) and CORRUPT in str(excinfo.value)
    assert not out.exists()


def test_no_snapshot(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="未找到已发布的数据快照"):
        write_rejects_workbook(tmp_path / "serving.duckdb", tmp_path / "x.xlsx")


def test_no_rejects_header_only(serving_db: Path, tmp_path: Path) -> None:
    with duckdb.connect(str(serving_db)) as con:
        con.execute("delete from marts.rejects")
    out = tmp_path / "empty.xlsx"
    result = write_rejects_workbook(serving_db, out, source_file=GOOD)
    assert (result.files, result.rejects) == (1, 0)
    assert _sheet(out, "退回清单") == [REJECT_HEADER]


def test_user_text_is_never_a_formula(serving_db: Path, tmp_path: Path) -> None:
    with duckdb.connect(str(serving_db)) as con:
        con.execute("update marts.rejects set raw_value = ? where column_name = ?", ["=1+1", "出生日期"])
    out = tmp_path / "formula.xlsx"
    write_rejects_workbook(serving_db, out, source_file=GOOD)
    assert _sheet(out, "退回清单")[2][4] == "'=1+1"  # text with an apostrophe (tests/trust/test_cell_text.py)


def test_text_helpers() -> None:
    assert row_values_text(None) == ""
    assert row_values_text("not json") == "not json"
    assert row_values_text('{"a": null, "b": 1.0, "c": true, "d": " x "}') == "b=1；c=是；d=x"
    assert kinds_text("orgs, checklist,unknown") == "组织架构、责任清单自查、unknown"
    assert kinds_text(None) == ""


def test_snapshot_without_row_values(serving_db: Path, tmp_path: Path) -> None:
    with duckdb.connect(str(serving_db)) as con:
        con.execute("alter table marts.rejects drop column row_values")
    out = tmp_path / "old.xlsx"
    write_rejects_workbook(serving_db, out, source_file=GOOD)
    assert [row[6] for row in _sheet(out, "退回清单")] == ["整行内容", "", "", ""]
