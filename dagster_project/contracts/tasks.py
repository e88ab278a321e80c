"""任务清单: the year's tasks, each with its 责任单位 (party orgs or functional departments) and 完成时限,
as the source documents write them (ingest/task_owners.py, ingest/deadlines.py)."""

from dagster_project.contracts.common import YEAR
from dagster_project.contracts.model import Column, Derived, SheetKind

TASK_STATUSES = ("未启动", "推进中", "已完成")

TASK_OWNERS_NOTE = (
    "党组织填组织编码或全称（须与组织架构一致），"
    "职能部门填规则表 departments.csv 中的名称（如 党委组织部、财务处）；"
    "多个单位用，、；/隔开，第一个为牵头单位；“各党总支、直属党支部”指全部党总支和直属党支部，"
    "“各二级党组织”“各院系党组织”指全部二级党组织"
)

TASKS = SheetKind(
    "tasks",
    "任务清单",
    (
        YEAR,
        Column("task_id", "任务编号", "code", required=True),
        Column("task", "工作任务", required=True),
        Column("task_source", "任务来源"),
        Column(
            "owners",
            "责任单位",
            required=True,
            aliases=("责任部门", "责任单位编码"),
            note=TASK_OWNERS_NOTE,
        ),
        Column("responsible_person", "责任人"),
        Column("deadline", "完成时限", "deadline", required=True, year_from="year"),
        Column("status", "进度状态", required=True, allowed=TASK_STATUSES),
        Column("completed_on", "完成日期", "date"),
        Column(
            "points",
            "考核分值",
            "float",
            min_value=0,
            note="填写后，学院“任务按期完成率”“任务完成率”按分值加权；不填的任务按1分计",
        ),
    ),
    key=("year", "task_id", "owners"),
    note=(
        "责任单位可填党组织（编码或全称）或职能部门，一格可填多个单位（用，、；/隔开，第一个为牵头单位），"
        "也可填“各党总支、直属党支部”“各二级党组织”；入库时逐个核对，每个责任单位一行"
    ),
    derived=(
        Derived(
            "deadline_text",
            "deadline",
            "text",
            "str",
            "完成时限原文（如 2024年5月底前、12月底前，长期坚持）；deadline 为解析后的日期",
        ),
        Derived(
            "ongoing",
            "deadline",
            "ongoing",
            "bool",
            "是否长期任务：完成时限含“长期坚持”“常态化推进”“每学期”等（可同时有日期，如“12月底前，长期坚持”）",
        ),
    ),
    org_only=True,
)
