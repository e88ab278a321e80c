"""What 自助查询 accepts: one SELECT over the tables of `marts`, using a short list of functions.

`check_readonly_sql` refuses, with a Chinese reason:
- anything but one SELECT/WITH statement (comments, strings, quoted names and `$$` strings are
  lexed, so a `;` inside them is fine; DuckDB's parser confirms the statement type);
- a table that is not one of `marts` (or a CTE of the query): no `raw`, no `meta`, no system views
  such as `duckdb_databases` or `pg_catalog.pg_settings`, no file names;
- a function not in ALLOWED_FUNCTIONS — and by name, with their own message, the ones that read
  files (`read_blob`, `read_csv`, `glob`, …) or show settings and paths (`duckdb_settings`,
  `current_setting`, …), which DuckDB's "no external access" does not stop for the snapshot's own file.

The references come from DuckDB's own parse tree (`json_serialize_sql`), not from matching text.
The query still runs in a worker process bounded in time and memory (dashboards/sql_sandbox.py):
these rules keep it to the published data, the worker keeps it from taking the server down.
"""

import json
import re
from collections.abc import Collection, Iterator
from typing import Any

import duckdb


class QueryError(Exception):
    """A refused or failed self-service query; `str(error)` is the Chinese message to show, `detail`
    the database's own words when it failed there (shown folded)."""

    def __init__(self, message: str, detail: str | None = None) -> None:
        super().__init__(message)
        self.detail = detail


# The functions a query may call, by what analysts use them for. Operators count as functions in
# DuckDB's parse tree (`a + b` calls "+", `x like 'y'` calls "~~").
FUNCTION_GROUPS: dict[str, tuple[str, ...]] = {
    "聚合": (
        "count", "count_star", "sum", "avg", "mean", "min", "max", "median", "mode",
        "quantile_cont", "quantile_disc", "stddev", "stddev_samp", "stddev_pop", "variance",
        "var_samp", "var_pop", "corr", "string_agg", "listagg", "group_concat", "any_value",
        "arg_max", "arg_min", "bool_and", "bool_or",
    ),
    "窗口": (
        "row_number", "rank", "dense_rank", "percent_rank", "cume_dist", "ntile", "lag", "lead",
        "first_value", "last_value", "nth_value",
    ),
    "数值": (
        "abs", "round", "floor", "ceil", "ceiling", "trunc", "greatest", "least", "sqrt", "power",
        "pow", "ln", "log", "log10", "exp", "sign", "mod",
    ),
    "文本": (
        "length", "lower", "upper", "trim", "ltrim", "rtrim", "substring", "substr", "left",
        "right", "replace", "concat", "concat_ws", "contains", "starts_with", "ends_with", "prefix",
        "suffix", "strpos", "instr", "position", "split_part", "reverse", "regexp_matches",
        "regexp_full_match", "regexp_extract", "regexp_replace", "format", "printf", "md5",
    ),
    "日期": (
        "date_part", "datepart", "date_trunc", "datetrunc", "date_diff", "datediff", "date_add",
        "date_sub", "age", "year", "quarter", "month", "day", "week", "dayofweek", "strftime",
        "strptime", "make_date", "last_day", "today", "now", "current_date",
    ),
    "条件": ("if", "ifnull", "nullif", "coalesce"),
    "字面量": (
        "list_value", "struct_pack", "to_years", "to_months", "to_weeks", "to_days", "to_hours",
        "to_minutes", "to_seconds",
    ),
    "运算符": (
        "+", "-", "*", "/", "//", "%", "^", "**", "||", "~~", "!~~", "~~*", "!~~*", "~~~",
    ),
}  # fmt: skip
ALLOWED_FUNCTIONS = frozenset(name for names in FUNCTION_GROUPS.values() for name in names)

# Refused by name with their own message. Prefixes cover families (read_csv_auto, duckdb_tables…).
FILE_FUNCTIONS = ("read_", "parquet_", "glob", "sniff_csv", "query", "query_table", "iceberg_", "delta_")
FILE_SUFFIXES = ("_scan",)
SETTINGS_FUNCTIONS = (
    "duckdb_", "pragma_", "current_setting", "getenv", "getvariable", "which_secret", "version",
    "current_database", "current_catalog", "current_schema", "current_schemas", "current_query",
    "checkpoint", "force_checkpoint", "enable_logging", "test_all_types",
)  # fmt: skip

MARTS = "marts"
SNAPSHOT = "snapshot"  # the name the worker attaches the snapshot under
# Parse-tree table references that hold no data of their own besides what is checked inside them.
_PLAIN_REFS = {"BASE_TABLE", "JOIN", "SUBQUERY", "EXPRESSION_LIST", "EMPTY"}
_TABLE_REF_TYPES = _PLAIN_REFS | {"TABLE_FUNCTION", "SHOW_REF", "PIVOT", "COLUMN_DATA", "DELIM_GET"}

_ONLY_SELECT = "只能执行以 SELECT 或 WITH 开头的只读查询。"
_FORBIDDEN: dict[str, str] = {
    "attach": "挂载其他数据库",
    "detach": "卸载数据库",
    "copy": "读写文件",
    "export": "导出数据库",
    "import": "导入数据库",
    "install": "安装扩展",
    "load": "加载扩展",
    "pragma": "修改或查看数据库设置",
    "set": "修改设置",
    "reset": "修改设置",
    "call": "调用过程",
    "use": "切换数据库",
    "insert": "修改数据",
    "update": "修改数据",
    "delete": "修改数据",
    "merge": "修改数据",
    "truncate": "修改数据",
    "create": "创建对象",
    "drop": "删除对象",
    "alter": "修改表结构",
    "checkpoint": "写入数据库文件",
    "vacuum": "写入数据库文件",
    "begin": "开启事务",
    "commit": "提交事务",
    "rollback": "回滚事务",
    "prepare": "预编译语句",
    "execute": "执行预编译语句",
    "deallocate": "预编译语句",
}
_DOLLAR_TAG = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)?\$")
_FIRST_WORD = re.compile(r"[A-Za-z_]+")


def check_readonly_sql(sql: str, tables: Collection[str] | None = None) -> str | None:
    """None if `sql` is one SELECT/WITH over `marts` using allowed functions, else the Chinese reason.

    `tables` are the names of the marts tables (an unqualified name must be one of them or a CTE);
    None skips that part of the check.
    """
    try:
        statement_body(sql, tables)
    except QueryError as error:
        return str(error)
    return None


def statement_body(sql: str, tables: Collection[str] | None = None) -> str:
    """The statement to run (comments blanked, trailing `;` removed), or QueryError why not."""
    if not sql or not sql.strip():
        raise QueryError("请输入查询语句（以 SELECT 或 WITH 开头）。")
    try:
        text, semicolons = _blank_comments(sql)
    except ValueError as error:
        raise QueryError(str(error)) from None
    start = len(text) - len(text.lstrip())
    end = len(text.rstrip())
    while end > start and text[end - 1] == ";":
        end = len(text[: end - 1].rstrip())
    body = text[start:end]
    if not body:
        raise QueryError("只有注释，没有查询语句。请输入以 SELECT 或 WITH 开头的查询。")
    if any(start <= p < end for p in semicolons):
        raise QueryError("一次只能执行一条查询语句：请删除分号（;）及其后面的其他语句。")
    first = _FIRST_WORD.match(body)
    word = first.group().lower() if first else ""
    if word in _FORBIDDEN:
        what = f"{word.upper()} 语句（{_FORBIDDEN[word]}）"
        raise QueryError(f"不允许执行 {what}。自助查询是只读的，{_ONLY_SELECT}")
    if word not in ("select", "with"):
        shown = f"（当前语句以「{body.split()[0][:20]}」开头）"
        raise QueryError(f"{_ONLY_SELECT}{shown}")
    with duckdb.connect() as parser:
        try:
            statements = parser.extract_statements(body)
        except duckdb.Error as error:
            raise QueryError(f"SQL 语法错误：{error_text(error)}") from None
        if len(statements) != 1:
            raise QueryError("一次只能执行一条查询语句：请删除分号（;）及其后面的其他语句。")
        if statements[0].type != duckdb.StatementType.SELECT:
            raise QueryError(f"这条语句会修改数据或设置，不允许执行。{_ONLY_SELECT}")
        (tree,) = parser.execute("select json_serialize_sql(?)", [body]).fetchone()
    _check_references(json.loads(tree), tables)
    return body


_PATH = re.compile(r"(?<![\w.)\]])/(?:[\w.\-~+@]+/)+[\w.\-~+@]*")


def hide_paths(text: str, paths: Collection[str]) -> str:
    """`text` with every path of the server replaced by …: the known ones, then anything path-shaped."""
    for known in sorted({p for p in paths if p and p != "/"}, key=len, reverse=True):
        text = text.replace(known, "…")
    return _PATH.sub("…", text)


def error_text(error: BaseException) -> str:
    text = str(error).strip()
    return text[:600] + ("…" if len(text) > 600 else "")


# ---- what the query reads and calls -------------------------------------------------------------


def _check_references(tree: dict[str, Any], tables: Collection[str] | None) -> None:
    if tree.get("error"):
        raise QueryError("这种写法的查询暂不支持（如 PIVOT、DESCRIBE），请改写为普通的 SELECT。")
    for node, ctes in _nodes(tree.get("statements", []), frozenset()):
        if "function_name" in node:
            _check_function(node)
        if "class" not in node and node.get("type") in _TABLE_REF_TYPES:
            _check_table(node, ctes, tables)


def _nodes(value: Any, ctes: frozenset[str]) -> Iterator[tuple[dict[str, Any], frozenset[str]]]:
    """Every object of the parse tree, with the CTE names in scope where it sits."""
    if isinstance(value, list):
        for item in value:
            yield from _nodes(item, ctes)
    elif isinstance(value, dict):
        cte_map = value.get("cte_map")
        if isinstance(cte_map, dict):
            ctes = ctes | {str(entry.get("key", "")).casefold() for entry in cte_map.get("map", [])}
        yield value, ctes
        for child in value.values():
            yield from _nodes(child, ctes)


def _check_function(node: dict[str, Any]) -> None:
    name = str(node["function_name"]).casefold()
    qualified = bool(node.get("schema") or node.get("catalog"))
    if name.startswith(FILE_FUNCTIONS) or name.endswith(FILE_SUFFIXES):
        raise QueryError(
            f"不允许读取文件或访问外部资源（函数 {name}）：自助查询只能查询已发布数据中 marts 的表。"
        )
    if name.startswith(SETTINGS_FUNCTIONS):
        raise QueryError(f"不允许查看数据库设置或系统信息（函数 {name}）：自助查询只能查询 marts 的表。")
    if qualified or name not in ALLOWED_FUNCTIONS:
        shown = ".".join(str(p) for p in (node.get("catalog"), node.get("schema"), name) if p)
        raise QueryError(
            f"自助查询不支持函数 {shown}。"
            "可用的函数见本页「可用函数」，均为常用的聚合、窗口、数值、文本和日期函数。"
        )


def _check_table(node: dict[str, Any], ctes: frozenset[str], tables: Collection[str] | None) -> None:
    kind = node["type"]
    if kind == "TABLE_FUNCTION":
        return  # its function is a node of its own, checked by name
    if kind not in _PLAIN_REFS:
        raise QueryError("这种写法的查询暂不支持（如 PIVOT、DESCRIBE），请改写为普通的 SELECT。")
    if kind != "BASE_TABLE":
        return
    catalog = str(node.get("catalog_name") or "").casefold()
    schema = str(node.get("schema_name") or "").casefold()
    name = str(node.get("table_name") or "")
    shown = hide_paths(".".join(p for p in (catalog, schema, name) if p), ())
    if not catalog and not schema and name.casefold() in ctes:
        return
    in_marts = catalog in ("", SNAPSHOT) and schema == MARTS
    unqualified = not catalog and not schema
    known = tables is None or name.casefold() in {t.casefold() for t in tables}
    if (in_marts or unqualified) and known:
        return
    raise QueryError(f"找不到表 {shown}：自助查询只能查询 marts 中的表（可在「数据目录」中查看）。")


# ---- the lexer: comments, strings and statement ends --------------------------------------------


def _blank_comments(sql: str) -> tuple[str, list[int]]:
    """`sql` with comments replaced by spaces (newlines kept, so positions stay), and the positions of
    the `;` outside strings, quoted names and comments. ValueError for an unclosed quote or comment."""
    chars = list(sql)
    semicolons: list[int] = []
    n = len(sql)
    i = 0

    def blank(a: int, b: int) -> None:
        for k in range(a, b):
            if chars[k] != "\n":
                chars[k] = " "

    while i < n:
        ch = sql[i]
        if sql.startswith("--", i):
            j = sql.find("\n", i)
            j = n if j < 0 else j
            blank(i, j)
            i = j
        elif sql.startswith("/*", i):
            depth, j = 0, i
            while j < n:
                if sql.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif sql.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                    if depth == 0:
                        break
                else:
                    j += 1
            if depth:
                raise ValueError("SQL 中有未结束的注释（/* 缺少 */）。")
            blank(i, j)
            i = j
        elif ch in "'\"":
            # E'...' strings allow backslash escapes; otherwise a doubled quote is the escape.
            backslash = ch == "'" and i > 0 and sql[i - 1] in "eE" and (i < 2 or not _is_word(sql[i - 2]))
            j = i + 1
            while True:
                if j >= n:
                    raise ValueError("SQL 中有未配对的引号，请检查字符串或带引号的名称。")
                if (backslash and sql[j] == "\\") or sql.startswith(ch * 2, j):  # an escaped quote
                    j += 2
                elif sql[j] == ch:
                    break
                else:
                    j += 1
            i = j + 1
        elif ch == "$" and (tag := _DOLLAR_TAG.match(sql, i)) and (i == 0 or not _is_word(sql[i - 1])):
            close = sql.find(tag.group(), tag.end())
            if close < 0:
                raise ValueError("SQL 中有未结束的 $$ 字符串。")
            i = close + len(tag.group())
        else:
            if ch == ";":
                semicolons.append(i)
            i += 1
    return "".join(chars), semicolons


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"
