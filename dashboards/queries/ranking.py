"""The SQL of the page dashboards/pages/ranking.py (run with dashboards.queries.query)."""

# Numbers are cast to DOUBLE/BIGINT here: DECIMAL/HUGEINT would plot at the wrong scale.
BRANCHES_SQL = """
select
    rank_overall::BIGINT     as rank_overall,
    rank_in_college::BIGINT  as rank_in_college,
    branch_code, branch_name, college_code, college_name, branch_category,
    member_count::BIGINT     as member_count,
    {branch_dimensions},
    total::DOUBLE            as total,
    stars::BIGINT            as stars,
    tier, veto
from marts.branch_scores
where period = ?
  and list_contains(?, branch_category)
  and (?::VARCHAR is null or college_code = ?)
order by rank_overall nulls last, branch_code
"""

COLLEGES_SQL = """
select
    rank::BIGINT             as rank,
    rank_change::BIGINT      as rank_change,
    college_code, college_name, org_type,
    {college_dimensions},
    total::DOUBLE            as total,
    evaluation_score::DOUBLE as evaluation_score,
    composite::DOUBLE        as composite,
    stars::BIGINT            as stars,
    grade, veto, veto_detail
from marts.college_scores
where period = ?
  and (?::VARCHAR is null or college_code = ?)
order by rank nulls last, college_code
"""

# Branch categories found, in the order of the org tree (the category of the lowest branch code first)
CATEGORIES_SQL = """
select branch_category
from marts.branch_scores
where branch_category is not null
group by branch_category
order by min(branch_code)
"""

HAS_COLLEGE_ROWS_SQL = "select 1 from marts.college_scores where period = ? limit 1"


def periods_sql(has_colleges: bool) -> str:
    """The periods with branch scores (and college scores, when the snapshot has them), latest first."""
    periods = "select distinct period, year, quarter from marts.branch_scores"
    if has_colleges:
        periods += " union select distinct period, year, quarter from marts.college_scores"
    return f"select * from ({periods}) order by year desc, quarter desc"


def college_names_sql(has_colleges: bool) -> str:
    """One name per college code: the latest year's."""
    named = "select distinct college_code, college_name, year from marts.branch_scores"
    if has_colleges:
        named += " union select distinct college_code, college_name, year from marts.college_scores"
    return (
        f"select college_code, arg_max(college_name, year) as college_name from ({named}) "
        "where college_code is not null group by college_code order by college_code"
    )
