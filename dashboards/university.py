"""A college in the university: its rank of N, the university mean, the gap to the college above and
to the next 等次 — from marts.college_benchmarks and marts.college_rank_ladder, which name no college,
and the gap columns dbt computes on the college's own row of marts.college_scores.

A 学院 login's copy of the snapshot holds its own college row only, so a count, mean or distribution
over that copy would be its own figures passed off as the university's; these tables are what it is
compared with instead. `college_context` gathers them (no rule is applied here: the grade rule and its
quota live in dbt); `show_college_context` puts them on a page.
"""

from dataclasses import dataclass

import polars as pl
import streamlit as st

from dashboards.labels import NO_VALUE, TOTAL_LABEL
from dashboards.queries import query
from dashboards.queries.benchmarks import (
    BENCHMARKS_SQL,
    GAPS_SQL,
    GRADE_RULES_SQL,
    LADDER_SQL,
    STAR_CUTOFFS_SQL,
)


@dataclass(frozen=True)
class CollegeContext:
    colleges: int  # ranked in the period, the whole university
    mean: float | None  # university mean composite
    gap_above: float | None  # composite of the next better rank − own; None at rank 1 or under veto
    next_grade: str | None  # the grade above the college's own (year end only)
    gap_grade: float | None  # composite still missing for next_grade
    quota_full: bool  # next_grade has a quota and it is taken: the bar is its lowest holder


def college_context(gaps: dict, ladder: pl.DataFrame, benchmarks: pl.DataFrame) -> CollegeContext:
    """`gaps` is the college's row of college_scores (gap_to_rank_above, next_grade, gap_to_next_grade,
    next_grade_quota_full); the frames are one period of college_rank_ladder / college_benchmarks."""
    composite_mean = benchmarks.filter(pl.col("measure") == "composite")["mean"]
    return CollegeContext(
        colleges=int(ladder["colleges"].sum()),
        mean=composite_mean[0] if composite_mean.len() else None,
        gap_above=gaps.get("gap_to_rank_above"),
        next_grade=gaps.get("next_grade"),
        gap_grade=gaps.get("gap_to_next_grade"),
        quota_full=bool(gaps.get("next_grade_quota_full")),
    )


def _points(value: float | None) -> str:
    return NO_VALUE if value is None else f"{value:.2f} 分"


def show_college_context(own: dict, period: str, year_end: bool) -> None:
    """The metrics of a 学院 login on 排名 and 年终考核: its own figures against the university's."""
    gaps = query(GAPS_SQL, [period, own["college_code"]])
    context = college_context(
        gaps.row(0, named=True) if gaps.height else {},
        query(LADDER_SQL, [period]),
        query(BENCHMARKS_SQL, [period]),
    )
    first = st.columns(3)
    composite = own["composite"]
    first[0].metric(
        "本院综合得分",
        NO_VALUE if composite is None else f"{composite:.2f}",
        delta=None if context.mean is None or composite is None else f"{composite - context.mean:+.2f}",
        delta_description="与全校平均相比",
    )
    rank = NO_VALUE if own["rank"] is None else f"{own['rank']} / {context.colleges}"
    # 年终 against last year's 年终: quarter-to-date scores restart each January
    change = own.get("year_end_rank_change") if year_end else None
    first[1].metric(
        "全校排名",
        rank,
        help="本院名次 / 全校参加排名的二级党组织数",
        delta=change,
        delta_description=None if change is None else "名次较上年年终",
    )
    first[2].metric(
        "全校平均综合得分",
        NO_VALUE if context.mean is None else f"{context.mean:.2f}",
        help=f"全校{context.colleges}个二级党组织的平均",
    )
    second = st.columns(3)
    if own["veto"]:
        above_help = "一票否决的二级党组织排在最后，不比较分差"
    elif own["rank"] == 1:
        above_help = "本院已是全校第1名"
    else:
        above_help = "上一名次的综合得分 − 本院综合得分（不显示是哪个学院）"
    second[0].metric("与上一名次相差", _points(context.gap_above), help=above_help)
    if year_end:
        second[1].metric("本院等次", own["grade"] or NO_VALUE)
        if context.next_grade is None:
            grade_help = "一票否决，等次不再比较" if own["veto"] else "本院已是最高等次"
            second[2].metric("距上一等次", NO_VALUE, help=grade_help)
        elif context.gap_grade is None:
            second[2].metric(f"距「{context.next_grade}」", NO_VALUE, help="该等次名额为0，本期无法达到")
        else:
            how = (
                "名额已满，须高于目前该等次的最低综合得分" if context.quota_full else "按该等次的最低综合得分"
            )
            second[2].metric(f"距「{context.next_grade}」", _points(context.gap_grade), help=how)


def stars_and_grades_note() -> str:
    """Why ★★★★★ can go with a lower grade, in the rulebook's numbers: stars follow the total, the
    grade the composite and the quota of the best grade."""
    cutoffs = query(STAR_CUTOFFS_SQL)
    rules = query(GRADE_RULES_SQL)
    if cutoffs.is_empty() or rules.is_empty():
        return ""
    top = cutoffs.row(0, named=True)
    best = rules.row(0, named=True)
    quota = (
        f"且名次在前{best['max_share']:.0%}（名额内，跨名额的并列都不计）"
        if best["max_share"] is not None
        else ""
    )
    return (
        f"星级按{TOTAL_LABEL}评定（{'★' * int(top['stars'])}：总分不低于{top['min_total']:g}分）；"
        f"年终等次按综合得分（含述职评议）评定，「{best['grade']}」须综合得分不低于{best['min_composite']:g}分{quota}。"
        f"所以{'★' * int(top['stars'])}的二级党组织也可能不是「{best['grade']}」。"
    )
