"""党员花名册: every party member of a year and the branch they belong to."""

from dagster_project.contracts.common import MEMBER, YEAR
from dagster_project.contracts.model import Column, Reference, RowRule, SheetKind

MEMBER_CATEGORIES = ("教职工", "学生", "离退休")
MEMBER_STATUSES = ("正式党员", "预备党员")
PARTY_ROLES = ("书记", "副书记", "组织委员", "宣传委员", "纪检委员", "党小组长", "组织员", "普通党员")

MEMBERS = SheetKind(
    "members",
    "党员花名册",
    (
        YEAR,
        MEMBER,
        Column("member_name", "姓名", required=True),
        Column("gender", "性别", allowed=("男", "女")),
        Column("born_on", "出生日期", "date"),
        Column("id_card", "公民身份证号码", "idcard", aliases=("身份证号",)),
        Column("category", "人员类别", required=True, allowed=MEMBER_CATEGORIES),
        Column(
            "branch_code",
            "所在党支部编码",
            "code",
            required=True,
            aliases=("支部编码",),
            name_headers=("所在党支部",),
            note="也可填「所在党支部」（支部全称，须与组织架构一致）",
        ),
        Column("status", "党籍状态", required=True, allowed=MEMBER_STATUSES),
        Column("joined_on", "入党日期", "date"),
        Column("confirmed_on", "转正日期", "date"),
        Column("party_role", "党内职务", allowed=PARTY_ROLES, note="留空即普通党员", default="普通党员"),
        Column("lost_contact", "是否失联党员", "bool"),
        Column("floating", "是否流动党员", "bool"),
    ),
    key=("year", "member_key"),
    row_rules=(
        RowRule("joined_on", "<", "born_on", "入党日期早于出生日期满18周岁之日", years=18),
        RowRule("confirmed_on", "<", "joined_on", "转正日期早于入党日期"),
    ),
    references=(Reference("branch_code", "branches", "year"),),
)
