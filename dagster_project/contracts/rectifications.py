"""整改台账: what a party org did about each problem of the 问题清单 (marts.problems), or about a
problem it found itself (no 问题编号). `dangjian problems` writes it pre-filled; a pre-filled row sent
back with neither measure nor status means 未整改 and is not a reject. Whether a 问题编号 is one of the
warehouse's problems is checked after the problems are computed (dbt: int_rectification_rows_checked).
No business key: a college may send the same problem again as it progresses; the latest row counts."""

from dagster_project.contracts.common import ORG, YEAR
from dagster_project.contracts.model import Column, Derived, Reference, RowRule, SheetKind

RECTIFICATION_STATUSES = ("未启动", "整改中", "已完成")

RECTIFICATIONS = SheetKind(
    "rectifications",
    "整改台账",
    (
        Column(
            YEAR.name,
            YEAR.header,
            YEAR.type,
            required=True,
            min_value=YEAR.min_value,
            max_value=YEAR.max_value,
            note="发现问题的年度",
        ),
        Column("problem_id", "问题编号", "code", note="问题清单的问题编号；本单位自查发现的问题留空"),
        ORG,
        Column("description", "问题描述", note="问题编号留空时必填"),
        Column("measure", "整改措施", note="填写整改状态时必填；预填的行两者都不填即为未整改"),
        Column("responsible_person", "责任人"),
        Column(
            "deadline",
            "整改时限",
            "deadline",
            year_from="year",
            note="日期或时限文字（如 2025年6月底前、第二季度），写法同任务清单的完成时限；填写整改措施时必填",
        ),
        Column("status", "整改状态", allowed=RECTIFICATION_STATUSES, note="填写整改措施时必填"),
        Column("completed_on", "完成日期", "date", note="整改状态为已完成时必填，不能晚于今天"),
        Column("evidence", "佐证材料"),
    ),
    note=(
        "每个问题一行；问题编号来自问题清单（dangjian problems 导出的预填表），"
        "自查发现的问题不填问题编号、须写问题描述"
    ),
    row_rules=(
        RowRule("description", "required_unless", "problem_id", "问题编号留空时须填写问题描述"),
        RowRule("measure", "required_if", "status", "填写了整改状态，须填写整改措施"),
        RowRule("status", "required_if", "measure", "填写了整改措施，须填写整改状态"),
        RowRule("deadline", "required_if", "measure", "填写了整改措施，须填写整改时限"),
        RowRule(
            "completed_on", "required_if", "status", "整改状态为已完成，须填写完成日期", values=("已完成",)
        ),
    ),
    derived=(
        Derived("deadline_text", "deadline", "text", "str", "整改时限原文；deadline 为解析后的日期"),
        Derived("ongoing", "deadline", "ongoing", "bool", "整改时限是否为长期（如“长期坚持”），无具体日期"),
    ),
    references=(Reference("org_code", "orgs", "year"),),
)
