"""DuckDB's English error messages on 自助查询 in Chinese: the common ones — a table, column or
function not found, a syntax error, a failed type conversion, operands of the wrong type — get a
sentence an analyst can act on; the original text is kept for the page to fold away (it names the
line and position of the mistake)."""

import re

# DuckDB type names an analyst meets, in words
TYPE_WORDS = {
    "TINYINT": "整数",
    "SMALLINT": "整数",
    "INTEGER": "整数",
    "INT32": "整数",
    "BIGINT": "整数",
    "INT64": "整数",
    "HUGEINT": "整数",
    "DOUBLE": "小数",
    "FLOAT": "小数",
    "DECIMAL": "小数",
    "VARCHAR": "文本",
    "BOOLEAN": "是/否",
    "DATE": "日期",
    "TIMESTAMP": "时间",
}

CATALOG_HINT = "（可展开「数据目录」查看 marts 的表和列）"
_PATTERNS: tuple[tuple[re.Pattern, str], ...] = (
    (re.compile(r"Table with name (?P<name>\S+?) does not exist"), "找不到表「{name}」" + CATALOG_HINT),
    (
        re.compile(r'Referenced column "(?P<name>[^"]+)" not found'),
        "找不到列「{name}」" + CATALOG_HINT,
    ),
    (re.compile(r'Referenced table "(?P<name>[^"]+)" not found'), "找不到表或别名「{name}」"),
    (
        re.compile(r"(?:Scalar |Aggregate |Table )?Function with name (?P<name>\S+?) does not exist"),
        "找不到函数「{name}」（可展开「可用函数」查看能用的函数）",
    ),
    (re.compile(r'syntax error at or near "(?P<name>[^"]*)"'), "SQL 语法错误：在「{name}」附近"),
    (re.compile(r"syntax error at end of input"), "SQL 语法错误：语句不完整"),
    (
        re.compile(r"Could not convert string '(?P<value>[^']*)' to (?P<type>\w+)"),
        "类型转换失败：「{value}」不能转换为{type}",
    ),
    (
        re.compile(r"No function matches the given name and argument types '(?P<name>[^']*)'"),
        "函数或运算的参数类型不对：{name}（可用 CAST(列 AS 类型) 先转换类型）",
    ),
)
_CANDIDATES = re.compile(
    r'(?:Candidate bindings|Did you mean|Candidate tables):? "?(?P<hint>[^\n]+?)"?\??$', re.M
)


def _type_word(name: str) -> str:
    word = TYPE_WORDS.get(name.upper())
    return f"{word}（{name}）" if word else name


def translate(detail: str) -> str | None:
    """The Chinese sentence for a DuckDB error message, or None when it is not one of the common kinds."""
    for pattern, template in _PATTERNS:
        found = pattern.search(detail)
        if found is None:
            continue
        fields = found.groupdict()
        if "type" in fields:
            fields["type"] = _type_word(fields["type"])
        sentence = template.format(**fields)
        hint = _CANDIDATES.search(detail)
        if hint is not None:
            sentence += f"；是否想写：{hint['hint'].strip()}"
        return sentence
    return None
