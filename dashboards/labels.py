"""Chinese UI words and display formatting shared by the pages (no scoring logic here).

The rulebook's own words — dimension names, grades, tiers — are not here: the pages read them from
the published rule tables (dashboards/rulebook.py)."""

NO_GRADE = "不定级"
# Streamlit's own placeholders are English ("Choose an option", "Choose options")
CHOOSE = "请选择"
CHOOSE_MANY = "请选择（可多选）"
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

# 任务清单: marts.tasks.status, in the order work moves.
TASK_STATUSES: tuple[str, ...] = ("未启动", "推进中", "已完成")
OVERDUE_MARK = "⚠ 逾期"


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


QUARTER_WORDS = {1: "一", 2: "二", 3: "三", 4: "四"}
# What the pages call college_scores.total: the rulebook's word (rule_parameters: 党建工作考核 80%、
# 述职评议 20%) and the result sheet's, on every page alike
TOTAL_LABEL = "党建工作考核得分"
UNGRADED = "未定级"  # a grade or tier not (yet) given, in a table cell


def period_text(period: str) -> str:
    """ "2024Q4" -> "2024年第四季度": a period in running text; a value the pattern does not fit is
    returned as is."""
    if len(period) == 6 and period[:4].isdigit() and period[4] == "Q" and period[5] in "1234":
        return f"{period[:4]}年第{QUARTER_WORDS[int(period[5])]}季度"
    return period


def period_label(period: str) -> str:
    """ "2024Q2" -> "2024年第二季度（1–6月累计）"; a period the pattern does not fit is returned as is."""
    if len(period) == 6 and period[:4].isdigit() and period[4] == "Q" and period[5] in "1234":
        quarter = int(period[5])
        span = "全年" if quarter == 4 else f"1–{quarter * 3}月累计"
        return f"{period_text(period)}（{span}）"
    return period
