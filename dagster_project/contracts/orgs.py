"""组织架构: every party organisation of a year, from the university 党委 down to each 党支部."""

from dagster_project.contracts.common import ORG, YEAR
from dagster_project.contracts.model import Column, Reference, SheetKind

ORG_TYPES = ("党委", "党总支", "直属党支部", "党支部")
BRANCH_CATEGORIES = ("教工", "学生", "机关", "后勤", "离退休", "混合")
# The org types that are a 党支部 (a 直属党支部 is one, directly under the university 党委).
BRANCH_TYPES = ("党支部", "直属党支部")

ORGS = SheetKind(
    "orgs",
    "组织架构",
    (
        YEAR,
        ORG,
        Column("org_name", "组织名称", required=True),
        Column("org_type", "组织类型", required=True, allowed=ORG_TYPES),
        Column("parent_code", "上级组织编码", "code", note="校党委留空"),
        Column("branch_category", "支部类别", allowed=BRANCH_CATEGORIES, note="仅党支部填写"),
        Column("secretary_key", "书记工号", "code"),
        Column("secretary_name", "书记姓名"),
        Column("secretary_dual_leader", "书记是否双带头人", "bool"),
        Column("last_election_on", "上次换届日期", "date"),
        Column(
            "term_years",
            "任期年限",
            "int",
            min_value=1,
            max_value=10,
            note="留空时党支部按3年、党委按5年",
        ),
        Column("staff_count", "教职工人数", "int", min_value=0),
        Column("student_count", "学生人数", "int", min_value=0),
        Column("organizer_count", "专职组织员人数", "int", min_value=0),
    ),
    key=("year", "org_code"),
    references=(Reference("parent_code", "orgs", "year"),),
)
