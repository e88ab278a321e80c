"""The demo university of SPEC §8: deterministic, realistic workbooks for `dangjian demo`.

`generate_demo(inbox, seed, scale)` writes, for each assessment year 2023–2025,

* one workbook per 二级党组织, `2024_01_计算机学院党委.xlsx`, with the sheets 党员花名册, 学习培训台账,
  组织生活台账, 经费台账 and 党费台账, and
* one workbook from the 党委组织部, `2024_组织部_考核汇总.xlsx`, with 组织架构, 任务清单, 述职评议,
  加减分 and 责任清单自查,

in the layouts of SPEC §3 with the headers of `contracts.KINDS`: a title row, a blank row, the header
row, the data rows and a 填表人/审核人 footer.

At province scale a sheet outgrows Excel (1,048,576 rows), so `fmt="csv"` or `fmt="parquet"` writes
the same university as one file per workbook sheet, `2024_01_计算机学院党委_学习培训台账.csv`. A CSV
keeps the sheet's layout (title, blank row, header, data, footer: its rows are the workbook's rows); a
Parquet file has the headers as column names and typed columns (a column holding a messy text is a
text column), so its data row i is row i + 2. The same seed and scale give the same people and rows
in every format; only which few dates are written as text in another spelling differs.

The university is built so that rankings and trends mean something. Every college has a diligence level
per year (profiles diligent / average / lax / improving / declining) that drives training hours and
their spread over the year, meeting counts, attendance, spending, dues, task completion, votes and
self-checks. Known problems are planted (an overdue 换届, oversized branches, branches with a committee
but no 支部委员会 records, a secretary who is not 双带头人, one 一票否决), and a handful of messy cells
that a reader must reject are listed in `DemoSummary.messy`.

Determinism: every random draw comes from a `random.Random` seeded from `seed` (string seeds are hashed
with SHA-512, independent of PYTHONHASHSEED) and the workbooks carry a fixed creation time, so the same
seed gives byte-identical files.
"""

from __future__ import annotations

import hashlib
import math
import multiprocessing
import os
import random
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import polars as pl
import xlsxwriter

from dagster_project.contracts import KINDS
from dagster_project.ingest.deadlines import read_deadlines

YEARS = (2023, 2024, 2025)
UNIVERSITY_CODE = "00"
UNIVERSITY_NAME = "华章大学党委"
CREATED = datetime(2026, 1, 1, 8, 0, 0)  # workbook "created" property: fixed, so files are byte-identical
HEADER_ROW = 3  # Excel row of the header (title, blank, header)
FIRST_DATA_ROW = HEADER_ROW + 1
COLLEGE_SHEETS = ("members", "training", "activities", "funding", "dues")
ORG_SHEETS = ("orgs", "tasks", "evaluations", "adjustments", "checklist")
LEADER_ROLES = ("书记", "副书记", "组织委员", "宣传委员", "纪检委员", "组织员")
COMMITTEE_ROLES = ("书记", "副书记", "组织委员", "宣传委员", "纪检委员")
TEXT_DATE_RATE = 0.003  # share of date cells written as text in another spelling (all valid)
FORMATS = ("xlsx", "csv", "parquet")


# --------------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------------


class MessyRow(NamedTuple):
    """One deliberately bad cell; the reader must send its row to the rejects."""

    file: str  # file name in the inbox
    sheet: str
    row: int  # Excel row number as the user sees it
    column: str  # the column's header
    value: str  # the raw value written ("" = left blank)
    reason: str


@dataclass
class DemoSummary:
    """What `generate_demo` wrote, and where the planted problems are (for tests and the CLI)."""

    inbox: Path
    seed: int
    scale: float
    years: tuple[int, ...]
    files: list[Path]
    colleges: int  # 二级党组织 directly under the university 党委
    branches: int  # 党支部 (org_type 党支部; the 直属党支部 is counted as a college)
    members: dict[int, int]  # roster rows per year, messy extras not counted
    rows: dict[str, int]  # data rows written per sheet kind, all years, messy rows included
    messy: list[MessyRow]
    profiles: dict[str, str]  # college code -> diligent | average | lax | improving | declining
    diligence: dict[str, dict[int, float]]  # college code -> year -> level in 0..1
    veto: tuple[int, str]  # (year, college code) of the single 一票否决
    overdue_college: str  # college whose branches are all overdue for 换届 in every year
    oversized_branches: list[str]  # > 50 members, or 学生 branches > 30
    no_committee_branches: list[str]  # ≥ 7 正式党员 but no 支部委员会 records
    not_dual_leader_branch: str  # the one 教工 branch whose secretary is not 双带头人
    small_branches: list[str] = field(default_factory=list)  # < 7 正式党员: no 支委会 required
    fmt: str = "xlsx"  # xlsx | csv | parquet


# From this scale on the books are written by worker processes (each rebuilds the same university
# from the seed, about a second per 10× of scale); below it starting them costs more than it saves.
POOL_MIN_SCALE = 2.0


def generate_demo(
    inbox: Path, seed: int = 2026, scale: float = 1.0, fmt: str = "xlsx", workers: int | None = None
) -> DemoSummary:
    """Write the demo university's files for 2023–2025 into `inbox` and describe what was written.
    fmt: xlsx (one workbook per unit and year), csv or parquet (one file per workbook sheet).
    workers: processes writing books side by side (default: one per core, at most 2, from scale
    POOL_MIN_SCALE on); every book depends only on the seed, so the files are the same either way."""
    if scale <= 0:
        raise ValueError("scale must be > 0")
    if fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {FORMATS}")
    inbox = Path(inbox)
    inbox.mkdir(parents=True, exist_ok=True)
    uni = _build(seed, scale)
    units = [(year, where) for year in YEARS for where in [*(c.code for c in uni.colleges), "org"]]
    if workers is None:
        workers = min(2, os.cpu_count() or 1) if scale >= POOL_MIN_SCALE else 1
    if workers > 1:
        with ProcessPoolExecutor(
            workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
            initargs=(seed, scale),
        ) as pool:
            years, wheres = zip(*units, strict=True)
            written = list(pool.map(partial(_write_unit_in_worker, inbox, fmt), years, wheres))
    else:  # one book at a time, so that memory stays bounded at large scales
        written = [_write_unit(uni, inbox, fmt, year, where) for year, where in units]
    rows: dict[str, int] = defaultdict(int)
    messy: list[MessyRow] = []
    files: list[Path] = []
    for unit_files, unit_messy, unit_rows in written:
        files += unit_files
        messy += unit_messy
        for kind, n in unit_rows.items():
            rows[kind] += n
    members = {year: sum(len(b.roster[year]) for c in uni.colleges for b in c.branches) for year in YEARS}
    return DemoSummary(
        inbox=inbox,
        seed=seed,
        scale=scale,
        years=YEARS,
        files=files,
        colleges=len(uni.colleges),
        branches=sum(len(c.branches) for c in uni.colleges if c.kind != "direct"),
        members=members,
        rows=dict(rows),
        messy=messy,
        profiles={c.code: c.profile for c in uni.colleges},
        diligence={c.code: dict(c.diligence) for c in uni.colleges},
        veto=uni.veto,
        overdue_college=uni.overdue_college,
        oversized_branches=uni.oversized,
        no_committee_branches=uni.no_committee,
        not_dual_leader_branch=uni.not_dual_leader,
        small_branches=uni.small,
        fmt=fmt,
    )


_WORKER_UNIVERSITY: _University | None = None


def _start_worker(seed: int, scale: float) -> None:
    global _WORKER_UNIVERSITY
    _WORKER_UNIVERSITY = _build(seed, scale)


def _write_unit_in_worker(
    inbox: Path, fmt: str, year: int, where: str
) -> tuple[list[Path], list[MessyRow], dict[str, int]]:
    assert _WORKER_UNIVERSITY is not None
    return _write_unit(_WORKER_UNIVERSITY, inbox, fmt, year, where)


def _write_unit(
    uni: _University, inbox: Path, fmt: str, year: int, where: str
) -> tuple[list[Path], list[MessyRow], dict[str, int]]:
    """The files of one unit (a college code, or "org" for the 组织部) for one year: the paths, the
    messy rows planted in them and the rows written per sheet kind."""
    if where == "org":
        book = _org_sheets(uni, year)
    else:
        book = _college_sheets(uni, next(c for c in uni.colleges if c.code == where), year)
    _plant_messy(uni, year, where, book)
    rows: dict[str, int] = defaultdict(int)
    if fmt == "xlsx":
        path = inbox / book.file_name
        return [path], _write_book(path, book, rows), dict(rows)
    paths, messy = [], []
    for sheet in book.sheets:
        path = inbox / f"{Path(book.file_name).stem}_{KINDS[sheet.kind].title}.{fmt}"
        paths.append(path)
        messy += _write_table(path, sheet, book.seed_tag, rows)
    return paths, messy, dict(rows)


# --------------------------------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------------------------------

TEACHING_COLLEGES = (
    "计算机学院",
    "机械工程学院",
    "电气与自动化学院",
    "土木工程学院",
    "化学与材料学院",
    "经济管理学院",
    "外国语学院",
    "文学与传媒学院",
    "马克思主义学院",
    "数学与统计学院",
    "物理与电子信息学院",
    "生命科学学院",
    "艺术设计学院",
    "法学院",
    "体育学院",
    "教育学院",
)
ADMIN_BRANCHES = (
    "党政办公室党支部",
    "党委组织部党支部",
    "党委宣传部党支部",
    "纪委办公室党支部",
    "人事处党支部",
    "教务处党支部",
    "科学技术处党支部",
    "学生工作部党支部",
    "财务处党支部",
    "国有资产管理处党支部",
    "招生就业处党支部",
    "国际交流合作处党支部",
    "校团委党支部",
    "研究生院党支部",
    "审计处党支部",
    "保卫处党支部",
    "发展规划处党支部",
    "网络信息中心党支部",
)
LOGISTICS_BRANCHES = (
    "后勤管理处党支部",
    "饮食服务中心党支部",
    "物业服务中心党支部",
    "校医院党支部",
    "基建处党支部",
    "能源保障中心党支部",
    "公寓管理中心党支部",
)
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴"
)
GIVEN_MALE = "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭宁龙林阳峰建国志文博昊然轩睿哲毅诚"
GIVEN_FEMALE = "芳娜敏静丽艳娟霞秀玲婷雪琳晶颖佳怡欣悦倩瑶璐萍红梅兰丹慧琪蕾洁妍君岚馨薇"
GIVEN_ANY = "晓海天子一思新嘉雨安心春立永成泽清雅晨语宏"
REGIONS = (
    "110105",
    "110108",
    "120104",
    "130102",
    "140105",
    "210102",
    "220104",
    "230103",
    "310104",
    "310115",
    "320102",
    "320506",
    "330106",
    "340104",
    "350102",
    "360102",
    "370102",
    "370202",
    "410105",
    "420106",
    "430104",
    "440106",
    "440305",
    "450103",
    "500106",
    "510107",
    "520102",
    "530102",
    "610113",
    "620102",
)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)

COURSES_BY_YEAR = {
    2023: ("学习贯彻习近平新时代中国特色社会主义思想主题教育", "学习贯彻党的二十大精神专题培训"),
    2024: ("党纪学习教育专题培训", "学习贯彻党的二十届三中全会精神专题培训"),
    2025: ("深入贯彻中央八项规定精神学习教育", "学习贯彻党的二十届四中全会精神专题培训"),
}
LECTURES = (
    "《中国共产党章程》专题讲座",
    "《中国共产党纪律处分条例》解读",
    "新时代高校思想政治工作专题讲座",
    "铸牢中华民族共同体意识专题讲座",
    "总体国家安全观专题讲座",
    "师德师风建设专题讲座",
    "中国式现代化专题讲座",
    "党史专题讲座",
    "意识形态工作专题讲座",
)
ONLINE = (
    ("中国教育干部网络学院", "高校党员网络培训专题班"),
    ("全国党员教育平台", "党员教育网络专题学习"),
    ("学习强国", "“学习强国”专题学习"),
)
PRACTICE = ("红色教育基地现场教学", "社会实践调研", "“我为群众办实事”实践活动", "乡村振兴专题实践")
STUDY_TOPICS = (
    "学习习近平总书记重要讲话精神",
    "学习《中国共产党支部工作条例》",
    "学习上级会议精神",
    "学习党章",
    "学习《习近平谈治国理政》",
    "学习《中国共产党纪律处分条例》",
    "学习党史",
    "学习教育强国建设规划纲要",
    "学习全国教育大会精神",
    "学习新修订的《中国共产党党员教育管理工作条例》",
    "学习总书记关于教育的重要论述",
    "学习中央八项规定精神",
)
ACTIVITY_TOPICS = {
    "支部党员大会": (
        "传达学习上级会议精神",
        "讨论接收预备党员",
        "预备党员转正表决",
        "党费收缴情况通报",
        "年度工作计划",
        "年度工作总结",
    ),
    "支部委员会": ("研究月度工作安排", "研究发展党员工作", "研究党费收缴", "研究组织生活安排"),
    "党小组会": ("党小组集中学习", "党小组交流研讨"),
    "党课": ("党的创新理论", "党章党规", "党史学习", "立德树人", "廉洁自律", "担当作为"),
    "主题党日": (
        "重温入党誓词",
        "参观红色教育基地",
        "学习先进典型",
        "志愿服务进社区",
        "观看主题教育影片",
        "读书分享会",
        "党建知识竞赛",
        "主题研讨",
    ),
    "组织生活会": ("年度专题组织生活会",),
    "民主评议党员": ("年度民主评议党员",),
    "谈心谈话": ("上半年谈心谈话", "下半年谈心谈话"),
    "志愿服务": ("社区志愿服务", "迎新志愿服务", "义务植树", "敬老院慰问", "图书整理志愿服务"),
    "宣传活动": ("党建宣传栏更新", "微信公众号专题推送", "先进典型事迹宣讲", "主题宣传展览"),
    "理论学习中心组": STUDY_TOPICS,
    "党政联席会议": (
        "研究学院年度工作",
        "研究人才引进",
        "研究教学科研工作",
        "研究学生工作",
        "研究经费预算",
        "研究党建与业务融合",
    ),
}
FUNDING_PURPOSES = {
    "教育培训": ("党员培训讲座劳务费", "支部书记培训费", "专题党课资料印制"),
    "学习资料": ("购买理论学习书籍", "订阅党报党刊", "购买学习资料"),
    "表彰奖励": ("“七一”表彰优秀共产党员", "优秀党务工作者奖励"),
    "阵地建设": ("党员活动室设施更新", "党建宣传栏制作"),
    "实践活动": ("主题党日实践活动", "红色教育基地参观交通费", "志愿服务活动物资"),
    "困难帮扶": ("慰问生活困难党员", "走访慰问老党员"),
    "其它": ("办公用品", "会议茶歇", "其他杂项支出"),
}
TASKS = (
    ("强化政治理论学习，落实理论学习中心组学习制度", "all"),
    ("落实党建工作责任制，开展书记抓党建述职评议", "all"),
    ("规范党支部工作，严格落实“三会一课”制度", "all"),
    ("开展党支部标准化规范化建设自查", "all"),
    ("严格执行组织生活会和民主评议党员制度", "all"),
    ("做好党建经费保障和使用管理", "all"),
    ("规范党费收缴、使用和管理", "all"),
    ("加强党员经常性学习培训，完成年度学时要求", "all"),
    ("推进教师党支部书记“双带头人”培育工程", "teaching"),
    ("做好发展党员工作，严把党员入口关", "all"),
    ("按期完成党支部换届选举", "all"),
    ("加强专职组织员队伍建设", "teaching"),
    ("开展党风廉政建设和警示教育", "all"),
    ("落实意识形态工作责任制", "all"),
    ("开展“对标争先”建设计划申报与培育", "teaching"),
    ("加强学生党员教育管理", "teaching"),
    ("排查失联党员和流动党员", "all"),
    ("开展“七一”表彰和走访慰问", "all"),
    ("完成党内统计年报", "all"),
    ("推进“一院一品”党建品牌建设", "teaching"),
    ("落实领导干部基层党建联系点制度", "all"),
    ("开展师德师风专题教育", "teaching"),
    ("做好离退休党员关心关爱工作", "retired"),
    ("开展后勤服务育人专项行动", "logistics"),
    ("推进机关作风建设", "admin"),
    ("建设党员活动阵地", "all"),
    ("开展党建与业务深度融合调研", "some"),
    ("落实巡察整改任务", "some"),
    ("完成年度党建工作总结和述职报告", "all"),
)
TASKS_BY_YEAR = {
    2023: ("开展学习贯彻习近平新时代中国特色社会主义思想主题教育", "all"),
    2024: ("开展党纪学习教育", "all"),
    2025: ("开展深入贯彻中央八项规定精神学习教育", "all"),
}
# (工作任务, 责任单位, 完成时限 — {y} is the year, 责任人), as 附件2 of 辽宁科技学院's 实施方案 writes them
SEED_STYLE_TASKS = (
    (
        "巩固深化主题教育成果，紧扣问题清单逐项销号",
        "党委组织部，党政办公室",
        "12月底前，长期坚持",
        "组织部部长",
    ),
    (
        "健全完善党委会和校长办公会议事决策规则",
        "党政办公室，党委组织部，党委宣传统战部",
        "{y}年底前",
        "党政办公室主任",
    ),
    ("加强对统战工作和学校群团组织的统一领导", "党委宣传统战部，工会，团委", "下半年", "宣传统战部部长"),
    ("按标准为基层党支部拨付活动经费", "党委组织部，财务处", "上半年", "财务处处长"),
    ("规范党费收缴工作，报送上年度党费收缴使用情况", "党委组织部、财务处", "第一季度", "组织部副部长"),
    ("推进党支部书记“双带头人”培育工作提质增效", "党委组织部，教务处，科技处", "第三季度", "组织部部长"),
    ("建立健全党内关怀帮扶长效机制", "党委组织部，人事处，学生处", "每学期", "人事处处长"),
    ("完善纪检监察机构设置，加强党员日常监督", "纪委办公室；人事处", "12月底前", "纪委办公室主任"),
    ("强化政治理论学习，用好“学习强国”学习平台", "党委宣传部", "常态化推进", "宣传部部长"),
    (
        "推动制度贯彻落实，对照重点工作任务清单做销号处理",
        "党委组织部，各党总支、直属党支部",
        "11月中旬前",
        "组织部部长",
    ),
)
TASK_SOURCES = (
    "校党委{y}年党建工作要点",
    "{y}年基层党建重点工作任务清单",
    "上级党委部署",
    "巡察整改",
    "党委组织部{y}年工作计划",
)
BONUSES = (
    ("获评全国党建工作样板支部培育创建单位", "教育部思政司公布名单"),
    ("获评省级先进基层党组织", "省委教育工委表彰决定"),
    ("党建工作案例入选全省高校党建优秀案例", "省委教育工委通知"),
    ("获评校级“七一”先进基层党组织", "校党委表彰决定"),
    ("党建研究课题获省级立项", "省高校党建研究会通知"),
)
PENALTIES = (
    ("党费收缴不及时，被通报批评", "党委组织部通报"),
    ("未按时报送党内统计数据", "党委组织部工作通知"),
    ("巡察发现“三会一课”记录不规范", "校党委巡察反馈意见"),
    ("组织生活会整改措施落实不到位", "党委组织部督查通报"),
    ("意识形态工作责任制落实不到位，被约谈", "校党委意识形态工作责任制实施细则"),
)
VETO = ("班子成员发生严重违纪违法问题，造成恶劣影响", "《二级党组织党建工作责任制考核办法》第十二条")

PROFILE_LEVELS = {
    "diligent": (0.91, 0.92, 0.94),
    "average": (0.68, 0.70, 0.71),
    "lax": (0.38, 0.36, 0.40),
    "improving": (0.40, 0.64, 0.88),
    "declining": (0.88, 0.62, 0.38),
}
TEACHING_PROFILES = (
    ("diligent",) * 4 + ("average",) * 4 + ("lax",) * 3 + ("improving",) * 3 + ("declining",) * 2
)
OTHER_PROFILES = ("diligent", "average", "lax", "declining")

# The messy cells: (year, college code or "org", sheet kind, column name, raw value, reason).
MESSY = (
    (2023, "02", "members", "branch_code", "9999", "所在党支部编码 9999 不在组织架构中"),
    (2024, "03", "members", "joined_on", "2024-02-30", "入党日期不是有效日期"),
    (2025, "04", "members", "member_name", "", "必填项 姓名 为空"),
    (2024, "05", "training", "hours", "两小时", "学时不是数字"),
    (2025, "07", "training", "started_on", "去年三月", "开始日期不是有效日期"),
    (2024, "01", "activities", "org_code", "9901", "组织编码 9901 不在组织架构中"),
    (2023, "10", "funding", "amount", "", "必填项 金额 为空"),
    (2025, "12", "dues", "month", "2025-13", "月份不是有效的年月（YYYY-MM）"),
    (2024, "org", "tasks", "completed_on", "2024-06-31", "完成日期不是有效日期"),
)


# --------------------------------------------------------------------------------------------------
# The model
# --------------------------------------------------------------------------------------------------


@dataclass(eq=False)
class _Person:
    key: str
    name: str
    gender: str
    born: date
    id_card: str
    base_category: str  # 教职工 | 学生 | 离退休
    joined: date
    rank: float  # stable seniority draw: lower ranks get branch roles first
    blank_role: bool  # write 党内职务 blank instead of 普通党员
    monthly_due: float
    grad_year: int | None = None  # students: leaves the roster in this year
    retire_year: int | None = None  # staff: moves to a 离退休 branch in this year
    lost: bool = False
    floating: bool = False

    def category(self, year: int) -> str:
        if self.retire_year is not None and self.retire_year <= year:
            return "离退休"
        return self.base_category

    def confirmed(self) -> date:
        return _add_years(self.joined, 1)

    def is_full(self, year: int) -> bool:
        return self.confirmed() <= date(year, 12, 31)

    def stays_through_demo(self) -> bool:
        return self.retire_year is None or self.retire_year > YEARS[-1]


@dataclass(eq=False)
class _Branch:
    code: str
    name: str
    category: str  # 教工 | 学生 | 机关 | 后勤 | 离退休
    college: str
    size: int
    offset: float  # diligence offset against its college
    term: int | None  # 任期年限 as written (None = blank, default 3)
    elections: list[date]
    dual_leader: bool | None = None  # 教工 branches only
    skip_committee: bool = False
    roster: dict[int, list[_Person]] = field(default_factory=dict)
    secretary: dict[int, _Person] = field(default_factory=dict)
    roles: dict[int, dict[str, str]] = field(default_factory=dict)  # year -> member key -> role

    def last_election(self, year: int) -> date:
        return max(d for d in self.elections if d <= date(year, 12, 31))


@dataclass(eq=False)
class _College:
    code: str
    short: str
    name: str
    org_type: str
    kind: str  # teaching | admin | logistics | retired | direct
    profile: str
    diligence: dict[int, float]
    staff_count: int
    student_count: int
    term: int
    elections: list[date]
    center_group: int
    joint_size: int
    other_heavy: bool = False
    branches: list[_Branch] = field(default_factory=list)
    secretary: dict[int, _Person] = field(default_factory=dict)
    organizers: dict[int, int] = field(default_factory=dict)

    def last_election(self, year: int) -> date:
        return max(d for d in self.elections if d <= date(year, 12, 31))


@dataclass(eq=False)
class _University:
    seed: int
    colleges: list[_College]
    secretary: dict[int, _Person]
    veto: tuple[int, str]
    overdue_college: str
    oversized: list[str]
    no_committee: list[str]
    not_dual_leader: str
    small: list[str]
    extras: dict[tuple[int, str], list[_Person]]  # messy extra members per (year, college)

    def branch_diligence(self, college: _College, branch: _Branch, year: int) -> float:
        return _clip(college.diligence[year] + branch.offset, 0.05, 0.99)


class _Messy:
    """A data row whose `column` is written as the raw text `raw` (blank when "")."""

    __slots__ = ("values", "column", "raw", "reason")

    def __init__(self, values: dict[str, Any], column: str, raw: str, reason: str):
        self.values, self.column, self.raw, self.reason = values, column, raw, reason


@dataclass
class _Sheet:
    kind: str
    title: str
    rows: list[Any]  # dict[str, Any] | _Messy
    filler: str
    auditor: str


@dataclass
class _Book:
    file_name: str
    title: str
    sheets: list[_Sheet]
    seed_tag: str


# --------------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------------


def _clip(x: float, lo: float, hi: float) -> float:
    return max(lo, min(hi, x))


def _add_years(d: date, n: int) -> date:
    try:
        return d.replace(year=d.year + n)
    except ValueError:  # 29 Feb
        return d.replace(year=d.year + n, day=28)


def _rand_date(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, max(0, (end - start).days)))


def _weekday(d: date) -> date:
    """Move a weekend date to the nearest working day in the same month."""
    if d.weekday() < 5:
        return d
    forward = d + timedelta(days=7 - d.weekday())
    return forward if forward.month == d.month else d - timedelta(days=d.weekday() - 4)


def _in_month(rng: random.Random, year: int, month: int, lo: int = 1, hi: int = 28) -> date:
    return _weekday(date(year, month, rng.randint(lo, hi)))


def _month_end(year: int, month: int) -> date:
    return (date(year + month // 12, month % 12 + 1, 1)) - timedelta(days=1)


def _cn(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 20:
        return "十" + (digits[n % 10] if n % 10 else "")
    if n < 100:
        return digits[n // 10] + "十" + (digits[n % 10] if n % 10 else "")
    return str(n)


def _id_card(rng: random.Random, born: date, gender: str) -> str:
    while True:
        seq = rng.randint(0, 49) * 2 + (1 if gender == "男" else 0)
        body = f"{rng.choice(REGIONS)}{born:%Y%m%d}{rng.randint(0, 9)}{seq:02d}"
        total = sum(int(c) * w for c, w in zip(body, _ID_WEIGHTS, strict=True))
        card = body + "10X98765432"[total % 11]
        if not card.endswith("000"):  # would look like a number Excel rounded to 15 digits
            return card


def id_card_valid(value: str) -> bool:
    """GB 11643 check: 17 digits, then the checksum character."""
    if len(value) != 18 or not value[:17].isdigit():
        return False
    total = sum(int(c) * w for c, w in zip(value[:17], _ID_WEIGHTS, strict=True))
    return value[17].upper() == "10X98765432"[total % 11]


def _n_of(rng: random.Random, required: int, d: float) -> int:
    """How many of `required` yearly meetings a unit of diligence `d` actually holds."""
    if rng.random() < d:
        return required + (1 if rng.random() < 0.15 else 0)
    return max(0, round(required * rng.uniform(0.25, 0.9)))


def _spread(rng: random.Random, n: int, slots: int) -> list[int]:
    """`n` distinct slot indexes (0-based) out of `slots`, plus repeats when n > slots."""
    picked = sorted(rng.sample(range(slots), min(n, slots)))
    while len(picked) < n:
        picked.append(rng.randrange(slots))
    return sorted(picked)


# --------------------------------------------------------------------------------------------------
# Building the university
# --------------------------------------------------------------------------------------------------


class _People:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.staff_serial = rng.randint(1000, 5000)
        self.student_serial: dict[tuple[int, str], int] = defaultdict(int)

    def _name(self, gender: str) -> str:
        rng = self.rng
        surname = SURNAMES[min(int(rng.expovariate(1 / 25)), len(SURNAMES) - 1)]
        pool = (GIVEN_MALE if gender == "男" else GIVEN_FEMALE) + GIVEN_ANY
        given = rng.choice(pool) + (rng.choice(pool) if rng.random() < 0.7 else "")
        return surname + given

    def _person(self, key: str, category: str, born: date, joined: date, **kw: Any) -> _Person:
        rng = self.rng
        gender = "男" if rng.random() < (0.55 if category != "学生" else 0.48) else "女"
        if category == "学生":
            due = 0.2
        elif category == "离退休":
            pension = rng.uniform(4000, 9000)
            due = round(pension * (0.005 if pension <= 5000 else 0.01), 2)
        else:
            salary = rng.uniform(6000, 16000)
            due = round(salary * (0.015 if salary <= 10000 else 0.02), 2)
        floating_p = {"学生": 0.015, "离退休": 0.03}.get(category, 0.008)
        return _Person(
            key=key,
            name=self._name(gender),
            gender=gender,
            born=born,
            id_card=_id_card(rng, born, gender),
            base_category=category,
            joined=joined,
            rank=rng.random(),
            blank_role=rng.random() < 0.5,
            monthly_due=due,
            lost=rng.random() < 0.004,
            floating=rng.random() < floating_p,
            **kw,
        )

    def staff(self, born_years: tuple[int, int], join_until: date, *, retiree: bool = False) -> _Person:
        rng = self.rng
        born = _rand_date(rng, date(born_years[0], 1, 1), date(born_years[1], 12, 31))
        hire_year = min(born.year + rng.randint(23, 30), YEARS[0] - 1)
        self.staff_serial += rng.randint(1, 3)
        key = f"{hire_year % 100:02d}{self.staff_serial:06d}"
        age = 19 + int(rng.expovariate(1 / 4)) if rng.random() < 0.6 else rng.randint(23, 40)
        earliest = _add_years(born, 18) + timedelta(days=30)
        joined = _add_years(born, age) + timedelta(days=rng.randint(0, 364))
        if not earliest <= joined <= join_until:
            joined = _rand_date(rng, earliest, join_until)
        if retiree:
            return self._person(key, "离退休", born, joined)
        return self._person(key, "教职工", born, joined, retire_year=born.year + 60)

    def new_staff(self, year: int) -> _Person:
        """A young staff member who joins the Party during `year` (预备党员 at year end)."""
        rng = self.rng
        born = _rand_date(rng, date(1988, 1, 1), date(1999, 12, 31))
        self.staff_serial += rng.randint(1, 3)
        key = f"{rng.randint(max(born.year + 23, 2012), year) % 100:02d}{self.staff_serial:06d}"
        joined = _rand_date(rng, date(year, 1, 10), date(year, 12, 20))
        return self._person(key, "教职工", born, joined, retire_year=born.year + 60)

    def student(self, college: str, year: int, how: str) -> _Person:
        """A student on the roster of `year`. `how`: "new" joins the Party during `year`; "member" joined
        before `year`; "incoming" is a first-year graduate student who joined as an undergraduate."""
        rng = self.rng
        graduate = how == "incoming" or rng.random() < 0.3
        length = 3 if graduate else 4
        if how == "incoming":
            enroll = year
        elif how == "new":
            enroll = rng.randint(year - length + 1, year - (0 if graduate else 1))
        else:
            enroll = rng.randint(year - length + 1, year - (1 if graduate else 2))
        age = (21, 23) if graduate else (18, 19)
        born = _rand_date(rng, date(enroll - age[1], 1, 1), date(enroll - age[0], 12, 31))
        serial_key = (enroll, college)
        self.student_serial[serial_key] += rng.randint(1, 4)
        key = f"{enroll}{college}{self.student_serial[serial_key]:04d}"
        if how == "new":
            joined = _rand_date(rng, date(year, 3, 1), date(year, 12, 15))
        elif graduate:
            joined = _rand_date(rng, _add_years(born, 19), min(date(enroll, 6, 30), date(year - 1, 12, 15)))
        else:
            joined = _rand_date(rng, date(enroll + 1, 3, 1), date(year - 1, 12, 15))
        joined = max(joined, _add_years(born, 18) + timedelta(days=10))
        return self._person(key, "学生", born, joined, grad_year=enroll + length)

    def extra_member(self, year: int) -> _Person:
        return self.new_staff(year)


def _profiles(rng: random.Random) -> list[str]:
    teaching = list(TEACHING_PROFILES)
    others = list(OTHER_PROFILES)
    rng.shuffle(teaching)
    rng.shuffle(others)
    return teaching + others


def _elections(
    rng: random.Random, term: int, d: float, first: tuple[date, date], overdue: bool
) -> list[date]:
    dates = [_weekday(_rand_date(rng, *first))]
    if overdue:
        return dates
    while dates[-1] <= date(YEARS[-1], 12, 31):
        due = _add_years(dates[-1], term)
        delay = rng.randint(-40, 0) if rng.random() < d else rng.randint(10, 75)
        dates.append(_weekday(due + timedelta(days=delay)))
    return dates


def _build(seed: int, scale: float) -> _University:
    rng = random.Random(f"dangjian-demo:{seed}")
    people = _People(rng)
    profiles = _profiles(rng)
    colleges: list[_College] = []

    def level(profile: str) -> dict[int, float]:
        return {
            y: _clip(b + rng.uniform(-0.04, 0.04), 0.05, 0.99)
            for y, b in zip(YEARS, PROFILE_LEVELS[profile], strict=True)
        }

    specs: list[tuple[str, str, str, str]] = [(s, s + "党委", "党委", "teaching") for s in TEACHING_COLLEGES]
    specs += [
        ("机关", "机关党委", "党委", "admin"),
        ("后勤", "后勤党总支", "党总支", "logistics"),
        ("离退休", "离退休党委", "党委", "retired"),
        ("图书馆", "图书馆直属党支部", "直属党支部", "direct"),
    ]
    for i, ((short, name, org_type, kind), profile) in enumerate(zip(specs, profiles, strict=True), start=1):
        dil = level(profile)
        term = 5 if org_type == "党委" else 3
        if kind == "teaching":
            staff, students = rng.randint(70, 220), rng.randint(1500, 4500)
        else:
            staff = {
                "admin": rng.randint(380, 460),
                "logistics": rng.randint(180, 260),
                "retired": rng.randint(850, 1100),
                "direct": rng.randint(45, 70),
            }[kind]
            students = 0
        colleges.append(
            _College(
                code=f"{i:02d}",
                short=short,
                name=name,
                org_type=org_type,
                kind=kind,
                profile=profile,
                diligence=dil,
                staff_count=max(1, round(staff * scale)),
                student_count=round(students * scale),
                term=term,
                elections=[],
                center_group=rng.randint(9, 15),
                joint_size=rng.randint(7, 11),
            )
        )

    teaching = [c for c in colleges if c.kind == "teaching"]

    def first(profile: str, skip: tuple[str, ...] = ()) -> _College:
        return next(c for c in teaching if c.profile == profile and c.code not in skip)

    overdue = first("lax")
    veto = first("declining")
    no_committee = [first("lax", (overdue.code,)), first("improving")]
    oversized_staff = first("average")
    oversized_student = first("diligent")
    not_dual = first("average", (oversized_staff.code,))
    for c in rng.sample([c for c in colleges if c.profile in ("lax", "declining")], 2):
        c.other_heavy = True

    # Branches, with the planted problems on the first branch of a kind so they survive any scale.
    for c in colleges:
        mean_d = sum(c.diligence.values()) / len(YEARS)
        c.elections = _elections(rng, c.term, mean_d, (date(2019, 6, 1), date(2022, 12, 31)), False)
        plan: list[tuple[str, str, int]] = []  # (category, name, size)
        k = scale
        if c.kind == "teaching":
            total = rng.randint(6, 9)
            n_staff = 3 if total >= 8 else 2
            n_staff_k, n_student_k = max(1, round(n_staff * k)), max(1, round((total - n_staff) * k))
            n_grad = round(n_student_k * 0.3)
            for j in range(n_staff_k):
                size = rng.randint(18, 42)
                if j == 0 and c is oversized_staff:
                    size = 54
                plan.append(("教工", f"{c.short}教工第{_cn(j + 1)}党支部", size))
            for j in range(n_student_k):
                size = rng.randint(21, 29)
                if j == 0 and c is oversized_student:
                    size = 34
                if j < n_student_k - n_grad:
                    plan.append(("学生", f"{c.short}本科生第{_cn(j + 1)}党支部", size))
                else:
                    plan.append(
                        ("学生", f"{c.short}研究生第{_cn(j - (n_student_k - n_grad) + 1)}党支部", size)
                    )
        elif c.kind == "admin":
            for j in range(max(1, round(14 * k))):
                name = ADMIN_BRANCHES[j] if j < len(ADMIN_BRANCHES) else f"机关第{_cn(j + 1)}党支部"
                plan.append(("机关", name, rng.randint(12, 34)))
        elif c.kind == "logistics":
            n = max(1, round(6 * k))
            for j in range(n):
                name = LOGISTICS_BRANCHES[j] if j < len(LOGISTICS_BRANCHES) else f"后勤第{_cn(j + 1)}党支部"
                plan.append(("后勤", name, 5 if (j == n - 1 and n >= 2) else rng.randint(9, 24)))
        elif c.kind == "retired":
            for j in range(max(1, round(8 * k))):
                plan.append(("离退休", f"离退休第{_cn(j + 1)}党支部", 56 if j == 0 else rng.randint(22, 38)))
        else:  # the 直属党支部 is its own (only) branch
            plan.append(("教工", c.name, rng.randint(22, 28)))
        width = 2 if len(plan) < 100 else len(str(len(plan)))
        for j, (category, name, size) in enumerate(plan, start=1):
            code = c.code if c.kind == "direct" else f"{c.code}{j:0{width}d}"
            first_window = (
                (date(2019, 5, 1), date(2020, 6, 30))
                if c is overdue
                else (date(2020, 9, 1), date(2022, 12, 31))
            )
            if c.kind == "direct":
                first_window = (date(2021, 3, 1), date(2022, 12, 31))
            term: int | None = 3
            if c.profile == "average" and rng.random() < 0.3:
                term = None  # blank: the default of 3 applies
            c.branches.append(
                _Branch(
                    code=code,
                    name=name,
                    category=category,
                    college=c.code,
                    size=size,
                    offset=_clip(rng.gauss(0, 0.06), -0.12, 0.12),
                    term=term,
                    elections=_elections(rng, 3, mean_d, first_window, c is overdue),
                    dual_leader=(True if category == "教工" else None),
                    skip_committee=False,
                )
            )
        staff_branches = [b for b in c.branches if b.category == "教工"]
        if c is not_dual:
            staff_branches[0].dual_leader = False
        if c in no_committee:
            staff_branches[0].skip_committee = True

    _populate(rng, people, colleges)
    uni_sec = _pick_university_secretary(colleges)

    oversized = [
        b.code
        for c in colleges
        for b in c.branches
        if any(len(b.roster[y]) > (30 if b.category == "学生" else 50) for y in YEARS)
    ]
    small = [b.code for c in colleges for b in c.branches if b.size < 7]
    extras: dict[tuple[int, str], list[_Person]] = {}
    for year, college, kind, *_ in MESSY:
        if kind == "members":
            extras[(year, college)] = [people.extra_member(year)]
    return _University(
        seed=seed,
        colleges=colleges,
        secretary=uni_sec,
        veto=(2024, veto.code),
        overdue_college=overdue.code,
        oversized=oversized,
        no_committee=[next(b for b in c.branches if b.category == "教工").code for c in no_committee],
        not_dual_leader=next(b for b in not_dual.branches if b.category == "教工").code,
        small=small,
        extras=extras,
    )


def _populate(rng: random.Random, people: _People, colleges: list[_College]) -> None:
    """Rosters for every year: students graduate and join, staff retire into 离退休 branches."""
    y0 = YEARS[0]
    before = date(y0 - 1, 12, 31)
    retired_branches = [b for c in colleges if c.kind == "retired" for b in c.branches]
    for c in colleges:
        for b in c.branches:
            roster: list[_Person] = []
            if b.category == "学生":
                counselor = people.staff((1986, 1996), before)
                counselor.rank = -1.0  # the counselor is the student branch's secretary
                roster.append(counselor)
                for _ in range(b.size - 1):
                    how = rng.choices(("member", "new", "incoming"), (70, 20, 10))[0]
                    roster.append(people.student(c.code, y0, how))
            elif b.category == "离退休":
                roster += [people.staff((1936, 1962), before, retiree=True) for _ in range(b.size)]
            else:
                n_new = rng.choice((0, 1, 1))
                roster += [people.staff((1964, 1999), before) for _ in range(b.size - n_new)]
                roster += [people.new_staff(y0) for _ in range(n_new)]
            b.roster[y0] = roster
    for year in YEARS[1:]:
        movers: list[_Person] = []
        for c in colleges:
            for b in c.branches:
                if b.category == "离退休":
                    continue
                roster = []
                for p in b.roster[year - 1]:
                    if p.grad_year is not None and p.grad_year <= year:
                        continue
                    if p.retire_year is not None and p.retire_year <= year:
                        movers.append(p)
                        continue
                    roster.append(p)
                if b.category == "学生":
                    target = max(3, b.size + rng.randint(-2, 2))
                    if b.size <= 30:  # only the planted oversized branch breaks the 学生 limit
                        target = min(target, 30)
                    while len(roster) < target:
                        how = "new" if rng.random() < 0.55 else "incoming"
                        roster.append(people.student(c.code, year, how))
                else:
                    roster += [people.new_staff(year) for _ in range(rng.choice((0, 0, 1, 1, 2)))]
                b.roster[year] = roster
        for b in retired_branches:
            b.roster[year] = [
                p for p in b.roster[year - 1] if not (year - p.born.year > 80 and rng.random() < 0.03)
            ]
        for p in movers:
            # a new retiree joins the smallest 离退休 branch, or moves to a community Party organisation
            # (leaves the university's rosters) when every 离退休 branch is full
            home = min(retired_branches[1:] or retired_branches, key=lambda b: len(b.roster[year]))
            if len(home.roster[year]) < 44:
                home.roster[year].append(p)
    for c in colleges:
        for b in c.branches:
            for year in YEARS:
                _assign_roles(b, year)
        _assign_college(rng, c)


def _assign_roles(b: _Branch, year: int) -> None:
    roster = b.roster[year]
    prev = b.secretary.get(year - 1)
    eligible = [
        p
        for p in roster
        if p.is_full(year)
        and p.stays_through_demo()
        and (b.category == "离退休" or p.category(year) == "教职工")
    ]
    keep = prev is not None and prev in roster
    sec = prev if keep else min(eligible or roster, key=lambda p: p.rank)
    b.secretary[year] = sec
    roles = {sec.key: "书记"}
    full = sorted((p for p in roster if p.is_full(year) and p is not sec), key=lambda p: p.rank)
    if len(full) + 1 >= 7:
        wanted = ["组织委员", "宣传委员"]
        if len(roster) >= 15:
            wanted.append("纪检委员")
        if len(roster) >= 30:
            wanted += ["副书记", "党小组长", "党小组长"]
        for p, role in zip(full, wanted, strict=False):
            roles[p.key] = role
    b.roles[year] = roles


def _assign_college(rng: random.Random, c: _College) -> None:
    home = c.branches[0]
    for year in YEARS:
        required = max(1, math.ceil((c.staff_count + c.student_count) / 1000))
        d = c.diligence[year]
        c.organizers[year] = required if rng.random() < d else max(0, required - rng.randint(1, 2))
        if c.kind == "direct":
            c.secretary[year] = home.secretary[year]
            continue
        prev = c.secretary.get(year - 1)
        roles = home.roles[year]
        if prev is not None and prev in home.roster[year]:
            c.secretary[year] = prev
        else:
            pool = [
                p
                for p in home.roster[year]
                if p.key not in roles
                and p.is_full(year)
                and p.stays_through_demo()
                and (c.kind == "retired" or p.category(year) == "教职工")
            ]
            c.secretary[year] = min(pool or home.roster[year], key=lambda p: p.rank)
        if c.kind == "teaching" and c.organizers[year] >= 1:
            sec = c.secretary[year]
            pool = sorted(
                (
                    p
                    for p in home.roster[year]
                    if p.key not in roles and p is not sec and p.category(year) == "教职工"
                ),
                key=lambda p: p.rank,
            )
            if pool:
                roles[pool[0].key] = "组织员"


def _pick_university_secretary(colleges: list[_College]) -> dict[int, _Person]:
    admin = next(c for c in colleges if c.kind == "admin")
    home = admin.branches[0]
    out: dict[int, _Person] = {}
    for year in YEARS:
        taken = set(home.roles[year]) | {admin.secretary[year].key}
        prev = out.get(year - 1)
        if prev is not None and prev in home.roster[year]:
            out[year] = prev
            continue
        pool = [p for p in home.roster[year] if p.key not in taken and p.stays_through_demo()]
        out[year] = sorted(pool or home.roster[year], key=lambda p: p.rank)[-1]
    return out


# --------------------------------------------------------------------------------------------------
# College workbooks
# --------------------------------------------------------------------------------------------------


def _college_sheets(uni: _University, c: _College, year: int) -> _Book:
    rng = random.Random(f"{uni.seed}:{c.code}:{year}")
    members: list[Any] = []
    training: list[Any] = []
    activities: list[Any] = []
    funding: list[Any] = []
    dues: list[Any] = []
    paid_total = 0.0
    for b in c.branches:
        d = uni.branch_diligence(c, b, year)
        roster = sorted(b.roster[year], key=lambda p: p.key)
        roles = b.roles[year]
        for p in roster:
            members.append(_member_row(p, year, b.code, roles.get(p.key)))
        for p in roster:
            role = roles.get(p.key, "")
            training += _training_rows(rng, p, year, d, 56 if role in LEADER_ROLES else 32, c, b)
        for p in roster:
            rows, paid = _dues_rows(rng, p, year, d)
            dues += rows
            paid_total += paid
        activities += _branch_activities(rng, b, year, d)
        funding += _branch_funding(rng, c, b, year, d)
    activities += _college_activities(rng, c, year)
    funding += _college_funding(rng, c, year, paid_total)
    activities.sort(key=lambda r: (r["org_code"], r["held_on"], r["activity_type"]))
    funding.sort(key=lambda r: (r["org_code"], r["booked_on"]))
    for p in uni.extras.get((year, c.code), []):
        members.append(_member_row(p, year, c.branches[0].code, None))
    filler = c.branches[0].roster[year][-1].name
    auditor = c.secretary[year].name
    label = f"（{year}年度）"
    sheets = [
        _Sheet("members", f"{c.name}党员花名册{label}", members, filler, auditor),
        _Sheet("training", f"{c.name}党员学习培训台账{label}", training, filler, auditor),
        _Sheet("activities", f"{c.name}组织生活台账{label}", activities, filler, auditor),
        _Sheet("funding", f"{c.name}党建经费台账{label}", funding, filler, auditor),
        _Sheet("dues", f"{c.name}党费收缴台账{label}", dues, filler, auditor),
    ]
    return _Book(
        f"{year}_{c.code}_{c.name}.xlsx",
        f"{c.name}{year}年度党建工作台账",
        sheets,
        f"{uni.seed}:{c.code}:{year}:book",
    )


def _member_row(p: _Person, year: int, branch_code: str, role: str | None) -> dict[str, Any]:
    full = p.is_full(year)
    return {
        "year": year,
        "member_key": p.key,
        "member_name": p.name,
        "gender": p.gender,
        "born_on": p.born,
        "id_card": p.id_card,
        "category": p.category(year),
        "branch_code": branch_code,
        "status": "正式党员" if full else "预备党员",
        "joined_on": p.joined,
        "confirmed_on": p.confirmed() if full else None,
        "party_role": role or (None if p.blank_role else "普通党员"),
        "lost_contact": "是" if p.lost else "否",
        "floating": "是" if p.floating else "否",
    }


_FORMS = ("支部学习", "专题讲座", "网络学习", "集中培训", "主题实践")
_FORM_WEIGHTS = (35, 25, 20, 10, 10)


def _training_rows(
    rng: random.Random, p: _Person, year: int, d: float, required: int, c: _College, b: _Branch
) -> list[dict[str, Any]]:
    if p.lost:
        return []
    meets = rng.random() < min(0.98, 1.1 * d**1.5)
    target = required * (rng.uniform(1.0, 1.3) if meets else rng.uniform(0.25, 0.92))
    first_month = p.joined.month if p.joined.year == year else 1
    months = list(range(first_month, 13))
    k = 2.6 * (1 - d)  # lax units train late in the year
    weights = [((m - 0.5) / 12) ** k for m in months]
    rows: list[dict[str, Any]] = []
    seen: set[tuple[str, date]] = set()
    total = 0.0
    leader = required > 32
    year_courses = COURSES_BY_YEAR[year]
    for _ in range(80):
        if total >= target or len(rows) >= 40:
            break
        form = rng.choices(_FORMS, _FORM_WEIGHTS)[0]
        month = rng.choices(months, weights)[0]
        start = _in_month(rng, year, month)
        if p.joined > start:
            start = min(p.joined + timedelta(days=rng.randint(1, 20)), date(year, 12, 30))
        end: date | None = start
        if form == "支部学习":
            hours = rng.choice((2, 2, 2.5, 3))
            topic = STUDY_TOPICS[(start.month + len(b.code)) % len(STUDY_TOPICS)]
            course = f"{start.month}月支部集中学习：{topic}"
            organizer = b.name
            end = None if rng.random() < 0.5 else start
        elif form == "专题讲座":
            hours = rng.choice((2, 3, 3, 4))
            course = rng.choice(LECTURES)
            organizer = rng.choice(("党委宣传部", "党委组织部", c.name))
        elif form == "网络学习":
            hours = rng.choice((4, 6, 8, 10, 12))
            organizer, course = rng.choice(ONLINE)
            end = min(start + timedelta(days=rng.randint(7, 40)), date(year, 12, 31))
        elif form == "集中培训":
            if leader and rng.random() < 0.5:
                course = "党支部书记和支委能力提升培训班"
                hours = rng.choice((16, 24))
            else:
                course = rng.choice(year_courses)
                hours = rng.choice((8, 12, 16))
            organizer = rng.choice(("党委组织部", "党委党校"))
            end = min(start + timedelta(days=max(0, math.ceil(hours / 8) - 1)), date(year, 12, 31))
        else:
            hours = rng.choice((4, 6, 8))
            course = rng.choice(PRACTICE)
            organizer = c.name
        if not meets and total + hours >= required:
            break
        if (course, start) in seen:
            continue
        seen.add((course, start))
        total += hours
        rows.append(
            {
                "member_key": p.key,
                "member_name": p.name,
                "course": course,
                "form": form,
                "started_on": start,
                "ended_on": end,
                "hours": hours,
                "organizer": organizer,
            }
        )
    rows.sort(key=lambda r: r["started_on"])
    return rows


def _dues_rows(rng: random.Random, p: _Person, year: int, d: float) -> tuple[list[dict[str, Any]], float]:
    first_month = p.joined.month if p.joined.year == year else 1
    due = round(p.monthly_due * (1.03 ** (year - YEARS[0])), 2) if p.base_category != "学生" else 0.2
    if p.category(year) == "离退休" and p.base_category == "教职工":
        due = round(due * 0.4, 2)
    on_time = 0.72 + 0.27 * d
    unpaid = 0.035 * (1 - d)
    rows = []
    paid_total = 0.0
    for m in range(first_month, 13):
        r = rng.random()
        if p.lost or r < unpaid:
            paid, paid_on = None, None
        elif r < unpaid + on_time:
            paid, paid_on = due, _in_month(rng, year, m, 3, 25)
        else:
            nxt_y, nxt_m = (year, m + 1) if m < 12 else (year + 1, 1)
            paid, paid_on = due, _in_month(rng, nxt_y, nxt_m, 1, 20)
        if paid is not None:
            paid_total += paid
        rows.append(
            {
                "member_key": p.key,
                "month": f"{year}-{m:02d}",
                "amount_due": due,
                "amount_paid": paid,
                "paid_on": paid_on,
            }
        )
    return rows, paid_total


def _attendance(rng: random.Random, expected: int, d: float) -> int:
    if expected <= 0:
        return 0
    share = rng.uniform(0.55 + 0.35 * d, 0.8 + 0.2 * d)
    return max(1, min(expected, round(expected * share)))


def _branch_activities(rng: random.Random, b: _Branch, year: int, d: float) -> list[dict[str, Any]]:
    roster = b.roster[year]
    roles = b.roles[year]
    sec = b.secretary[year]
    full = sum(p.is_full(year) for p in roster)
    committee = [p for p in roster if roles.get(p.key) in COMMITTEE_ROLES]
    rows: list[dict[str, Any]] = []
    used: set[tuple[str, date]] = set()

    def present(day: date) -> int:
        return sum(p.joined <= day for p in roster)

    def add(
        kind: str,
        day: date,
        topic: str,
        expected: int | None = None,
        speaker: str | None = None,
        attended: int | None = None,
    ) -> None:
        while (kind, day) in used:
            day = _in_month(rng, year, day.month)
        used.add((kind, day))
        expected = present(day) if expected is None else expected
        rows.append(
            {
                "org_code": b.code,
                "activity_type": kind,
                "held_on": day,
                "expected": expected,
                "attended": _attendance(rng, expected, d) if attended is None else attended,
                "topic": topic,
                "speaker_key": speaker,
            }
        )

    topics = ACTIVITY_TOPICS
    for q in _spread(rng, _n_of(rng, 4, d), 4):
        m = q * 3 + rng.randint(1, 3) if d > 0.5 else q * 3 + rng.choice((2, 3, 3))
        add(
            "支部党员大会",
            _in_month(rng, year, m),
            f"第{_cn(q + 1)}季度支部党员大会：{rng.choice(topics['支部党员大会'])}",
        )
    if full >= 7 and not b.skip_committee:
        for m in _spread(rng, min(12, _n_of(rng, 12, d)), 12):
            add(
                "支部委员会",
                _in_month(rng, year, m + 1),
                f"{m + 1}月支委会：{rng.choice(topics['支部委员会'])}",
                expected=len(committee),
            )
    n_lectures = _n_of(rng, 4, d)
    secretary_lecture = rng.random() < 0.45 + 0.55 * d
    for i, q in enumerate(_spread(rng, n_lectures, 4)):
        speaker = (
            sec.key
            if (i == 0 and secretary_lecture)
            else (rng.choice(roster).key if rng.random() < 0.6 else None)
        )
        who = "书记讲党课" if speaker == sec.key else "专题党课"
        add(
            "党课",
            _in_month(rng, year, q * 3 + rng.randint(1, 3)),
            f"{who}：{rng.choice(topics['党课'])}",
            speaker=speaker,
        )
    held_p = d + (1 - d) * 0.45
    for m in range(1, 13):
        if rng.random() < held_p:
            add("主题党日", _in_month(rng, year, m), f"{m}月主题党日：{rng.choice(topics['主题党日'])}")
    if len(roster) >= 30:
        for m in _spread(rng, rng.randint(3, 6), 12):
            add("党小组会", _in_month(rng, year, m + 1), f"{m + 1}月{rng.choice(topics['党小组会'])}")
    if rng.random() < 0.55 + 0.45 * d:
        day = _in_month(rng, year, rng.choice((11, 12)))
        add("组织生活会", day, f"{year}年度组织生活会")
    if rng.random() < 0.55 + 0.45 * d:
        day = _in_month(rng, year, rng.choice((11, 12)))
        add("民主评议党员", day, f"{year}年度民主评议党员")
    n = len(roster)
    share = rng.uniform(0.5, 0.62) if rng.random() < d else rng.uniform(0.15, 0.4)
    for half, m in enumerate((rng.randint(4, 6), rng.randint(10, 12))):
        add(
            "谈心谈话",
            _in_month(rng, year, m),
            topics["谈心谈话"][half],
            expected=n,
            attended=min(n, max(1, round(n * share))),
        )
    for kind in ("志愿服务", "宣传活动"):
        for q in _spread(rng, _n_of(rng, 4, d), 4):
            add(kind, _in_month(rng, year, q * 3 + rng.randint(1, 3)), rng.choice(topics[kind]))
    return rows


def _college_activities(rng: random.Random, c: _College, year: int) -> list[dict[str, Any]]:
    d = c.diligence[year]
    rows: list[dict[str, Any]] = []
    members = sum(len(b.roster[year]) for b in c.branches)
    for kind, size in (("理论学习中心组", c.center_group), ("党政联席会议", c.joint_size)):
        for m in _spread(rng, min(12, _n_of(rng, 12, d)), 12):
            rows.append(
                {
                    "org_code": c.code,
                    "activity_type": kind,
                    "held_on": _in_month(rng, year, m + 1),
                    "expected": size,
                    "attended": _attendance(rng, size, d),
                    "topic": f"{m + 1}月{kind}：{rng.choice(ACTIVITY_TOPICS[kind])}",
                    "speaker_key": None,
                }
            )
    sec = c.secretary[year]
    for half in _spread(rng, min(2, _n_of(rng, 2, d)), 2):
        m = rng.randint(4, 6) if half == 0 else rng.randint(10, 12)
        rows.append(
            {
                "org_code": c.code,
                "activity_type": "党课",
                "held_on": _in_month(rng, year, m),
                "expected": members,
                "attended": _attendance(rng, members, d),
                "topic": f"党委书记讲党课：{rng.choice(ACTIVITY_TOPICS['党课'])}（{'春秋'[half]}季学期）",
                "speaker_key": sec.key,
            }
        )
    return rows


_SPEND = ("实践活动", "学习资料", "教育培训", "表彰奖励", "阵地建设", "困难帮扶")
_SPEND_WEIGHTS = (30, 22, 20, 12, 10, 6)


def _branch_funding(rng: random.Random, c: _College, b: _Branch, year: int, d: float) -> list[dict[str, Any]]:
    roster = b.roster[year]
    standard = sum(200 if p.category(year) == "教职工" else 100 for p in roster)
    factor = rng.uniform(1.0, 1.1) if rng.random() < c.diligence[year] else rng.uniform(0.55, 0.9)
    grant = round(standard * factor)
    rows = []
    first = round(grant * 0.6)
    for amount, month, purpose in (
        (first, 3, "上半年党建活动经费拨款"),
        (grant - first, 9, "下半年党建活动经费拨款"),
    ):
        rows.append(
            {
                "org_code": b.code,
                "booked_on": _in_month(rng, year, month, 5, 25),
                "funding_type": "拨款",
                "category": None,
                "amount": float(amount),
                "purpose": purpose,
            }
        )
    spend = grant * (rng.uniform(0.82, 1.0) if rng.random() < d else rng.uniform(0.3, 0.75))
    other_share = (
        rng.uniform(0.18, 0.35) if c.other_heavy else (rng.uniform(0.0, 0.06) if rng.random() < 0.4 else 0)
    )
    parts: list[tuple[str, float]] = []
    if other_share:
        parts.append(("其它", spend * other_share))
    rest = spend * (1 - other_share)
    n = rng.randint(2, 5)
    cuts = sorted(rng.uniform(0.15, 0.85) for _ in range(n - 1))
    shares = [b2 - a for a, b2 in zip([0.0, *cuts], [*cuts, 1.0], strict=True)]
    parts += [(rng.choices(_SPEND, _SPEND_WEIGHTS)[0], rest * s) for s in shares]
    late = 2.0 * (1 - d)
    for category, amount in parts:
        amount = round(amount, 2)
        if amount <= 0:
            continue
        month = min(12, max(1, round(12 * rng.random() ** (1 / (1 + late)))))
        rows.append(
            {
                "org_code": b.code,
                "booked_on": _in_month(rng, year, month),
                "funding_type": "支出",
                "category": category,
                "amount": amount,
                "purpose": rng.choice(FUNDING_PURPOSES[category]),
            }
        )
    return rows


def _college_funding(rng: random.Random, c: _College, year: int, dues_paid: float) -> list[dict[str, Any]]:
    rows = [
        {
            "org_code": c.code,
            "booked_on": _in_month(rng, year, 12, 1, 20),
            "funding_type": "党费返还",
            "category": None,
            "amount": round(dues_paid * 0.03, 2) or 100.0,
            "purpose": f"{year}年度党费返还",
        }
    ]
    for month in sorted(rng.sample(range(1, 13), rng.randint(1, 3))):
        category = rng.choice(("教育培训", "学习资料", "表彰奖励"))
        rows.append(
            {
                "org_code": c.code,
                "booked_on": _in_month(rng, year, month),
                "funding_type": "支出",
                "category": category,
                "amount": round(rng.uniform(800, 6000), 2),
                "purpose": rng.choice(FUNDING_PURPOSES[category]),
            }
        )
    return rows


# --------------------------------------------------------------------------------------------------
# The 组织部 workbook
# --------------------------------------------------------------------------------------------------


def _org_sheets(uni: _University, year: int) -> _Book:
    rng = random.Random(f"{uni.seed}:org:{year}")
    colleges = uni.colleges
    usec = uni.secretary[year]
    orgs: list[Any] = [
        {
            "year": year,
            "org_code": UNIVERSITY_CODE,
            "org_name": UNIVERSITY_NAME,
            "org_type": "党委",
            "parent_code": None,
            "secretary_key": usec.key,
            "secretary_name": usec.name,
            "last_election_on": date(2021, 12, 17),
            "term_years": 5,
            "staff_count": sum(c.staff_count for c in colleges if c.kind != "retired"),
            "student_count": sum(c.student_count for c in colleges),
        }
    ]
    for c in colleges:
        sec = c.secretary[year]
        row = {
            "year": year,
            "org_code": c.code,
            "org_name": c.name,
            "org_type": c.org_type,
            "parent_code": UNIVERSITY_CODE,
            "secretary_key": sec.key,
            "secretary_name": sec.name,
            "last_election_on": c.last_election(year),
            "term_years": c.term,
            "staff_count": c.staff_count,
            "student_count": c.student_count,
            "organizer_count": c.organizers[year],
        }
        if c.kind == "direct":
            b = c.branches[0]
            row.update(
                branch_category="教工",
                secretary_dual_leader="是",
                last_election_on=b.last_election(year),
                term_years=3,
            )
        orgs.append(row)
    for c in colleges:
        if c.kind == "direct":
            continue
        for b in c.branches:
            sec = b.secretary[year]
            dual = None if b.dual_leader is None else ("是" if b.dual_leader else "否")
            orgs.append(
                {
                    "year": year,
                    "org_code": b.code,
                    "org_name": b.name,
                    "org_type": "党支部",
                    "parent_code": c.code,
                    "branch_category": b.category,
                    "secretary_key": sec.key,
                    "secretary_name": sec.name,
                    "secretary_dual_leader": dual,
                    "last_election_on": b.last_election(year),
                    "term_years": b.term,
                }
            )
    tasks = _tasks(rng, uni, year)
    tasks += _seed_style_tasks(uni, year, first_number=len(TASKS) + 2)
    evaluations: list[Any] = []
    for c in colleges:
        evaluations.append(_votes(rng, year, c.code, rng.randint(60, 160), c.diligence[year]))
    for c in colleges:
        if c.kind == "direct":
            continue
        for b in c.branches:
            n = len(b.roster[year])
            evaluations.append(
                _votes(
                    rng,
                    year,
                    b.code,
                    max(3, round(n * rng.uniform(0.8, 1.0))),
                    uni.branch_diligence(c, b, year),
                )
            )
    adjustments = _adjustments(rng, uni, year)
    checklist: list[Any] = []
    for c in colleges:
        d = c.diligence[year]
        for q in range(1, 37):
            r = rng.random()
            answer = (
                "是"
                if r < 0.1 + 0.88 * d
                else ("部分" if r < 0.1 + 0.88 * d + 0.7 * (0.9 - 0.88 * d) else "否")
            )
            checklist.append({"year": year, "org_code": c.code, "question_no": q, "answer": answer})
    admin = next(c for c in colleges if c.kind == "admin").branches[0].roster[year]
    filler, auditor = admin[1].name, admin[2].name
    sheets = [
        _Sheet("orgs", f"华章大学党组织架构（{year}年度）", orgs, filler, auditor),
        _Sheet("tasks", f"{year}年度基层党建重点工作任务清单", tasks, filler, auditor),
        _Sheet("evaluations", f"{year}年度党组织书记抓党建述职评议测评汇总", evaluations, filler, auditor),
        _Sheet("adjustments", f"{year}年度党建考核加减分汇总", adjustments, filler, auditor),
        _Sheet("checklist", f"{year}年度党建工作责任清单和问题清单自查汇总", checklist, filler, auditor),
    ]
    return _Book(
        f"{year}_组织部_考核汇总.xlsx",
        f"华章大学{year}年度党建工作考核汇总",
        sheets,
        f"{uni.seed}:org:{year}:book",
    )


def _votes(rng: random.Random, year: int, code: str, voters: int, d: float) -> dict[str, Any]:
    p_good = 0.3 + 0.6 * d
    p_fair = (1 - p_good) * 0.7
    p_avg = (1 - p_good - p_fair) * (0.85 if d > 0.5 else 0.6)
    counts = [0, 0, 0, 0]
    for _ in range(voters):
        r = rng.random()
        counts[
            0 if r < p_good else 1 if r < p_good + p_fair else 2 if r < p_good + p_fair + p_avg else 3
        ] += 1
    return {
        "year": year,
        "org_code": code,
        "votes_good": counts[0],
        "votes_fair_good": counts[1],
        "votes_average": counts[2],
        "votes_poor": counts[3],
    }


def _deadline(rng: random.Random, year: int) -> tuple[date | str, date]:
    """A 完成时限 as written, and the date it means."""
    style = rng.choices(range(7), (25, 20, 20, 10, 10, 8, 7))[0]
    m = rng.randint(3, 12)
    if style == 0:
        day = _month_end(year, m)
        return day, day
    if style == 1:
        return f"{year}年{m}月底前", _month_end(year, m)
    if style == 2:
        return f"{m}月底前", _month_end(year, m)
    if style == 3:
        m1 = rng.randint(3, 8)
        m2 = rng.randint(m1 + 1, 12)
        return f"{year}年{m1}月-{m2}月", _month_end(year, m2)
    if style == 4:
        return f"{m}月中旬前", date(year, m, 20)
    return ("常态化推进" if style == 5 else "长期坚持"), date(year, 12, 31)


def _tasks(rng: random.Random, uni: _University, year: int) -> list[Any]:
    rows: list[Any] = []
    colleges = uni.colleges
    by_kind = defaultdict(list)
    for c in colleges:
        by_kind[c.kind].append(c)
    catalog = [*TASKS, TASKS_BY_YEAR[year]]
    for n, (task, scope) in enumerate(catalog, start=1):
        if scope == "all":
            owners = colleges
        elif scope == "teaching":
            owners = by_kind["teaching"]
        elif scope == "some":
            owners = sorted(rng.sample(colleges, rng.randint(3, 7)), key=lambda c: c.code)
        else:
            owners = by_kind[scope]
        deadline, due = _deadline(rng, year)
        ongoing = isinstance(deadline, str) and deadline in ("常态化推进", "长期坚持")
        source = rng.choice(TASK_SOURCES).format(y=year)
        points = float(rng.choice((2, 3, 3, 5)))
        for c in owners:
            d = c.diligence[year]
            status, done = "推进中", None
            if rng.random() < 0.5 + 0.48 * d:
                on_time = rng.random() < 0.45 + 0.55 * d
                if on_time:
                    done = _weekday(max(date(year, 1, 15), due - timedelta(days=rng.randint(0, 45))))
                    done = min(done, due)
                elif due + timedelta(days=5) <= date(year, 12, 31) and not ongoing:
                    done = _weekday(min(date(year, 12, 31), due + timedelta(days=rng.randint(5, 60))))
                    if done <= due:
                        done = None
                if done is not None:
                    status = "已完成"
            elif rng.random() > d:
                status = "未启动" if not ongoing else "推进中"
            rows.append(
                {
                    "year": year,
                    "task_id": f"{year}-{n:02d}",
                    "task": task,
                    "task_source": source,
                    "owners": c.code,
                    "deadline": deadline,
                    "status": status,
                    "completed_on": done,
                    "points": points,
                }
            )
    return rows


def _seed_style_tasks(uni: _University, year: int, first_number: int) -> list[Any]:
    """Rows written the way the seed's task list writes them (辽宁科技学院《…实施方案》附件2): several
    owners in one cell, functional departments, a 责任人, compound and vague deadlines. They come from
    their own random stream, after the per-college rows, so every other number of the demo stays."""
    rng = random.Random(f"{uni.seed}:seed-style-tasks:{year}")
    rows: list[Any] = []
    for n, (task, owners, deadline, person) in enumerate(SEED_STYLE_TASKS, start=first_number):
        text = deadline.format(y=year)
        due = read_deadlines([text], [year])[0].on
        status, done = rng.choice(("推进中", "推进中", "已完成", "已完成", "已完成", "未启动")), None
        if status == "已完成":
            latest = min(due or date(year, 12, 20), date(year, 12, 20))
            done = _weekday(max(date(year, 1, 15), latest - timedelta(days=rng.randint(0, 40))))
        rows.append(
            {
                "year": year,
                "task_id": f"{year}-{n:02d}",
                "task": task,
                "task_source": f"{year}年基层党建重点工作任务清单",
                "owners": owners,
                "responsible_person": person,
                "deadline": text,
                "status": status,
                "completed_on": done,
                "points": 3.0 if "各党总支" in owners else None,
            }
        )
    return rows


def _adjustments(rng: random.Random, uni: _University, year: int) -> list[Any]:
    rows: list[Any] = []
    seen: set[tuple[str, str]] = set()
    ranked = sorted(uni.colleges, key=lambda c: (-c.diligence[year], c.code))
    for kind, pool, items, points in (
        ("加分", ranked[:8], BONUSES, (1, 2, 3)),
        ("扣分", ranked[-8:], PENALTIES, (1, 2, 3, 5)),
    ):
        for _ in range(rng.randint(3, 5)):
            c = rng.choice(pool)
            target = c.code
            if c.kind != "direct" and rng.random() < 0.5:
                target = rng.choice(c.branches).code
            reason, basis = rng.choice(items)
            if (target, reason) in seen:
                continue
            seen.add((target, reason))
            rows.append(
                {
                    "year": year,
                    "org_code": target,
                    "adjustment_type": kind,
                    "points": float(rng.choice(points)),
                    "reason": reason,
                    "basis": basis,
                }
            )
    if year == uni.veto[0]:
        rows.append(
            {
                "year": year,
                "org_code": uni.veto[1],
                "adjustment_type": "一票否决",
                "points": None,
                "reason": VETO[0],
                "basis": VETO[1],
            }
        )
    rows.sort(key=lambda r: (r["org_code"], r["adjustment_type"]))
    return rows


# --------------------------------------------------------------------------------------------------
# Messy cells
# --------------------------------------------------------------------------------------------------


def _plant_messy(uni: _University, year: int, where: str, book: _Book) -> None:
    rng = random.Random(f"{uni.seed}:messy:{year}:{where}")
    for m_year, m_where, kind, column, raw, reason in MESSY:
        if (m_year, m_where) != (year, where):
            continue
        sheet = next(s for s in book.sheets if s.kind == kind)
        plain = [i for i, r in enumerate(sheet.rows) if isinstance(r, dict)]
        if kind == "members":
            # the college's extra member (last row) is the messy one, moved into the middle
            values = sheet.rows.pop()
            if column == "branch_code":
                values["branch_code"] = raw
            sheet.rows.insert(rng.randint(1, len(sheet.rows) - 1), _Messy(values, column, raw, reason))
        elif kind == "tasks":
            # among the one-college rows only: the seed-style rows came later, and leaving them out
            # keeps the messy cell where it always was
            done = [
                i for i in plain if sheet.rows[i]["status"] == "已完成" and sheet.rows[i]["owners"].isdigit()
            ]
            i = rng.choice(done)
            sheet.rows[i] = _Messy(sheet.rows[i], column, raw, reason)
        else:
            template = dict(sheet.rows[rng.choice(plain)])
            if kind == "training":
                template.update(course="党员冬训补录", started_on=date(year, 3, 5))
            elif kind == "activities":
                template.update(topic="补录：主题党日", activity_type="主题党日")
            elif kind == "funding":
                template.update(funding_type="支出", category="学习资料", purpose="补录：购买学习资料")
            sheet.rows.insert(rng.randint(1, len(sheet.rows) - 1), _Messy(template, column, raw, reason))


# --------------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------------

_EXCEL_EPOCH = date(1899, 12, 30)


def _date_text(d: date, style: int) -> str:
    if style == 0:
        return f"{d.year}.{d.month:02d}.{d.day:02d}"
    if style == 1:
        return f"{d.year}/{d.month}/{d.day}"
    if style == 2:
        return f"{d.year}年{d.month}月{d.day}日"
    return f"{d:%Y%m%d}"


def _write_book(path: Path, book: _Book, counts: dict[str, int]) -> list[MessyRow]:
    text_rng = random.Random(book.seed_tag)
    wb = xlsxwriter.Workbook(str(path), {"in_memory": True})
    wb.set_properties(
        {
            "title": book.title,
            "author": "华章大学党委组织部",
            "company": "华章大学",
            "comments": "党建考核演示数据（自动生成）",
            "created": CREATED,
        }
    )
    title_fmt = wb.add_format({"bold": True, "font_size": 14, "align": "center"})
    header_fmt = wb.add_format({"bold": True, "bg_color": "#F2DCDB", "border": 1, "align": "center"})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    messy: list[MessyRow] = []
    for sheet in book.sheets:
        spec = KINDS[sheet.kind]
        ws = wb.add_worksheet(spec.title)
        cols = spec.columns
        for j, c in enumerate(cols):
            width = {"date": 12, "code": 13, "idcard": 21, "int": 9, "float": 10, "bool": 10}.get(c.type, 14)
            if c.name in ("org_name", "course", "topic", "task", "reason", "basis", "purpose", "task_source"):
                width = 30
            ws.set_column(j, j, max(width, len(c.header) * 2 + 2))
        ws.merge_range(0, 0, 0, len(cols) - 1, sheet.title, title_fmt)
        for j, c in enumerate(cols):
            ws.write_string(HEADER_ROW - 1, j, c.header, header_fmt)
        ws.freeze_panes(HEADER_ROW, 0)
        names = [c.name for c in cols]
        is_date = [c.type == "date" for c in cols]
        r = HEADER_ROW
        for item in sheet.rows:
            bad_col = None
            if isinstance(item, _Messy):
                values, bad_col = item.values, item.column
                messy.append(
                    MessyRow(path.name, spec.title, r + 1, spec.column(bad_col).header, item.raw, item.reason)
                )
            else:
                values = item
            for j, name in enumerate(names):
                if name == bad_col:
                    if item.raw:
                        ws.write_string(r, j, item.raw)
                    continue
                v = values.get(name)
                if v is None:
                    continue
                if isinstance(v, str):
                    ws.write_string(r, j, v)
                elif isinstance(v, date):
                    if is_date[j] and text_rng.random() < TEXT_DATE_RATE:
                        ws.write_string(r, j, _date_text(v, text_rng.randrange(4)))
                    else:
                        ws.write_number(r, j, (v - _EXCEL_EPOCH).days, date_fmt)
                else:
                    ws.write_number(r, j, v)
            r += 1
        counts[sheet.kind] += len(sheet.rows)
        ws.write_string(r, 0, f"填表人：{sheet.filler}  审核人：{sheet.auditor}")
    wb.close()
    return messy


def _table_rng(seed_tag: str, kind: str) -> np.random.Generator:
    digest = hashlib.sha512(f"{seed_tag}:{kind}:text-dates".encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:16], "big"))


def _write_table(path: Path, sheet: _Sheet, seed_tag: str, counts: dict[str, int]) -> list[MessyRow]:
    """One sheet as a CSV (the sheet's rows, title to footer) or a Parquet file (headers as column
    names). Columns are built whole: a Python pass picks the values, polars types and writes them."""
    spec = KINDS[sheet.kind]
    as_csv = path.suffix == ".csv"
    plain = [r.values if isinstance(r, _Messy) else r for r in sheet.rows]
    bad = {i: r for i, r in enumerate(sheet.rows) if isinstance(r, _Messy)}
    rng = _table_rng(seed_tag, sheet.kind)
    data = []
    for c in spec.columns:
        values = [r.get(c.name) for r in plain]
        if c.type == "deadline":  # a date or words: text, dates as a spreadsheet shows them
            values = [v.isoformat() if isinstance(v, date) else v for v in values]
        if c.type == "date":
            column = pl.Series(c.header, values, dtype=pl.Date)
        elif c.type in ("int", "float"):
            column = pl.Series(c.header, values, dtype=pl.Float64)
        else:
            column = pl.Series(c.header, values, dtype=pl.String)
        messy = {i: (r.raw or None) for i, r in bad.items() if r.column == c.name}
        if as_csv or messy:  # text: all of a CSV, and a Parquet column holding a messy text
            column = _as_text(column, rng if as_csv else None)
            if messy:
                column = column.scatter(list(messy), list(messy.values()))
        elif c.type == "int":
            column = column.cast(pl.Int64)
        data.append(column)
    frame = pl.DataFrame(data)
    if as_csv:
        text = {name: pl.String for name in frame.columns}

        def line(*cells: str | None) -> pl.DataFrame:
            return pl.DataFrame([[*cells, *[None] * (frame.width - len(cells))]], schema=text, orient="row")

        footer = f"填表人：{sheet.filler}  审核人：{sheet.auditor}"
        rows = pl.concat([line(sheet.title), line(), line(*frame.columns), frame, line(footer)])
        rows.write_csv(path, include_header=False, include_bom=True)  # the BOM tells Excel it is UTF-8
    else:
        frame.write_parquet(path, compression="zstd")
    counts[sheet.kind] += len(sheet.rows)
    first_row = FIRST_DATA_ROW if as_csv else 2  # the row the reader reports for the first data row
    return [
        MessyRow(path.name, path.stem, first_row + i, spec.column(r.column).header, r.raw, r.reason)
        for i, r in bad.items()
    ]


def _as_text(column: pl.Series, rng: np.random.Generator | None) -> pl.Series:
    """A column as the text a spreadsheet saves: numbers without a trailing .0, dates ISO, and with
    `rng` a few dates (TEXT_DATE_RATE) in another spelling."""
    if column.dtype == pl.Float64:
        whole = column == column.round(0)
        return (
            pl.select(
                pl.when(whole)
                .then(column.cast(pl.Int64, strict=False).cast(pl.String))
                .otherwise(column.cast(pl.String))
            )
            .to_series()
            .alias(column.name)
        )
    if column.dtype != pl.Date:
        return column
    text = column.dt.strftime("%Y-%m-%d")
    if rng is not None:
        picked = np.flatnonzero(rng.random(len(column)) < TEXT_DATE_RATE).tolist()
        picked = [i for i in picked if column[i] is not None]
        if picked:
            styles = rng.integers(0, 4, len(picked)).tolist()
            dates = column.gather(picked).to_list()
            text = text.scatter(picked, [_date_text(d, s) for d, s in zip(dates, styles, strict=True)])
    return text
