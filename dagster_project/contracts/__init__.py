"""The input contract: one declaration per sheet kind, one module per kind.

Everything that needs to know what a sheet looks like reads it from here: the reader (header
recognition, typing, row rules, the columns it adds, the checks across files), the demo generator
(which headers to write), the blank templates and the raw source docs of dbt.

To add a sheet kind (docs/recipes.md): write its module beside these (columns, key, row rules,
derived columns, references), list it in SHEET_KINDS below, regenerate the dbt source docs
(`uv run python -m dagster_project.ingest.raw_docs`) and write its staging model;
tests/ingest/test_contract_complete.py says what is still missing.
"""

import hashlib

from dagster_project.contracts.activities import ACTIVITIES
from dagster_project.contracts.adjustments import ADJUSTMENTS
from dagster_project.contracts.checklist import CHECKLIST
from dagster_project.contracts.development import DEVELOPMENT
from dagster_project.contracts.dues import DUES
from dagster_project.contracts.evaluations import EVALUATIONS
from dagster_project.contracts.funding import FUNDING
from dagster_project.contracts.members import MEMBERS
from dagster_project.contracts.model import CodeSet, Column, Derived, Reference, RowRule, SheetKind
from dagster_project.contracts.orgs import BRANCH_TYPES, ORGS
from dagster_project.contracts.rectifications import RECTIFICATIONS
from dagster_project.contracts.tasks import TASKS
from dagster_project.contracts.training import TRAINING

# The order is the order of raw's tables, the templates and the source docs, and breaks ties when a
# header row fits two kinds equally well.
SHEET_KINDS: tuple[SheetKind, ...] = (
    ORGS,
    MEMBERS,
    TRAINING,
    ACTIVITIES,
    FUNDING,
    DUES,
    TASKS,
    EVALUATIONS,
    ADJUSTMENTS,
    CHECKLIST,
    RECTIFICATIONS,
    DEVELOPMENT,
)

KINDS: dict[str, SheetKind] = {k.kind: k for k in SHEET_KINDS}

# The codes rows of other sheets refer to (SheetKind.references), each of a year.
CODE_SETS: dict[str, CodeSet] = {
    "orgs": CodeSet("orgs", "org_code", "组织架构"),
    "branches": CodeSet("orgs", "org_code", "组织架构（作为党支部）", only=("org_type", BRANCH_TYPES)),
    "members": CodeSet("members", "member_key", "党员花名册"),
}


def contract_fingerprint() -> str:
    """Short hash of every declaration: it changes whenever what the reader looks for does."""
    return hashlib.sha256(repr((SHEET_KINDS, CODE_SETS)).encode()).hexdigest()[:12]


__all__ = [
    "CODE_SETS",
    "KINDS",
    "SHEET_KINDS",
    "CodeSet",
    "Column",
    "Derived",
    "Reference",
    "RowRule",
    "SheetKind",
    "contract_fingerprint",
]
