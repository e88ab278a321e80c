"""责任清单自查: each college's answers to the 36 questions of the responsibility checklist."""

from dagster_project.contracts.common import ORG, YEAR
from dagster_project.contracts.model import Column, Reference, SheetKind

CHECKLIST_ANSWERS = ("是", "部分", "否")

CHECKLIST = SheetKind(
    "checklist",
    "责任清单自查",
    (
        YEAR,
        ORG,
        Column("question_no", "题号", "int", required=True, min_value=1, max_value=36),
        Column("answer", "结论", required=True, allowed=CHECKLIST_ANSWERS),
    ),
    key=("year", "org_code", "question_no"),
    references=(Reference("org_code", "orgs", "year"),),
)
