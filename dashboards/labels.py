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
