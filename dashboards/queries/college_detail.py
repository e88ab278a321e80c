"""The SQL of the page dashboards/pages/college_detail.py (run with dashboards.queries.query)."""

SCORE_SQL = """
select
    college_code, college_name, org_type,
    member_count::BIGINT as member_count, branch_count::BIGINT as branch_count,
    {college_dimensions},
    base_total::DOUBLE as base_total, bonus::DOUBLE as bonus, deduction::DOUBLE as deduction,
    total::DOUBLE as total, evaluation_score::DOUBLE as evaluation_score, composite::DOUBLE as composite,
    stars::BIGINT as stars, grade, veto, veto_detail, adjustment_detail,
    rank::BIGINT as rank, rank_change::BIGINT as rank_change,
    year_end_rank_change::BIGINT as year_end_rank_change
from marts.college_scores
where period = ? and college_code = ?
"""

COLLEGE_INDICATORS_SQL = """
select dimension, indicator, indicator_name,
    value::DOUBLE as value, target::DOUBLE as target, score::DOUBLE as score, weight::DOUBLE as weight
from marts.college_indicators
where period = ? and org_code = ?
order by dimension, weight desc, indicator
"""

BRANCH_INDICATORS_SQL = """
select dimension, indicator, indicator_name,
    value::DOUBLE as value, target::DOUBLE as target, score::DOUBLE as score, weight::DOUBLE as weight
from marts.branch_indicators
where period = ? and org_code = ?
order by dimension, weight desc, indicator
"""

BRANCHES_SQL = """
select
    rank_in_college::BIGINT as rank_in_college, rank_overall::BIGINT as rank_overall,
    branch_code, branch_name, branch_category, member_count::BIGINT as member_count,
    {branch_dimensions},
    total::DOUBLE as total, stars::BIGINT as stars, tier, veto
from marts.branch_scores
where period = ? and college_code = ?
order by rank_in_college nulls last, branch_code
"""

# Counted members of a college (or one branch) with the roster row each comes from.
MEMBER_TRAINING_SQL = """
select t.member_key, o.org_name as branch_name, t.party_role, t.status,
    t.hours::DOUBLE as hours, t.required_hours::DOUBLE as required_hours, t.met,
    m.source_file, m.source_row::BIGINT as source_row
from marts.member_training t
left join marts.dim_org o on o.year = t.year and o.org_code = t.branch_code
left join marts.dim_member m on m.year = t.year and m.member_key = t.member_key
where t.period = ? and t.college_code = ? and (?::VARCHAR is null or t.branch_code = ?)
  and (not ? or m.required_hours = (select max(required_hours) from marts.dim_member where year = t.year))
order by t.met, t.hours - t.required_hours, t.member_key
"""

FUNDING_SQL = """
select booked_on, org_name, funding_type, category, amount::DOUBLE as amount, purpose,
    source_file, source_sheet, source_row::BIGINT as source_row
from marts.funding_records
where year = ? and booked_on <= ? and list_contains(?, funding_type)
  and (?::VARCHAR is null or college_code = ?) and (?::VARCHAR is null or org_code = ?)
order by category = '其它' desc, booked_on, source_file, source_row
"""

TASKS_SQL = """
select task_id, task, owner_name as responsible, deadline_text, deadline, status, completed_on,
    weight::DOUBLE as weight, due_in_period, on_time, overdue, source_file, source_row::BIGINT as source_row
from marts.tasks
where period = ? and college_code = ? and (not ? or due_in_period) and (not ? or overdue)
order by overdue desc, deadline nulls last, task_id, org_code
"""

CHECKLIST_SQL = """
select question_no::BIGINT as question_no, responsibility, question, answer, org_name,
    source_file, source_row::BIGINT as source_row
from marts.checklist_answers
where year = ? and college_code = ? and (?::VARCHAR is null or org_code = ?) and list_contains(?, answer)
order by answer = '否' desc, question_no, org_code
"""

PERIODS_SQL = """
select distinct period, year::BIGINT as year, quarter::BIGINT as quarter
from marts.college_scores
order by year desc, quarter desc
"""

COLLEGES_SQL = """
select college_code, college_name, rank::BIGINT as rank
from marts.college_scores
where period = ?
order by rank, college_code
"""

WEAK_FLAGS_SQL = """
select branch_name, flag_name, detail
from marts.weak_branches
where year = ? and college_code = ?
order by branch_code, flag
"""

# 经费台账合计 of a college (its own and its branches') up to the period's end
FUNDING_TOTALS_SQL = """
select funding_type, coalesce(category, '—') as category, count(*)::BIGINT as entries,
    sum(amount)::DOUBLE as amount
from marts.funding_records
where year = ? and booked_on <= ? and college_code = ?
group by 1, 2
order by array_position(['拨款', '支出', '党费返还'], any_value(funding_type)), 2
"""
