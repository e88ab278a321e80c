"""The input contract: one declaration per sheet kind.

Everything that needs to know what a sheet looks like reads it from here: the reader (header
recognition, typing, row rules), the demo generator (which headers to write) and the blank templates.
Canonical column names are ASCII snake_case so that nothing past `raw` needs quoted Chinese
identifiers; the Chinese header is what users see.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Column:
    name: str
    header: str
    type: str = "str"  # str | code | int | float | date | month | bool | deadline | idcard
    required: bool = False
    aliases: tuple[str, ...] = ()
    allowed: tuple[str, ...] | None = None
    min_value: float | None = None
    max_value: float | None = None
    min_exclusive: bool = False
    note: str = ""
    # Headers under which users give a name instead of the code; the name is kept in
    # `<name>_name` and resolved to the code against 组织架构 once every file is read.
    name_headers: tuple[str, ...] = ()

    @property
    def headers(self) -> tuple[str, ...]:
        return (self.header, *self.aliases)

    @property
    def name_column(self) -> str:
        return f"{self.name}_name"


@dataclass(frozen=True)
class SheetKind:
    kind: str
    title: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = field(default=())
    note: str = ""

    @property
    def table(self) -> str:
        return self.kind

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def named(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.name_headers)

    @property
    def required(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.required)


ORG_TYPES = ("党委", "党总支", "直属党支部", "党支部")
BRANCH_CATEGORIES = ("教工", "学生", "机关", "后勤", "离退休", "混合")
MEMBER_CATEGORIES = ("教职工", "学生", "离退休")
MEMBER_STATUSES = ("正式党员", "预备党员")
PARTY_ROLES = ("书记", "副书记", "组织委员", "宣传委员", "纪检委员", "党小组长", "组织员", "普通党员")
TRAINING_FORMS = ("集中培训", "专题讲座", "支部学习", "网络学习", "主题实践")
ACTIVITY_TYPES = (
    "支部党员大会",
    "支部委员会",
    "党小组会",
    "党课",
    "主题党日",
    "组织生活会",
    "民主评议党员",
    "谈心谈话",
    "志愿服务",
    "宣传活动",
    "理论学习中心组",
    "党政联席会议",
)
FUNDING_TYPES = ("拨款", "支出", "党费返还")
FUNDING_CATEGORIES = ("教育培训", "学习资料", "表彰奖励", "阵地建设", "实践活动", "困难帮扶", "其它")
TASK_STATUSES = ("未启动", "推进中", "已完成")
ADJUSTMENT_TYPES = ("加分", "扣分", "一票否决")
CHECKLIST_ANSWERS = ("是", "部分", "否")

TASK_OWNERS_NOTE = (
    "党组织填组织编码或全称（须与组织架构一致），"
    "职能部门填规则表 departments.csv 中的名称（如 党委组织部、财务处）；"
    "多个单位用，、；/隔开，第一个为牵头单位；“各党总支、直属党支部”指全部党总支和直属党支部，"
    "“各二级党组织”“各院系党组织”指全部二级党组织"
)

_YEAR = Column("year", "年度", "int", required=True, min_value=2000, max_value=2100)
_MEMBER = Column("member_key", "工号/学号", "code", required=True, aliases=("工号", "学号", "人员编号"))
_ORG = Column("org_code", "组织编码", "code", required=True)

SHEET_KINDS: tuple[SheetKind, ...] = (
    SheetKind(
        "orgs",
        "组织架构",
        (
            _YEAR,
            _ORG,
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
    ),
    SheetKind(
        "members",
        "党员花名册",
        (
            _YEAR,
            _MEMBER,
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
            Column("party_role", "党内职务", allowed=PARTY_ROLES, note="留空即普通党员"),
            Column("lost_contact", "是否失联党员", "bool"),
            Column("floating", "是否流动党员", "bool"),
        ),
        key=("year", "member_key"),
    ),
    SheetKind(
        "training",
        "学习培训台账",
        (
            _MEMBER,
            Column("member_name", "姓名"),
            Column("course", "培训名称", required=True),
            Column("form", "形式", allowed=TRAINING_FORMS),
            Column("started_on", "开始日期", "date", required=True),
            Column("ended_on", "结束日期", "date"),
            Column("hours", "学时", "float", required=True, min_value=0, min_exclusive=True, max_value=200),
            Column("organizer", "主办单位"),
        ),
        key=("member_key", "course", "started_on"),
    ),
    SheetKind(
        "activities",
        "组织生活台账",
        (
            _ORG,
            Column("activity_type", "活动类型", required=True, allowed=ACTIVITY_TYPES),
            Column("held_on", "日期", "date", required=True),
            Column("expected", "应到人数", "int", min_value=0),
            Column("attended", "实到人数", "int", min_value=0),
            Column("topic", "主题"),
            Column("speaker_key", "主讲人工号", "code", note="党课填写"),
        ),
        key=("org_code", "activity_type", "held_on", "topic"),
    ),
    SheetKind(
        "funding",
        "经费台账",
        (
            _ORG,
            Column("booked_on", "日期", "date", required=True),
            Column("funding_type", "类型", required=True, allowed=FUNDING_TYPES),
            Column("category", "类别", allowed=FUNDING_CATEGORIES),
            Column("amount", "金额", "float", required=True, min_value=0, min_exclusive=True),
            Column("purpose", "事由"),
        ),
        key=("org_code", "booked_on", "funding_type", "category", "amount", "purpose"),
    ),
    SheetKind(
        "dues",
        "党费台账",
        (
            _MEMBER,
            Column("month", "月份", "month", required=True),
            Column("amount_due", "应交金额", "float", required=True, min_value=0),
            Column("amount_paid", "实交金额", "float", min_value=0),
            Column("paid_on", "交纳日期", "date"),
        ),
        key=("member_key", "month"),
    ),
    SheetKind(
        "tasks",
        "任务清单",
        (
            _YEAR,
            Column("task_id", "任务编号", "code", required=True),
            Column("task", "工作任务", required=True),
            Column("task_source", "任务来源"),
            Column(
                "owners",
                "责任单位",
                required=True,
                aliases=("责任部门", "责任单位编码"),
                note=TASK_OWNERS_NOTE,
            ),
            Column("responsible_person", "责任人"),
            Column("deadline", "完成时限", "deadline", required=True),
            Column("status", "进度状态", required=True, allowed=TASK_STATUSES),
            Column("completed_on", "完成日期", "date"),
            Column(
                "points",
                "考核分值",
                "float",
                min_value=0,
                note="填写后，学院“任务按期完成率”“任务完成率”按分值加权；不填的任务按1分计",
            ),
        ),
        key=("year", "task_id", "owners"),
        note=(
            "责任单位可填党组织（编码或全称）或职能部门，一格可填多个单位（用，、；/隔开，第一个为牵头单位），"
            "也可填“各党总支、直属党支部”“各二级党组织”；入库时逐个核对，每个责任单位一行"
        ),
    ),
    SheetKind(
        "evaluations",
        "述职评议",
        (
            _YEAR,
            _ORG,
            Column("votes_good", "好", "int", required=True, min_value=0),
            Column("votes_fair_good", "较好", "int", required=True, min_value=0),
            Column("votes_average", "一般", "int", required=True, min_value=0),
            Column("votes_poor", "差", "int", required=True, min_value=0),
        ),
        key=("year", "org_code"),
    ),
    SheetKind(
        "adjustments",
        "加减分",
        (
            _YEAR,
            _ORG,
            Column("adjustment_type", "类型", required=True, allowed=ADJUSTMENT_TYPES),
            Column("points", "分值", "float", min_value=0, note="一票否决不填"),
            Column("reason", "事由", required=True),
            Column("basis", "依据"),
        ),
        key=("year", "org_code", "adjustment_type", "reason"),
    ),
    SheetKind(
        "checklist",
        "责任清单自查",
        (
            _YEAR,
            _ORG,
            Column("question_no", "题号", "int", required=True, min_value=1, max_value=36),
            Column("answer", "结论", required=True, allowed=CHECKLIST_ANSWERS),
        ),
        key=("year", "org_code", "question_no"),
    ),
)

KINDS: dict[str, SheetKind] = {k.kind: k for k in SHEET_KINDS}
