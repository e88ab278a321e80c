"""The words of the 考核反馈报告: number formats and the generated 主要成绩 / 存在问题 paragraph.

Kept apart from the .docx layout so that a test can read a number in the document and find the same
formatting rule here: scores with 2 decimals (as the marts round them), counts and ranks as integers.
"""

from dagster_project.reports.feedback_data import CollegeReport, Dimension

NO_VALUE = "无"
NO_STARS = "不定级"


def score(value: float | None) -> str:
    return NO_VALUE if value is None else f"{value:.2f}"


def stars(value: int | None) -> str:
    if value is None:
        return NO_VALUE
    return "★" * int(value) if int(value) > 0 else NO_STARS


def rank_of(report: CollegeReport) -> str:
    if report.rank is None:
        return NO_VALUE
    return f"第{report.rank}名（共{report.colleges}个二级党组织）"


def rank_change(change: int | None) -> str:
    """year_end_rank_change (last year's Q4 rank − this Q4 rank) in words."""
    if change is None:
        return "上年无年终考核结果"
    if change > 0:
        return f"上升{change}名"
    if change < 0:
        return f"下降{-change}名"
    return "名次不变"


def _against_mean(dimension: Dimension) -> str:
    if dimension.mean is None:
        return f"{score(dimension.score)}分"
    return f"{score(dimension.score)}分，全校平均{score(dimension.mean)}分"


def achievements(report: CollegeReport) -> str:
    """主要成绩: the result, the rank and the strongest dimension."""
    parts = [
        f"{report.year}年度，{report.college_name}综合得分{score(report.composite)}分，"
        f"全校排名{rank_of(report)}，较上年年终{rank_change(report.year_end_rank_change)}，"
        f"等次为“{report.grade or NO_VALUE}”。"
    ]
    strongest = report.strongest
    if strongest is not None:
        parts.append(f"“五个到位”中得分最高的是“{strongest.name}”（{_against_mean(strongest)}）。")
    above = [d.name for d in report.scored_dimensions if d.mean is not None and d.score > d.mean]
    if above:
        parts.append(f"高于全校平均的有：{'、'.join(f'“{n}”' for n in above)}。")
    return "".join(parts)


def shortcomings(report: CollegeReport) -> str:
    """存在问题: the weakest dimension, the indicators that lost most points, the problems found and
    how last year's were rectified."""
    parts = []
    if report.veto:
        parts.append(f"本年度被一票否决（{report.veto_detail or '事由见考核结果表'}）。")
    weakest = report.weakest
    if weakest is not None:
        parts.append(f"“五个到位”中得分最低的是“{weakest.name}”（{_against_mean(weakest)}）。")
    if report.lost:
        lost = "、".join(f"“{i.name}”（{i.dimension_name}，{score(i.score)}分）" for i in report.lost)
        parts.append(f"失分较多的指标：{lost}。")
    parts.append(f"本年度考核发现问题{len(report.problems)}个。")
    if report.last_year_problems:
        done = sum(1 for p in report.last_year_problems if p.status == "已销号")
        parts.append(f"上年度{len(report.last_year_problems)}个问题中已销号{done}个。")
    return "".join(parts)
