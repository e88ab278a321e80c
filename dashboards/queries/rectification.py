"""The SQL of the page dashboards/pages/rectification.py (run with dashboards.queries.query)."""

YEARS_SQL = """
select distinct year from marts.rectifications order by year desc
"""

# per college: how many of the year's problems (its own and its branches') stand where
COUNTS_SQL = """
select
    r.college_code,
    coalesce(c.org_name, r.college_code) as college_name,
    count(*)::BIGINT as problems,
    (count(*) filter (where r.status = '未整改'))::BIGINT as not_started,
    (count(*) filter (where r.status = '整改中'))::BIGINT as in_progress,
    (count(*) filter (where r.status = '已销号'))::BIGINT as closed,
    (count(*) filter (where r.status = '逾期'))::BIGINT as overdue
from marts.rectifications r
left join marts.dim_org c on c.year = r.year and c.org_code = r.college_code
where r.year = ?
group by all
order by r.college_code
"""

PROBLEMS_SQL = """
select
    r.problem_id, r.org_code, r.org_name, r.college_code, r.problem_source, r.source_name, r.severity,
    r.description, r.measure, r.responsible_person, r.deadline_text, r.deadline, r.reported_status,
    r.status, r.completed_on, r.completed_on_time, r.source_file, r.source_row::BIGINT as source_row,
    p.period, p.source_key
from marts.rectifications r
left join marts.problems p on p.problem_id = r.problem_id and p.year = r.year
left join marts.rule_problem_sources s on s.problem_source = r.problem_source
where r.year = ?
order by r.college_code, r.org_code, s.sort_order nulls last, p.source_key, r.description
"""

# the rulebook's problem sources and severities, in its order (gravest first): the page's filters
SOURCES_SQL = """
select problem_source, source_name, severity, severity_rank
from marts.rule_problem_sources
order by sort_order
"""

AS_OF_SQL = """
select max(as_of) as as_of from marts.rectifications
"""

# The evidence behind a problem, by its source: the rows the problem was found in.
CHECKLIST_EVIDENCE_SQL = """
select question_no, responsibility, question, answer, source_file, source_row::BIGINT as source_row
from marts.checklist_answers
where year = ? and org_code = ? and cast(question_no as varchar) = ?
"""

WEAK_BRANCH_EVIDENCE_SQL = """
select flag, flag_name, detail from marts.weak_branches
where year = ? and branch_code = ? and flag = ?
"""

TASK_EVIDENCE_SQL = """
select period, task_id, task, owner_name, responsible_person, deadline_text, status, completed_on, overdue,
    source_file, source_row::BIGINT as source_row
from marts.tasks
where year = ? and org_code = ? and task_id = ?
order by period
"""

INDICATOR_EVIDENCE_SQL = """
select period, dimension, indicator, indicator_name, value, target, score
from (
    select period, year, quarter, org_code, dimension, indicator, indicator_name, value, target, score
    from marts.branch_indicators
    union all
    select period, year, quarter, org_code, dimension, indicator, indicator_name, value, target, score
    from marts.college_indicators
)
where year = ? and quarter = 4 and org_code = ? and indicator = ?
"""

HARD_RULE_EVIDENCE_SQL = """
select period, member_count, meets_hard_rules, tier, total
from marts.branch_scores
where year = ? and quarter = 4 and branch_code = ?
"""
