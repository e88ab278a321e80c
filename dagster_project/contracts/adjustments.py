"""加减分: bonus and penalty points, and the 一票否决, given to an organisation for a year."""

from dagster_project.contracts.common import ORG, YEAR
from dagster_project.contracts.model import Column, Reference, SheetKind

ADJUSTMENT_TYPES = ("加分", "扣分", "一票否决")

ADJUSTMENTS = SheetKind(
    "adjustments",
    "加减分",
    (
        YEAR,
        ORG,
        Column("adjustment_type", "类型", required=True, allowed=ADJUSTMENT_TYPES),
        Column("points", "分值", "float", min_value=0, note="一票否决不填"),
        Column("reason", "事由", required=True),
        Column("basis", "依据"),
    ),
    key=("year", "org_code", "adjustment_type", "reason"),
    references=(Reference("org_code", "orgs", "year"),),
    org_only=True,
)
