"""Blank workbooks to hand out, written from the contract.

`write_templates(out_dir)` writes one workbook per sheet kind (`模板_<title>.xlsx`): a title row, an
instruction row, the canonical header row (required columns in red, a note on every header cell),
dropdowns for columns with allowed values, text-formatted code columns so leading zeros survive, and a
second sheet 「填写说明」 with the same explanations as a table. The bytes are deterministic.
"""

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from dagster_project.contracts import KINDS, SHEET_KINDS, Column, SheetKind
from dagster_project.contracts.explain import (
    column_facts,
    example_text,
    example_value,
    header_note,
    type_label,
)

CREATED = dt.datetime(2026, 1, 1, 8, 0, 0)  # workbook "created" property: fixed, so the bytes are too
HEADER_ROW = 2  # 0-based: Excel row 3 holds the headers, data starts on row 4
GUIDE_SHEET = "填写说明"
LAST_ROW = 1_048_575  # validations and formats reach to the bottom of the sheet


def template_name(kind: SheetKind) -> str:
    return f"模板_{kind.title}.xlsx"


@dataclass(frozen=True)
class TemplateInfo:
    """What the 模板下载 page lists for a sheet kind: its template and its columns' headers."""

    kind: str
    title: str
    file_name: str
    required: tuple[str, ...]
    optional: tuple[str, ...]
    note: str


def template_catalog() -> list[TemplateInfo]:
    """One entry per sheet kind, in the contract's order."""
    return [
        TemplateInfo(
            kind=k.kind,
            title=k.title,
            file_name=template_name(k),
            required=tuple(c.header for c in k.required),
            optional=tuple(c.header for c in k.columns if not c.required),
            note=k.note,
        )
        for k in SHEET_KINDS
    ]


def _width(column: Column) -> int:
    width = {"date": 12, "code": 13, "idcard": 21, "int": 9, "float": 10, "bool": 10, "deadline": 16}.get(
        column.type, 14
    )
    if column.allowed:
        width = max(width, max(len(v) for v in column.allowed) * 2 + 4)
    return max(width, len(column.header) * 2 + 4)


def _note_size(text: str) -> dict[str, int]:
    chars_per_line = 24
    lines = sum(max(1, -(-len(line) // chars_per_line)) for line in text.split("\n"))
    return {"width": 300, "height": 20 + 16 * lines}


def _cell(ws: Worksheet, row: int, col: int, column: Column, value: object, formats: dict) -> None:
    if value is None:
        return
    if isinstance(value, dt.datetime):
        ws.write_datetime(row, col, value, formats["date"])
    elif isinstance(value, dt.date):
        ws.write_datetime(row, col, dt.datetime.combine(value, dt.time()), formats["date"])
    elif isinstance(value, bool):
        ws.write_string(row, col, "是" if value else "否")
    elif isinstance(value, int | float):
        ws.write_number(row, col, value)
    else:
        ws.write_string(row, col, str(value), formats["text"] if column.type in _TEXT_TYPES else None)


_TEXT_TYPES = ("code", "idcard", "month")


def _data_sheet(wb: xlsxwriter.Workbook, kind: SheetKind, rows: Iterable[Mapping[str, object]], f) -> None:
    ws = wb.add_worksheet(kind.title)
    columns = kind.columns
    last_col = len(columns) - 1
    for j, column in enumerate(columns):
        fmt = f["text"] if column.type in _TEXT_TYPES else f["date"] if column.type == "date" else None
        ws.set_column(j, j, _width(column), fmt)
    ws.set_row(1, 36)
    ws.merge_range(0, 0, 0, last_col, f"{kind.title}（填报模板）", f["title"])
    required = "、".join(c.header for c in kind.required)
    ws.merge_range(
        1,
        0,
        1,
        last_col,
        f"红色表头为必填列（{required}）；鼠标移到表头可查看填写要求，详见「{GUIDE_SHEET}」。"
        "请勿修改第3行表头，从第4行起每行填写一条记录。",
        f["instruction"],
    )
    for j, column in enumerate(columns):
        ws.write_string(HEADER_ROW, j, column.header, f["required" if column.required else "header"])
        note = header_note(column)
        ws.write_comment(HEADER_ROW, j, note, {"author": "党委组织部", "font_size": 9, **_note_size(note)})
        first = HEADER_ROW + 1
        if column.allowed:
            ws.data_validation(
                first,
                j,
                LAST_ROW,
                j,
                {
                    "validate": "list",
                    "source": list(column.allowed),
                    "error_title": column.header,
                    "error_message": "请从下拉列表中选择：" + "/".join(column.allowed),
                },
            )
        elif column.type == "bool":
            ws.data_validation(
                first,
                j,
                LAST_ROW,
                j,
                {
                    "validate": "list",
                    "source": ["是", "否"],
                    "error_type": "warning",
                    "error_title": column.header,
                    "error_message": "请填 是 或 否",
                },
            )
        elif column.type in ("int", "float") and (
            column.min_value is not None or column.max_value is not None
        ):
            rule: dict[str, object] = {"validate": "integer" if column.type == "int" else "decimal"}
            lo, hi = column.min_value, column.max_value
            if lo is not None and hi is not None:
                rule.update(criteria="between", minimum=lo, maximum=hi)
            elif lo is not None:
                rule.update(criteria=">" if column.min_exclusive else ">=", value=lo)
            else:
                rule.update(criteria="<=", value=hi)
            rule.update(
                error_type="warning",
                error_title=column.header,
                error_message=f"「{column.header}」应{column.range_text}",
            )
            ws.data_validation(first, j, LAST_ROW, j, rule)
    for i, row in enumerate(rows, start=HEADER_ROW + 1):
        for j, column in enumerate(columns):
            _cell(ws, i, j, column, row.get(column.name), f)
    ws.freeze_panes(HEADER_ROW + 1, 0)
    ws.activate()


GUIDE_HEADERS = ("序号", "表头", "是否必填", "类型", "填写要求", "可选值", "范围", "也认列名", "说明", "示例")


def _guide_sheet(wb: xlsxwriter.Workbook, kind: SheetKind, f) -> None:
    ws = wb.add_worksheet(GUIDE_SHEET)
    ws.set_column(0, 0, 6)
    ws.set_column(1, 1, 16)
    ws.set_column(2, 3, 10)
    ws.set_column(4, 4, 48)
    ws.set_column(5, 5, 28)
    ws.set_column(6, 8, 18)
    ws.set_column(9, 9, 18)
    ws.merge_range(0, 0, 0, len(GUIDE_HEADERS) - 1, f"{kind.title}填写说明", f["title"])
    key = "、".join(kind.column(name).header for name in kind.key)
    ws.merge_range(
        1,
        0,
        1,
        len(GUIDE_HEADERS) - 1,
        "表头须与模板一致（可在表头上方加标题行）；"
        + (f"同一「{key}」只应出现一次；" if key else "同一问题可再次报送，以最新的一行为准；")
        + "合计、填表人等行不会被当作数据；不合格的行会被退回并注明原因，其余行照常入库。",
        f["instruction"],
    )
    ws.set_row(1, 36)
    ws.write_row(2, 0, GUIDE_HEADERS, f["header"])
    for i, column in enumerate(kind.columns, start=1):
        facts = dict(column_facts(column))
        ws.write_row(
            2 + i,
            0,
            [
                i,
                column.header,
                facts["是否必填"],
                type_label(column),
                facts["填写"],
                facts.get("可选值", ""),
                facts.get("范围", ""),
                facts.get("也认列名", ""),
                facts.get("说明", ""),
                example_text(example_value(column)),
            ],
            f["wrap"],
        )


def write_template(
    path: Path, kind: str | SheetKind, rows: Iterable[Mapping[str, object]] | None = None
) -> Path:
    """One template workbook for a sheet kind; `rows` ({column name: value}) are written as data rows
    below the header (for examples and tests; handed-out templates have none)."""
    spec = KINDS[kind] if isinstance(kind, str) else kind
    wb = xlsxwriter.Workbook(str(path), {"in_memory": True})
    wb.set_properties(
        {
            "title": f"{spec.title}（填报模板）",
            "author": "党委组织部",
            "comments": "由 dagster_project/reports/templates.py 按输入契约生成",
            "created": CREATED,
        }
    )
    formats = {
        "title": wb.add_format({"bold": True, "font_size": 14, "align": "center", "valign": "vcenter"}),
        "instruction": wb.add_format({"text_wrap": True, "valign": "top", "font_color": "#595959"}),
        "header": wb.add_format(
            {"bold": True, "bg_color": "#D9E1F2", "border": 1, "align": "center", "valign": "vcenter"}
        ),
        "required": wb.add_format(
            {
                "bold": True,
                "bg_color": "#F8CBAD",
                "font_color": "#C00000",
                "border": 1,
                "align": "center",
                "valign": "vcenter",
            }
        ),
        "text": wb.add_format({"num_format": "@"}),
        "date": wb.add_format({"num_format": "yyyy-mm-dd"}),
        "wrap": wb.add_format({"text_wrap": True, "valign": "top", "border": 1}),
    }
    _data_sheet(wb, spec, rows or (), formats)
    _guide_sheet(wb, spec, formats)
    wb.close()
    return path


def write_templates(out_dir: Path) -> list[Path]:
    """One blank template per sheet kind into `out_dir` (created if missing); returns the paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    return [write_template(out_dir / template_name(kind), kind) for kind in SHEET_KINDS]
