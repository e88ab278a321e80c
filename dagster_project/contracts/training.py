"""学习培训台账: each member's training, with its hours."""

from dagster_project.contracts.common import MEMBER
from dagster_project.contracts.model import Column, Reference, SheetKind

TRAINING_FORMS = ("集中培训", "专题讲座", "支部学习", "网络学习", "主题实践")

TRAINING = SheetKind(
    "training",
    "学习培训台账",
    (
        MEMBER,
        Column("member_name", "姓名"),
        Column("course", "培训名称", required=True),
        Column("form", "形式", allowed=TRAINING_FORMS),
        Column("started_on", "开始日期", "date", required=True),
        Column("ended_on", "结束日期", "date"),
        Column("hours", "学时", "float", required=True, min_value=0, min_exclusive=True, max_value=200),
        Column("organizer", "主办单位"),
    ),
    key=("member_key", "course", "started_on"),
    references=(Reference("member_key", "members", "started_on"),),
)
