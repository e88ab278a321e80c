"""The reject list: what could not be loaded, to send back to a college.

`write_rejects_workbook` (`dangjian rejects`, and the 数据质量 page's download) writes one row per
problem with the file, sheet, Excel row number, column, raw value and the reason, plus the whole
rejected row so the secretary can find it without opening the file.

Only the published `serving.duckdb` is read (short-lived, read-only, every query parameterised);
this module formats what `marts.rejects` and `marts.load_summary` hold and computes nothing.
"""

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import xlsxwriter

from dagster_project.contracts import SHEET_KINDS
from dagster_project.reports.sheets import Layout, Styles, new_workbook, write_atomically, write_table
from dagster_project.serving.client import reading

REJECTS_SHEET = "退回清单"
QUALITY_SHEET = "数据质量"

REJECT_HEADERS = ("文件", "工作表", "行号", "列", "原始值", "原因", "整行内容")
QUALITY_HEADERS = ("文件", "表格类型", "读取行数", "入库行数", "拒收行数", "入库时间", "问题")

WHOLE_FILE = "整个文件"
WHOLE_SHEET = "整张工作表"
ROW_VALUE_SEPARATOR = "；"
KIND_SEPARATOR = "、"

LAYOUT = Layout(
    max_width={
        "文件": 40,
        "工作表": 24,
        "原始值": 30,
        "原因": 40,
        "整行内容": 60,
        "表格类型": 40,
        "问题": 50,
    },
    wrapped=frozenset({"原因", "整行内容", "问题"}),
)


@dataclass(frozen=True)
class RejectsExport:
    """What `write_rejects_workbook` wrote: the workbook, the files listed and the reject rows."""

    path: Path
    files: int
    rejects: int


def write_rejects_workbook(serving_db: Path, out: Path, source_file: str | None = None) -> RejectsExport:
    """Write the rejects of one file (or of all files) to `out` as an .xlsx in Chinese.

    Sheets: 退回清单 (one row per reject, whole-file problems first for each file) and 数据质量
    (one row per file from `marts.load_summary`). Raises `ValueError` for an unknown `source_file`
    and `FileNotFoundError` when there is no published snapshot.
    """
    with reading(serving_db) as con:
        return write_rejects_workbook_from(con, out, source_file)


def write_rejects_workbook_from(
    con: duckdb.DuckDBPyConnection, out: Path, source_file: str | None = None
) -> RejectsExport:
    """`write_rejects_workbook` from an open connection whose `marts` is a snapshot's (or the part of
    one a dashboard viewer may see: dashboards/scoping.py)."""
    out = Path(out)
    if source_file is not None:
        known = _known_files(con)
        if source_file not in known:
            listed = KIND_SEPARATOR.join(known) if known else "（暂无）"
            raise ValueError(f"未找到文件「{source_file}」。已入库的文件：{listed}")
    rejects = _rejects(con, source_file)
    summary = _load_summary(con, source_file)

    write_atomically(out, lambda tmp: _write_workbook(tmp, rejects, summary))
    return RejectsExport(path=out, files=summary.height, rejects=rejects.height)


# --- reading -----------------------------------------------------------------------------------


def _known_files(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(
        "select source_file from marts.load_summary where source_file is not null "
        "union select source_file from marts.rejects where source_file is not null order by 1"
    ).fetchall()
    return [r[0] for r in rows]


def _has_column(con: duckdb.DuckDBPyConnection, table: str, column: str) -> bool:
    # fetchall, not fetchone: under DuckDB 2.0 an undrained execute() result blocks the connection.
    rows = con.execute(
        "select count(*) from information_schema.columns "
        "where table_schema = ? and table_name = ? and column_name = ?",
        ["marts", table, column],
    ).fetchall()
    return bool(rows[0][0])


def _rejects(con: duckdb.DuckDBPyConnection, source_file: str | None) -> pl.DataFrame:
    # Snapshots published before `row_values` existed still export, without the 整行内容 text.
    row_values = "row_values" if _has_column(con, "rejects", "row_values") else "null::varchar"
    return con.sql(
        f"""
        select source_file, sheet, row_number, column_name, raw_value, reason,
               {row_values} as row_values
        from marts.rejects
        where ?::varchar is null or source_file = ?::varchar
        order by source_file, row_number is not null, sheet nulls first, row_number,
                 column_name nulls first, reason
        """,
        params=[source_file, source_file],
    ).pl()


def _load_summary(con: duckdb.DuckDBPyConnection, source_file: str | None) -> pl.DataFrame:
    return con.sql(
        """
        select source_file, kinds, rows_read, rows_loaded, rows_rejected, loaded_at, problem
        from marts.load_summary
        where ?::varchar is null or source_file = ?::varchar
        order by source_file
        """,
        params=[source_file, source_file],
    ).pl()


# --- formatting --------------------------------------------------------------------------------


def row_values_text(row_values: str | None) -> str:
    """`{"姓名": "张三", "入党日期": "2030-01-01"}` -> `姓名=张三；入党日期=2030-01-01` (blanks left out)."""
    if row_values is None or not row_values.strip():
        return ""
    try:
        values = json.loads(row_values)
    except ValueError:
        return row_values
    if not isinstance(values, dict):
        return row_values
    parts = []
    for header, value in values.items():
        text = _value_text(value)
        if text:
            parts.append(f"{header}={text}")
    return ROW_VALUE_SEPARATOR.join(parts)


def _value_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value).strip()


KIND_TITLES: dict[str, str] = {k.kind: k.title for k in SHEET_KINDS}


def kinds_text(kinds: str | None) -> str:
    """`members,training` -> `党员花名册、学习培训台账`; an unknown kind is shown as written."""
    if not kinds:
        return ""
    names = [k.strip() for k in kinds.split(",") if k.strip()]
    return KIND_SEPARATOR.join(KIND_TITLES.get(k, k) for k in names)


# --- writing -----------------------------------------------------------------------------------


def _write_workbook(path: Path, rejects: pl.DataFrame, summary: pl.DataFrame) -> None:
    reject_rows: list[list[Any]] = [
        [
            r["source_file"] or "",
            r["sheet"] or "",
            r["row_number"] if r["row_number"] is not None else (WHOLE_SHEET if r["sheet"] else WHOLE_FILE),
            r["column_name"] or "",
            r["raw_value"] or "",
            r["reason"] or "",
            row_values_text(r["row_values"]),
        ]
        for r in rejects.iter_rows(named=True)
    ]
    quality_rows: list[list[Any]] = [
        [
            r["source_file"] or "",
            kinds_text(r["kinds"]),
            r["rows_read"],
            r["rows_loaded"],
            r["rows_rejected"],
            r["loaded_at"],
            r["problem"] or "",
        ]
        for r in summary.iter_rows(named=True)
    ]

    wb = new_workbook(path)
    try:
        styles = _styles(wb)
        rejects_ws = write_table(wb, REJECTS_SHEET, REJECT_HEADERS, reject_rows, styles, LAYOUT)
        quality_ws = write_table(wb, QUALITY_SHEET, QUALITY_HEADERS, quality_rows, styles, LAYOUT)
        if quality_rows:  # files with rejected rows stand out
            warn = wb.add_format({"font_color": "#9C0006", "bg_color": "#FFC7CE"})
            last = len(quality_rows)
            quality_ws.conditional_format(
                1, 4, last, 4, {"type": "cell", "criteria": ">", "value": 0, "format": warn}
            )
        rejects_ws.activate()
    finally:
        wb.close()


def _styles(wb: xlsxwriter.Workbook) -> Styles:
    text = wb.add_format({"valign": "top"})
    number = wb.add_format({"valign": "top", "num_format": "0"})
    return Styles(
        header=wb.add_format(
            {"bold": True, "bg_color": "#F2DCDB", "border": 1, "valign": "vcenter", "text_wrap": True}
        ),
        text=text,
        wrap=wb.add_format({"valign": "top", "text_wrap": True}),
        center=text,
        blank=text,
        integer=number,
        decimal=number,
        datetime=wb.add_format({"valign": "top", "num_format": "yyyy-mm-dd hh:mm:ss"}),
    )
