"""The SQL of the page dashboards/pages/submit.py (数据报送)."""

COLLEGES_SQL = """
select college_code, max(college_name) as college_name
from marts.dim_org
where college_code is not null and year = (select max(year) from marts.dim_org)
group by all
order by college_code
"""

# Submitted files the published snapshot has loaded (or refused as a whole): parameter a list of names.
PUBLISHED_SQL = """
select stored_name, status, rows_read::BIGINT as rows_read, rows_loaded::BIGINT as rows_loaded,
       rows_rejected::BIGINT as rows_rejected, problem
from marts.submissions
where stored_name in (select unnest(?::VARCHAR[])) and loaded_at is not null
"""

# The college's latest score and rank.
LATEST_SCORE_SQL = """
select period, composite::DOUBLE as composite, rank::INTEGER as rank, grade
from marts.college_scores
where college_code = ?
order by period desc
limit 1
"""
