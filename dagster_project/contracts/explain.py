"""Words that explain a column to the people who fill it in and read it: the notes on a template's
headers, its 填写说明 sheet and the descriptions of schema raw in the dbt docs all read them here, from
the column's declaration.
"""

import datetime as dt

from dagster_project.contracts.model import Column

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

# --- per column ---------------------------------------------------------------------------------


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
    if column.range_text:
        facts.append(("范围", column.range_text))
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


def example_text(value: object) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def column_description(column: Column) -> str:
    parts = [column.header, "必填" if column.required else "选填", f"类型：{type_label(column)}"]
    if column.allowed:
        parts.append("可选值：" + "/".join(column.allowed))
    if column.range_text:
        parts.append("范围：" + column.range_text)
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


def name_description(column: Column) -> str:
    headers = "、".join(f"「{h}」" for h in column.name_headers)
    return (
        f"按名称填写的{column.header}（表头为{headers}时的原文）；"
        f"入库后按组织架构解析为 {column.name}，解析不到的行进 rejects"
    )
