"""Small hand-written workbooks for tests, laid out the way colleges send them."""

import datetime as dt
from pathlib import Path

import xlsxwriter

from dagster_project.contracts import KINDS


def write_workbook(path: Path, sheets: dict[str, tuple[str, list[dict]]], title_rows: bool = True) -> Path:
    """sheets: sheet name -> (kind, rows as {canonical column name: value}). Headers come from the
    contract; a title row and a blank row sit above the header, a 填表人 footer below the data."""
    workbook = xlsxwriter.Workbook(str(path))
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    for sheet_name, (kind, rows) in sheets.items():
        ws = workbook.add_worksheet(sheet_name)
        columns = KINDS[kind].columns
        r = 0
        if title_rows:
            ws.write(0, 0, f"测试学院{KINDS[kind].title}（2024年度）")
            r = 2
        ws.write_row(r, 0, [c.header for c in columns])
        for row in rows:
            r += 1
            for j, column in enumerate(columns):
                value = row.get(column.name)
                if isinstance(value, dt.date):
                    ws.write_datetime(r, j, dt.datetime.combine(value, dt.time()), date_format)
                elif value is None:
                    continue
                elif isinstance(value, str):
                    ws.write_string(r, j, value)
                else:
                    ws.write(r, j, value)
        ws.write(r + 1, 0, "填表人：张三    审核人：李四")
    workbook.close()
    return path


def write_cells(path: Path, sheets: dict[str, list[list]]) -> Path:
    """Cells exactly as given (row 0 = Excel row 1): for headers and layouts the contract would not
    produce — aliases, odd spacing, a table that starts in column C. dt.date values become Excel dates."""
    workbook = xlsxwriter.Workbook(str(path))
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    for sheet_name, rows in sheets.items():
        ws = workbook.add_worksheet(sheet_name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, dt.date):
                    ws.write_datetime(r, c, dt.datetime.combine(value, dt.time()), date_format)
                elif isinstance(value, str):
                    ws.write_string(r, c, value)
                else:
                    ws.write(r, c, value)
    workbook.close()
    return path
