"""The SQL of the page dashboards/pages/submission_progress.py (报送进度)."""

# The months the calendar covers, latest first; `live`: some monthly sheet of that month is not 不适用.
MONTHS_SQL = """
select strftime(period_start, '%Y-%m') as month, bool_or(status <> '不适用') as live
from marts.submission_status
where cadence = 'monthly'
group by all
order by month desc
"""

# What was due for a month: that month's monthly sheets, its quarter's quarterly sheets, its year's
# yearly sheets. Parameters: the month's first day (date), three times.
MATRIX_SQL = """
select college_code, college_name, kind, kind_title, period, due_on, received_at, submitted_by,
       status, days_late::INTEGER as days_late
from marts.submission_status
where (cadence = 'monthly' and period_start = ?::DATE)
   or (cadence = 'quarterly' and ?::DATE between period_start and period_end)
   or (cadence = 'yearly' and year = year(?::DATE))
order by college_code, kind
"""

KIND_ORDER_SQL = "select kind, kind_title from marts.rule_submissions order by kind_title"

# Per college, of the year: kind-periods due (not 不适用 / 未到期) and those received on time.
ON_TIME_SQL = """
select college_code, college_name,
       count(*) filter (where status in ('按时', '逾期补报', '未报'))::BIGINT as due,
       count(*) filter (where status = '按时')::BIGINT as on_time,
       count(*) filter (where status = '逾期补报')::BIGINT as late,
       count(*) filter (where status = '未报')::BIGINT as missing
from marts.submission_status
where year = ?
group by all
order by college_code
"""

# 催报清单: every kind-period still not received past its due day, with the college's secretary (工号).
REMINDER_SQL = """
select s.college_code, s.college_name, o.secretary_key, s.kind_title, s.period, s.due_on,
       s.days_late::INTEGER as days_late
from marts.submission_status as s
left join marts.dim_org as o on o.year = s.year and o.org_code = s.college_code
where s.status = '未报' and s.year = ?
order by s.days_late desc, s.college_code, s.kind_title, s.period
"""
