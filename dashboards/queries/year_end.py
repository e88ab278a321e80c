"""The SQL of the page dashboards/pages/year_end.py (run with dashboards.queries.query)."""

# Numbers are cast to DOUBLE/BIGINT here: DECIMAL/HUGEINT would plot and format at the wrong scale.
COLLEGES_SQL = """
select
    rank::BIGINT             as rank,
    year_end_rank_change::BIGINT as year_end_rank_change,
    college_code, college_name, org_type,
    total::DOUBLE            as total,
    evaluation_score::DOUBLE as evaluation_score,
    composite::DOUBLE        as composite,
    grade,
    stars::BIGINT            as stars,
    veto, veto_detail, adjustment_detail
from marts.college_scores
where period = ?
order by rank nulls last, college_code
"""

GRADE_COUNTS_SQL = """
select grade, count(*)::BIGINT as colleges
from marts.college_scores
where period = ?
group by grade
"""

TIER_COUNTS_SQL = """
select tier, count(*)::BIGINT as branches
from marts.branch_scores
where period = ?
group by tier
"""

YEARS_SQL = """
select distinct year::BIGINT as year from marts.college_scores where quarter = 4 order by year desc
"""
