"""The SQL of the page dashboards/pages/tasks.py (run with dashboards.queries.query)."""

# One row per task per period; the chosen period's rows only (never add up the four quarters).
TASKS_SQL = """
select
    t.task_id, t.task, t.owner_name, t.owner_kind, t.is_lead, t.responsible_person, t.org_code,
    t.college_code, coalesce(t.college_name, t.college_code) as college_name,
    t.deadline_text, t.deadline, t.ongoing, t.status, t.completed_on,
    t.due_in_period, t.on_time, t.overdue, t.source_file, t.source_row::BIGINT as source_row
from marts.tasks t
where t.period = ?
  and (?::VARCHAR is null or (? = '职能部门' and t.owner_kind = '职能部门') or t.college_code = ?)
order by t.overdue desc, t.deadline nulls last, t.task_id, t.owner_seq
"""

# 按期完成率 per college, as C2 counts it: the party-org tasks due by the period end, weighted by
# 考核分值 (1 where none), and the share of them completed by their deadline.
RATES_SQL = """
select
    t.college_code,
    coalesce(t.college_name, t.college_code) as college_name,
    (count(*) filter (where t.due_in_period))::BIGINT as due,
    (count(*) filter (where t.due_in_period and t.on_time))::BIGINT as on_time,
    (100.0 * sum(t.weight) filter (where t.due_in_period and t.on_time)
        / nullif(sum(t.weight) filter (where t.due_in_period), 0))::DOUBLE as on_time_rate
from marts.tasks t
where t.period = ? and t.owner_kind = '党组织' and t.college_code is not null
group by all
order by t.college_code
"""

PERIODS_SQL = """
select distinct period, year, quarter from marts.tasks order by year desc, quarter desc
"""

COLLEGES_SQL = """
select distinct college_code, coalesce(college_name, college_code) as college_name
from marts.tasks
where period = ? and college_code is not null
order by college_code
"""

HAS_DEPARTMENTS_SQL = """
select 1 from marts.tasks where period = ? and owner_kind = '职能部门' limit 1
"""
