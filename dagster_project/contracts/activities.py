"""组织生活台账: the meetings and activities each party organisation held."""

from dagster_project.contracts.common import ORG
from dagster_project.contracts.model import Column, Reference, RowRule, SheetKind

ACTIVITY_TYPES = (
    "支部党员大会",
    "支部委员会",
    "党小组会",
    "党课",
    "主题党日",
    "组织生活会",
    "民主评议党员",
    "谈心谈话",
    "志愿服务",
    "宣传活动",
    "理论学习中心组",
    "党政联席会议",
)

ACTIVITIES = SheetKind(
    "activities",
    "组织生活台账",
    (
        ORG,
        Column("activity_type", "活动类型", required=True, allowed=ACTIVITY_TYPES),
        Column("held_on", "日期", "date", required=True),
        Column("expected", "应到人数", "int", min_value=0),
        Column("attended", "实到人数", "int", min_value=0),
        Column("topic", "主题"),
        Column("speaker_key", "主讲人工号", "code", note="党课填写"),
    ),
    key=("org_code", "activity_type", "held_on", "topic"),
    row_rules=(RowRule("attended", ">", "expected", "实到人数大于应到人数"),),
    references=(Reference("org_code", "orgs", "held_on"),),
)
