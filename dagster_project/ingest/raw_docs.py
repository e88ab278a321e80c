"""The dbt source docs of the inbox (`dbt/models/staging/_inbox__sources.yml`), written from the
contract and the DDL the ingest creates: every table and column with its description in Chinese.

Rewrite the file with `uv run python -m dagster_project.ingest.raw_docs` after changing the contract
(tests/cli/test_templates.py checks that they agree).
"""

import json

from dagster_project.contracts import SHEET_KINDS, SheetKind
from dagster_project.contracts.explain import column_description, name_description
from dagster_project.home import DBT_DIR
from dagster_project.ingest.store import expected_tables
from dagster_project.ingest.task_owners import OWNERS_DOCS, OWNERS_TABLE

SOURCES_PATH = DBT_DIR / "models" / "staging" / "_inbox__sources.yml"

# Descriptions of the columns the ingest adds to every sheet kind's table (a kind's own added columns
# are described where it declares them: SheetKind.derived); every column of the raw DDL has one.
LINEAGE_DOCS: dict[str, str] = {
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

SUBMISSIONS_DOCS: dict[str, str] = {
    "submission_id": "提交编号",
    "submitted_at": "提交时间",
    "user_name": "提交人（看板登录用户名）",
    "role": "提交人角色：org 组织部，college 学院",
    "college_code": "为哪个学院（二级党组织编码）提交；组织部提交全校表格时为空",
    "original_name": "用户提交时的文件名（只用于显示，不作为存放路径）",
    "file_hash": "文件内容的 SHA-256 哈希；未接收的文件为空",
    "stored_name": "放入收件箱时的文件名（由学院、表类型、时间、哈希生成），即 files 的 source_file",
    "kinds": "预检时识别出的表类型（逗号分隔）",
    "periods": "预检时文件涉及的年度或月份（逗号分隔）",
    "rows_read": "预检读取的数据行数",
    "rows_ok": "预检可入库的行数",
    "rows_rejected": "预检将退回的行数",
    "refused": "整份文件未接收的原因；为空表示已放入收件箱",
}


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def raw_tables() -> dict[str, list[tuple[str, str]]]:
    """Every table of schema `raw` as [(column, DuckDB type)], read from the DDL the ingest creates."""
    tables = {}
    for table, ddl in expected_tables().items():
        tables[table] = [
            (part.split()[0].strip('"'), part.split()[1]) for part in (p.strip() for p in ddl.split(","))
        ]
    return tables


def _raw_description(kind: SheetKind | None, table: str, column: str) -> str:
    if kind is None:
        docs = {
            "rejects": REJECTS_DOCS,
            "files": FILES_DOCS,
            OWNERS_TABLE: OWNERS_DOCS,
            "submissions": SUBMISSIONS_DOCS,
        }[table]
        if column in docs:
            return docs[column]
    else:
        for c in kind.columns:
            if c.name == column:
                return column_description(c)
            if c.name_headers and c.name_column == column:
                return name_description(c)
        for d in kind.derived:
            if d.name == column:
                return d.doc
        if column in LINEAGE_DOCS:
            return LINEAGE_DOCS[column]
    raise ValueError(f"raw.{table}.{column} 没有说明：请在 dagster_project/ingest/raw_docs.py 中补上")


def render_dbt_sources() -> str:
    """The YAML text of `dbt/models/staging/_inbox__sources.yml`, generated from the contract and the raw
    DDL (a column without a description is an error).

    The source is the inbox (what the colleges hand in, as the ingest wrote it into schema `raw`), so
    the staging models are `stg_inbox__<table>`; each table keeps the Dagster asset key of the ingest
    asset that writes it (`raw/<table>`), so the lineage runs from the inbox to the marts."""
    lines = [
        "# Generated from dagster_project/contracts by dagster_project/ingest/raw_docs.py; do not edit.",
        "# Regenerate with: uv run python -m dagster_project.ingest.raw_docs",
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
        "submissions": "报送记录：经看板「数据报送」或 dangjian submit 提交的每个文件"
        "（archive/submissions.jsonl）",
        OWNERS_TABLE: "任务清单各行的责任单位：每行每个责任单位一行（党组织或职能部门），"
        "由「责任单位」格拆分、核对而来；核对不通过的行进 rejects，不在此表",
    }
    for kind in SHEET_KINDS:
        key = "、".join(kind.column(name).header for name in kind.key) or "无（同一问题可再次报送）"
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
