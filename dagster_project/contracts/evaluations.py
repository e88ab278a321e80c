"""述职评议: the votes on each organisation's secretary's 抓党建述职."""

from dagster_project.contracts.common import ORG, YEAR
from dagster_project.contracts.model import Column, Reference, SheetKind

EVALUATIONS = SheetKind(
    "evaluations",
    "述职评议",
    (
        YEAR,
        ORG,
        Column("votes_good", "好", "int", required=True, min_value=0),
        Column("votes_fair_good", "较好", "int", required=True, min_value=0),
        Column("votes_average", "一般", "int", required=True, min_value=0),
        Column("votes_poor", "差", "int", required=True, min_value=0),
    ),
    key=("year", "org_code"),
    references=(Reference("org_code", "orgs", "year"),),
    org_only=True,
)
