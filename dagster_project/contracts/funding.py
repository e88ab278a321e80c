"""经费台账: each party organisation's grants, spending and 党费返还."""

from dagster_project.contracts.common import ORG
from dagster_project.contracts.model import Column, Reference, SheetKind

FUNDING_TYPES = ("拨款", "支出", "党费返还")
FUNDING_CATEGORIES = ("教育培训", "学习资料", "表彰奖励", "阵地建设", "实践活动", "困难帮扶", "其它")

FUNDING = SheetKind(
    "funding",
    "经费台账",
    (
        ORG,
        Column("booked_on", "日期", "date", required=True),
        Column("funding_type", "类型", required=True, allowed=FUNDING_TYPES),
        Column("category", "类别", allowed=FUNDING_CATEGORIES),
        Column("amount", "金额", "float", required=True, min_value=0, min_exclusive=True),
        Column("purpose", "事由"),
    ),
    key=("org_code", "booked_on", "funding_type", "category", "amount", "purpose"),
    references=(Reference("org_code", "orgs", "booked_on"),),
)
