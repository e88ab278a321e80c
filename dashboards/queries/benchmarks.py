"""The SQL of the university's figures a college compares itself with (dashboards/university.py):
marts.college_benchmarks and marts.college_rank_ladder name no college, so every login sees them
whole, and the rulebook's grade and star rules."""

BENCHMARKS_SQL = """
select measure, colleges::BIGINT as colleges, mean::DOUBLE as mean, best::DOUBLE as best,
       worst::DOUBLE as worst
from marts.college_benchmarks
where period = ?
"""

LADDER_SQL = """
select rank::BIGINT as rank, colleges::BIGINT as colleges, composite::DOUBLE as composite,
       total::DOUBLE as total, grade, veto
from marts.college_rank_ladder
where period = ?
order by rank
"""

# The university's mean composite per period, as one more series of the 趋势 line chart
MEAN_TREND_SQL = """
select period, year::BIGINT as year, ? as series, mean::DOUBLE as score
from marts.college_benchmarks
where measure = 'composite'
"""

# The college's place computed by dbt on its own row (marts.college_scores; int_college_scores_computed)
GAPS_SQL = """
select gap_to_rank_above::DOUBLE as gap_to_rank_above, next_grade,
       gap_to_next_grade::DOUBLE as gap_to_next_grade, next_grade_quota_full
from marts.college_scores
where period = ? and college_code = ?
"""

GRADE_RULES_SQL = """
select grade, min_composite::DOUBLE as min_composite, max_share::DOUBLE as max_share
from marts.rule_grades
order by rank_order
"""

STAR_CUTOFFS_SQL = """
select stars::BIGINT as stars, min_total::DOUBLE as min_total
from marts.rule_star_cutoffs
order by stars desc
"""
