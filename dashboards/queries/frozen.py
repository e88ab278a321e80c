"""The SQL of the frozen-year banner and change list (dashboards/frozen.py)."""

FROZEN_SQL = "select max(frozen_at) as frozen_at from marts.frozen_years where year = ?"
FROZEN_YEARS_SQL = "select year::BIGINT as year from marts.frozen_years order by year"

# The org's name and college from the same year's dim_org; `college` (optional) keeps one college's rows.
DIFF_SQL = """
select
    d.table_name, d.period, d.org_code,
    coalesce(o.org_name, d.org_code) as org_name,
    d.row_key, d.column_name, d.change, d.frozen_value, d.current_value, d.reason
from marts.frozen_diff d
left join marts.dim_org o on o.year = d.year and o.org_code = d.org_code
where d.year = ?
  and (?::VARCHAR is null or o.college_code = ? or d.org_code = ?)
order by d.table_name, d.period nulls first, d.org_code, d.row_key, d.column_name nulls first
"""
