"""A ledger handed in empty (a college with nobody in the pipeline) is a sheet with no rows in every
format, not an unreadable file: a Parquet file of a header only, whose 集中培训学时 is a float column,
used to fail with "index 0 is out of bounds"."""

import datetime as dt
from collections import defaultdict

import pytest

from dagster_project.demo.model import Book, Sheet
from dagster_project.demo.writers import write_book, write_table
from dagster_project.ingest.reader import parse_file


@pytest.mark.parametrize("fmt", ["parquet", "csv", "xlsx"])
def test_an_empty_development_ledger_is_read_as_no_rows(tmp_path, fmt):
    sheet = Sheet("development", "离退休党委发展党员台账（2024年度）", [], "张三", "李四")
    path = tmp_path / f"2024_19_离退休党委_发展党员台账.{fmt}"
    if fmt == "xlsx":
        write_book(path, Book(path.name, "离退休党委2024年度党建工作台账", [sheet], "t"), defaultdict(int))
    else:
        write_table(path, sheet, "t", defaultdict(int))
    result = parse_file(path, path.name, today=dt.date(2025, 1, 15))
    assert result.rejects.height == 0, result.rejects
    (sheet,) = result.sheets
    assert sheet.kind == "development"
    assert sheet.loaded.height == 0
