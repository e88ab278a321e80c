"""The SQL of the page dashboards/pages/trends.py (run with dashboards.queries.query)."""

# Numbers are cast to DOUBLE/BIGINT here: DECIMAL/HUGEINT would plot at the wrong scale.
TREND_SQL = """
select period, year::BIGINT as year, ? as series, composite::DOUBLE as score
from marts.college_scores where college_code = ?
union all
select period, year::BIGINT as year, ? as series, total::DOUBLE as score
from marts.college_scores where college_code = ?
union all
select period, year::BIGINT as year, ? as series, total::DOUBLE as score
from marts.branch_scores where branch_code = ?
"""

RANKS_SQL = """
select period, college_code, college_name, rank::BIGINT as rank
from marts.college_scores
order by year, quarter, rank, college_code
"""

YEARLY_SQL = """
select
    year::BIGINT              as year,
    rank::BIGINT              as rank,
    (lag(rank) over (order by year) - rank)::BIGINT as rank_vs_last_year,
    composite::DOUBLE         as composite,
    total::DOUBLE             as total,
    evaluation_score::DOUBLE  as evaluation_score,
    stars::BIGINT             as stars,
    grade,
    {college_dimensions}
from marts.college_scores
where college_code = ? and quarter = 4
order by year
"""

BRANCH_YEARLY_SQL = """
select
    year::BIGINT              as year,
    branch_name,
    rank_overall::BIGINT      as rank_overall,
    rank_in_college::BIGINT   as rank_in_college,
    total::DOUBLE             as total,
    stars::BIGINT             as stars,
    tier
from marts.branch_scores
where branch_code = ? and quarter = 4
order by year
"""

ALL_YEARLY_SQL = """
select
    year::BIGINT        as year,
    college_code,
    college_name,
    rank::BIGINT        as rank,
    composite::DOUBLE   as composite,
    grade
from marts.college_scores
where quarter = 4
order by year, rank, college_code
"""

# Largest moves: `rank_change` of the marts for the latest period; for years, `year_end_rank_change`
# (last year's Q4 rank − this Q4 rank) of the latest year with a Q4.
PERIOD_MOVES_SQL = """
select college_name, (rank + rank_change)::BIGINT as before_rank, rank::BIGINT as rank,
       rank_change::BIGINT as change
from marts.college_scores
where period = ? and rank_change is not null
"""

YEAR_MOVES_SQL = """
select college_name, (rank + year_end_rank_change)::BIGINT as before_rank, rank::BIGINT as rank,
       year_end_rank_change::BIGINT as change
from marts.college_scores
where quarter = 4 and year = ? and year_end_rank_change is not null
"""

ANY_COLLEGE_SCORE_SQL = """
select 1 from marts.college_scores limit 1
"""

PERIODS_SQL = """
select distinct period, year, quarter from marts.college_scores order by year, quarter
"""

COLLEGES_SQL = """
select college_code, arg_max(college_name, year) as college_name
from marts.college_scores
group by college_code
order by college_code
"""

BRANCHES_SQL = """
select branch_code, arg_max(branch_name, year) as branch_name
from marts.branch_scores
where college_code = ?
group by branch_code
order by branch_code
"""

LATEST_SQL = """
select composite::DOUBLE as composite, rank::BIGINT as rank,
       -- a 年终 (Q4) is compared with last year's 年终, other quarters with the previous quarter
       (case when quarter = 4 then year_end_rank_change else rank_change end)::BIGINT as rank_change,
       quarter = 4 as year_end
from marts.college_scores
where college_code = ? and period = ?
"""
