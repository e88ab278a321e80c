"""发展党员台账: one row per person in the pipeline (申请人, 积极分子, 发展对象, 预备党员, newly 正式党员),
as the college's ledger stands in a year, with the date of every step of 《中国共产党发展党员工作细则》.

Only typing, future dates and an unknown branch are rejects here. Dates out of order or too close
together, and a 培养联系人 who is unknown or not a 正式党员, are what the audit reports
(dbt/models/intermediate/development/, seeds/rule_development.csv): a rejected row would hide the very
problem the 组织员 needs to see. A person need not be on the 党员花名册 (not a member yet, or the
roster lags), so member_key refers to nothing.
"""

from dagster_project.contracts.common import YEAR
from dagster_project.contracts.model import Column, Reference, SheetKind

PERSON_CATEGORIES = ("教职工", "学生")
VETTING_RESULTS = ("合格", "不合格")

DEVELOPMENT = SheetKind(
    "development",
    "发展党员台账",
    (
        YEAR,
        Column("member_key", "工号/学号", "code", required=True, aliases=("学号", "工号")),
        Column("person_name", "姓名", required=True),
        Column("gender", "性别", allowed=("男", "女")),
        Column("born_on", "出生日期", "date", required=True),
        Column("category", "人员类别", required=True, allowed=PERSON_CATEGORIES),
        Column(
            "branch_code",
            "所在党支部编码",
            "code",
            required=True,
            aliases=("支部编码",),
            name_headers=("所在党支部",),
            note="也可填「所在党支部」（支部全称，须与组织架构一致）",
        ),
        Column("applied_on", "申请入党日期", "date", required=True, aliases=("递交入党申请书日期",)),
        Column("talked_on", "谈话日期", "date"),
        Column("activist_on", "确定入党积极分子日期", "date", aliases=("确定积极分子日期",)),
        Column(
            "contacts",
            "培养联系人",
            note="一至两名正式党员的工号，多名用「、」「,」或「;」分隔",
        ),
        Column("candidate_on", "确定发展对象日期", "date"),
        Column("vetting", "政治审查结论", allowed=VETTING_RESULTS, note="留空即尚未政审"),
        Column("training_hours", "集中培训学时", "float", min_value=0, max_value=500),
        Column("notice_from", "公示开始日期", "date"),
        Column("notice_to", "公示结束日期", "date"),
        Column(
            "admitted_on",
            "支部大会接收日期",
            "date",
            aliases=("接收预备党员日期", "入党日期"),
            note="支部大会讨论接收为预备党员之日（即入党时间）",
        ),
        Column("approved_on", "党委审批日期", "date"),
        Column("confirmed_on", "转正日期", "date"),
        Column("extended", "延长预备期", "bool"),
    ),
    key=("year", "member_key"),
    note=(
        "每人一行（入党申请人、积极分子、发展对象、预备党员及新转正的党员），每年报送当年的台账。"
        "日期顺序、间隔与培养联系人的问题不拒收，由发展党员审核列出；不要求本人在党员花名册上。"
    ),
    references=(Reference("branch_code", "branches", "year"),),
)
