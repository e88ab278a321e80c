"""Blank workbooks to hand out, and the dbt source docs of the inbox — both written from the contract.

`write_templates(out_dir)` writes one workbook per sheet kind (`模板_<title>.xlsx`): a title row, an
instruction row, the canonical header row (required columns in red, a note on every header cell),
dropdowns for columns with allowed values, text-formatted code columns so leading zeros survive, and a
second sheet 「填写说明」 with the same explanations as a table. The bytes are deterministic.

`render_dbt_sources()` is the text of `dbt/models/staging/_inbox__sources.yml`; rewrite that file with
`uv run python -m dagster_project.templates` after changing `contracts.py` (a test checks they agree).
"""

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from pathlib import Path

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from dagster_project.contracts import KINDS, SHEET_KINDS, Column, SheetKind
from dagster_project.home import DBT_DIR
from dagster_project.ingest.task_owners import OWNERS_DOCS, OWNERS_TABLE

CREATED = dt.datetime(2026, 1, 1, 8, 0, 0)  # workbook "created" property: fixed, so the bytes are too
HEADER_ROW = 2  # 0-based: Excel row 3 holds the headers, data starts on row 4
GUIDE_SHEET = "填写说明"
LAST_ROW = 1_048_575  # validations and formats reach to the bottom of the sheet
SOURCES_PATH = DBT_DIR / "models" / "staging" / "_inbox__sources.yml"

DATE_SPELLINGS = "2024-07-01、2024.07.01、2024/7/1、2024年7月1日、20240701 或 Excel 日期"
BOOL_SPELLINGS = "是 或 否（也可填 Y/N、√/×）"
DEADLINE_SPELLINGS = (
    "日期（" + DATE_SPELLINGS + "）或文字，如“2024年5月底前”“12月底前”“2024年6月-9月”“11月中旬前”"
    "“2024年底前”“上半年”“第三季度”“常态化推进”“长期坚持”“每学期”，也可组合，如“12月底前，长期坚持”"
    "（取第一个日期，并记为长期任务）；不写年份的按本表年度"
)

# type -> (short name, how to fill it in)
TYPE_TEXT: dict[str, tuple[str, str]] = {
    "str": ("文本", "文本"),
    "code": ("编码", "编码，按文本填写，开头的0会保留（如 0101）"),
    "int": ("整数", "整数（可为全角数字或带千位分隔符）"),
    "float": ("数字", "数字，可带小数（可为全角数字或带千位分隔符）"),
    "date": ("日期", "日期，可填 " + DATE_SPELLINGS),
    "month": ("月份", "月份，格式 YYYY-MM，如 2024-07（也可 2024.07、2024年7月、202407）"),
    "bool": ("是/否", "填 " + BOOL_SPELLINGS),
    "deadline": ("完成时限", "完成时限，可填" + DEADLINE_SPELLINGS),
    "idcard": (
        "身份证号",
        "18位公民身份证号（最后一位可为X），按文本填写，勿让 Excel 转成数字；"
        "只填在本列，填在工号/学号等其他列的行会被拒收",
    ),
}

EXAMPLES: dict[str, object] = {
    "code": "0101",
    "int": 1,
    "float": 1.5,
    "date": dt.date(2024, 7, 1),
    "month": "2024-07",
    "bool": "是",
    "deadline": "2024年12月底前",
    "idcard": "11010519491231002X",
    "str": "",
}

# Descriptions of the columns the ingest adds; every column of the raw DDL must have one.
EXTRA_DOCS: dict[str, str] = {
    "deadline_text": "完成时限原文（如 2024年5月底前、12月底前，长期坚持）；deadline 为解析后的日期",
    "ongoing": (
        "是否长期任务：完成时限含“长期坚持”“常态化推进”“每学期”等（可同时有日期，如“12月底前，长期坚持”）"
    ),
    "_named_columns": "按名称填写、入库时再按组织架构解析为编码的列（逗号分隔的列名）；为空表示都按编码填写",
    "_source_file": "来源文件（相对收件箱 inbox/ 的路径）",
    "_sheet": "来源工作表名",
    "_row_number": "该行在 Excel 中的行号（与用户在 Excel 中看到的一致）",
    "_file_hash": "来源文件内容的 SHA-256 哈希；归档 archive/ 按此保存原文件",
    "_loaded_at": "入库时间",
}

REJECTS_DOCS: dict[str, str] = {
    "source_file": "来源文件（相对收件箱 inbox/ 的路径）",
    "sheet": "工作表名；整个文件无法读取时为空",
    "row_number": "Excel 行号；问题针对整个文件或工作表时为空",
    "column_name": "出问题的列（中文表头）",
    "raw_value": "该单元格的原始值（原样保留）",
    "reason": "拒收原因（中文），可直接发回学院修改",
    "kind": "表类型（orgs、members 等）；未识别时为空",
    "row_values": "该行全部原始值（JSON，{表头: 值}，身份证号已打码），便于对照修改",
    "check_stage": "发现问题的环节：parse 为单个文件自身的问题，cross 为与其它文件核对发现的问题",
    "file_hash": "来源文件内容的 SHA-256 哈希；为空表示这是关于收件箱中未读取条目的提示（见 files）",
    "loaded_at": "摄取时间",
}

FILES_DOCS: dict[str, str] = {
    "source_file": "文件（相对收件箱 inbox/ 的路径），主键",
    "file_hash": "文件内容的 SHA-256 哈希；内容不变则不重新解析。为空表示未读取的条目"
    "（符号链接、隐藏文件、~$ 锁定文件、读取时正在写入的文件），每次运行重新列出",
    "parser_version": "解析规则版本；规则变更后，未改动的文件也会重新解析",
    "kinds": "文件中识别出的表类型（逗号分隔）",
    "rows_read": "读取的数据行数",
    "rows_loaded": "入库行数",
    "rows_rejected": "被拒收的行数",
    "loaded_at": "摄取时间",
}


# --- per-column explanations ------------------------------------------------------------------


def _num(value: float) -> str:
    return f"{value:g}"


def range_text(column: Column) -> str:
    """The allowed range in words ("大于0、不大于200"), or "" when the column has none."""
    parts = []
    if column.min_value is not None:
        parts.append(f"{'大于' if column.min_exclusive else '不小于'}{_num(column.min_value)}")
    if column.max_value is not None:
        parts.append(f"不大于{_num(column.max_value)}")
    return "、".join(parts)


def type_label(column: Column) -> str:
    return "选项" if column.allowed and column.type == "str" else TYPE_TEXT[column.type][0]


def _fill_text(column: Column) -> str:
    if column.allowed and column.type == "str":
        return "从下拉列表中选择，须与可选值之一完全一致"
    return TYPE_TEXT[column.type][1]


def column_facts(column: Column) -> list[tuple[str, str]]:
    """(label, text) pairs explaining one column; the header note, the guide sheet and the dbt docs all
    read them from here."""
    facts = [
        ("是否必填", "必填" if column.required else "选填"),
        ("填写", _fill_text(column)),
    ]
    if column.allowed:
        facts.append(("可选值", "/".join(column.allowed)))
    if range_text(column):
        facts.append(("范围", range_text(column)))
    if column.aliases:
        facts.append(("也认列名", "、".join(column.aliases)))
    if column.note:
        facts.append(("说明", column.note))
    return facts


def header_note(column: Column) -> str:
    lines = [f"{column.header}（{'必填' if column.required else '选填'}）"]
    lines += [f"{label}：{text}" for label, text in column_facts(column)[1:]]
    return "\n".join(lines)


def example_value(column: Column) -> object:
    """A value that loads cleanly for this column (used on the guide sheet)."""
    if column.allowed:
        return column.allowed[0]
    if column.type in ("int", "float") and column.min_value is not None:
        low = column.min_value + (1 if column.min_exclusive else 0)
        if column.name == "year" or column.min_value >= 1000:
            low = 2024
        return int(low) if column.type == "int" else float(low)
    return EXAMPLES.get(column.type, "示例")


def _example_text(value: object) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return _num(value)
    return str(value)


# --- workbooks ----------------------------------------------------------------------------------


def template_name(kind: SheetKind) -> str:
    return f"模板_{kind.title}.xlsx"


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
                error_message=f"「{column.header}」应{range_text(column)}",
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
        f"表头须与模板一致（可在表头上方加标题行）；同一「{key}」只应出现一次；"
        "合计、填表人等行不会被当作数据；不合格的行会被退回并注明原因，其余行照常入库。",
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
                _example_text(example_value(column)),
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
            "comments": "由 dagster_project/templates.py 按输入契约生成",
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


# --- dbt source docs ----------------------------------------------------------------------------


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def column_description(column: Column) -> str:
    parts = [column.header, "必填" if column.required else "选填", f"类型：{type_label(column)}"]
    if column.allowed:
        parts.append("可选值：" + "/".join(column.allowed))
    if range_text(column):
        parts.append("范围：" + range_text(column))
    if column.aliases:
        parts.append("也认列名：" + "、".join(column.aliases))
    if column.note:
        parts.append("说明：" + column.note)
    if column.type == "deadline":
        parts.append(
            f"解析后的日期（原文中的第一个日期），常态化推进、长期坚持、每学期等无固定日期时为空"
            f"（原文见 {column.name}_text，是否长期任务见 ongoing）"
        )
    if column.type == "month":
        parts.append("存为该月1日")
    if column.type == "idcard":
        parts.append("只保存在 raw 层，之后各层和快照都不含号码、其中任何一段或其哈希；填在其他列的整行拒收")
    return "；".join(parts)


def _name_description(column: Column) -> str:
    headers = "、".join(f"「{h}」" for h in column.name_headers)
    return (
        f"按名称填写的{column.header}（表头为{headers}时的原文）；"
        f"入库后按组织架构解析为 {column.name}，解析不到的行进 rejects"
    )


def raw_tables() -> dict[str, list[tuple[str, str]]]:
    """Every table of schema `raw` as [(column, DuckDB type)], read from the DDL the ingest creates."""
    from dagster_project.ingest.store import expected_tables

    tables = {}
    for table, ddl in expected_tables().items():
        tables[table] = [
            (part.split()[0].strip('"'), part.split()[1]) for part in (p.strip() for p in ddl.split(","))
        ]
    return tables


def _raw_description(kind: SheetKind | None, table: str, column: str) -> str:
    if kind is None:
        docs = {"rejects": REJECTS_DOCS, "files": FILES_DOCS, OWNERS_TABLE: OWNERS_DOCS}[table]
        if column in docs:
            return docs[column]
    else:
        for c in kind.columns:
            if c.name == column:
                return column_description(c)
            if c.name_headers and c.name_column == column:
                return _name_description(c)
        if column in EXTRA_DOCS:
            return EXTRA_DOCS[column]
    raise ValueError(f"raw.{table}.{column} 没有说明：请在 dagster_project/templates.py 中补上")


def render_dbt_sources() -> str:
    """The YAML text of `dbt/models/staging/_inbox__sources.yml`, generated from the contract and the raw
    DDL (a column without a description is an error).

    The source is the inbox (what the colleges hand in, as the ingest wrote it into schema `raw`), so
    the staging models are `stg_inbox__<table>`; each table keeps the Dagster asset key of the ingest
    asset that writes it (`raw/<table>`), so the lineage runs from the inbox to the marts."""
    lines = [
        "# Generated from dagster_project/contracts.py by dagster_project/templates.py; do not edit by hand.",
        "# Regenerate with: uv run python -m dagster_project.templates",
        "version: 2",
        "",
        "sources:",
        "  - name: inbox",
        "    schema: raw",
        "    description: "
        + _q(
            "各学院与组织部放进收件箱 inbox/ 的表格，由 Dagster 摄取（dagster_project/ingest）到 schema raw，"
            "每行带来源文件、工作表、Excel 行号、文件哈希与入库时间。"
        ),
        "    tables:",
    ]
    tables = raw_tables()
    descriptions = {
        "rejects": "未能入库的行与文件，附原因（中文）；每个问题一行",
        "files": "每个已摄取文件的哈希、解析规则版本、读取/入库/拒收行数与时间",
        OWNERS_TABLE: "任务清单各行的责任单位：每行每个责任单位一行（党组织或职能部门），"
        "由「责任单位」格拆分、核对而来；核对不通过的行进 rejects，不在此表",
    }
    for kind in SHEET_KINDS:
        key = "、".join(kind.column(name).header for name in kind.key)
        descriptions[kind.table] = (
            f"{kind.title}（{kind.kind}）：按表头识别的「{kind.title}」工作表；业务键：{key}"
        )
        if kind.note:
            descriptions[kind.table] += f"；{kind.note}"
    order = [k.table for k in SHEET_KINDS] + [t for t in tables if t not in {k.table for k in SHEET_KINDS}]
    for table in order:
        kind = next((k for k in SHEET_KINDS if k.table == table), None)
        lines += [
            f"      - name: {table}",
            f"        description: {_q(descriptions[table])}",
            f"        config: {{meta: {{dagster: {{asset_key: [raw, {table}]}}}}}}",
            "        columns:",
        ]
        for column, data_type in tables[table]:
            lines += [
                f"          - name: {column}",
                f"            data_type: {data_type}",
                f"            description: {_q(_raw_description(kind, table, column))}",
            ]
    return "\n".join(lines) + "\n"


def main() -> None:
    SOURCES_PATH.write_text(render_dbt_sources(), encoding="utf-8")
    print(f"wrote {SOURCES_PATH}")


if __name__ == "__main__":
    main()
