"""党费台账: each member's dues, month by month."""

from dagster_project.contracts.common import MEMBER
from dagster_project.contracts.model import Column, Reference, SheetKind

DUES = SheetKind(
    "dues",
    "党费台账",
    (
        MEMBER,
        Column("month", "月份", "month", required=True),
        Column("amount_due", "应交金额", "float", required=True, min_value=0),
        Column("amount_paid", "实交金额", "float", min_value=0),
        Column("paid_on", "交纳日期", "date"),
    ),
    key=("member_key", "month"),
    references=(Reference("member_key", "members", "month"),),
)
