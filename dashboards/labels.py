"""Chinese labels and display formatting shared by the pages (no scoring logic here)."""

# 七个有力: the branch dimensions b1…b7 of marts.branch_scores.
BRANCH_DIMENSIONS: dict[str, str] = {
    "b1": "教育党员有力",
    "b2": "管理党员有力",
    "b3": "监督党员有力",
    "b4": "组织师生有力",
    "b5": "宣传师生有力",
    "b6": "凝聚师生有力",
    "b7": "服务师生有力",
}

BRANCH_CATEGORIES: tuple[str, ...] = ("教工", "学生", "机关", "后勤", "离退休", "混合")

NO_GRADE = "不定级"
STAR_LABELS: tuple[str, ...] = (NO_GRADE, "★1", "★2", "★3", "★4", "★5")
MAX_STARS = 5


def star_string(stars: int | None) -> str:
    """4 -> "★★★★☆"; 0 -> "不定级" (一票否决); NULL -> ""."""
    if stars is None:
        return ""
    stars = int(stars)
    if stars <= 0:
        return NO_GRADE
    stars = min(stars, MAX_STARS)
    return "★" * stars + "☆" * (MAX_STARS - stars)


def star_label(stars: int | None) -> str:
    """Short legend label: 4 -> "★4"; 0 -> "不定级"."""
    if stars is None:
        return ""
    stars = int(stars)
    return NO_GRADE if stars <= 0 else f"★{min(stars, MAX_STARS)}"


# 数据质量: marts.rejects.check_stage.
CHECK_STAGES: dict[str, str] = {"parse": "读取检查", "cross": "交叉核对"}
ALL_FILES = "全部文件"
WHOLE_FILE = "整个文件"  # the sheet of a reject about the whole file (row_number NULL, sheet NULL)

# 五个到位: the college dimensions c1…c5 of marts.college_scores (C1…C5 in college_indicators.dimension).
COLLEGE_DIMENSIONS: dict[str, str] = {
    "c1": "政治引领到位",
    "c2": "责任落实到位",
    "c3": "思想政治工作到位",
    "c4": "党支部建设到位",
    "c5": "队伍与保障到位",
}

# 任务清单: marts.tasks.status, in the order work moves.
TASK_STATUSES: tuple[str, ...] = ("未启动", "推进中", "已完成")
OVERDUE_MARK = "⚠ 逾期"

# 年终等次: marts.college_scores.grade (Q4 only), best first.
GRADES: tuple[str, ...] = ("好", "较好", "一般", "差")


def dimension_label(code: str | None) -> str:
    """ "C1"/"c1" -> "C1 政治引领到位"; "B3" -> "B3 监督党员有力"; unknown codes are returned as they are."""
    if not code:
        return ""
    name = {**BRANCH_DIMENSIONS, **COLLEGE_DIMENSIONS}.get(code.lower())
    return f"{code.upper()} {name}" if name else code


def rank_change_text(change: int | None) -> str | None:
    """rank_change (previous rank − this rank) in words: 2 -> "上升 2 名", -1 -> "下降 1 名", 0 -> "持平"."""
    if change is None:
        return None
    change = int(change)
    if change > 0:
        return f"上升 {change} 名"
    if change < 0:
        return f"下降 {-change} 名"
    return "持平"


# ---- 排名 / 趋势: 二级党组织 (marts.college_scores) -------------------------------------------------

# 五个到位: the college dimensions c1…c5 of marts.college_scores.
COLLEGE_DIMENSIONS: dict[str, str] = {
    "c1": "政治引领到位",
    "c2": "责任落实到位",
    "c3": "思想政治工作到位",
    "c4": "党支部建设到位",
    "c5": "队伍与保障到位",
}

# 年终等次 (college_scores.grade, Q4 only), best first.
GRADES: tuple[str, ...] = ("好", "较好", "一般", "差")
# 晋位升级 (branch_scores.tier, Q4 only), best first.
TIERS: tuple[str, ...] = ("红旗", "示范性", "规范化")
NO_VALUE = "—"


def rank_change_arrow(change: int | None) -> str:
    """Rank movement (previous rank − this rank): 2 -> "↑2", -1 -> "↓1", 0 -> "—".

    NULL (no earlier period to compare with) -> "".
    """
    if change is None:
        return ""
    change = int(change)
    if change > 0:
        return f"↑{change}"
    if change < 0:
        return f"↓{-change}"
    return NO_VALUE


def period_label(period: str) -> str:
    """ "2024Q2" -> "2024年第2季度（1–6月累计）"; a period the pattern does not fit is returned as is."""
    if len(period) == 6 and period[:4].isdigit() and period[4] == "Q" and period[5] in "1234":
        quarter = int(period[5])
        span = "全年" if quarter == 4 else f"1–{quarter * 3}月累计"
        return f"{period[:4]}年第{quarter}季度（{span}）"
    return period
