"""The SQL of the page dashboards/pages/development.py (党员队伍; run with dashboards.queries.query).
A college parameter of null means every college the viewer may see (a 学院 login sees its own only:
dashboards/scoping.py)."""

PERIODS_SQL = """
select distinct period, year, quarter from marts.development_records order by year desc, quarter desc
"""

COLLEGES_SQL = """
select distinct r.college_code, coalesce(o.org_name, r.college_code) as college_name
from marts.development_records r
left join marts.dim_org o on o.year = r.year and o.org_code = r.college_code
where r.period = ? and r.college_code is not null
order by r.college_code
"""

# Stage counts of the period, per college (the funnel) — stage order from the mart itself.
STAGES_SQL = """
select stage_order, stage,
       sum(people)::BIGINT as people, sum(entered)::BIGINT as entered,
       sum(students)::BIGINT as students, sum(staff)::BIGINT as staff
from marts.development_pipeline
where period = ? and (?::VARCHAR is null or college_code = ?)
group by all
order by stage_order
"""

BRANCH_PIPELINE_SQL = """
select p.college_code, p.branch_code, coalesce(o.org_name, p.branch_code) as branch_name,
       p.stage_order, p.stage, p.people, p.entered, p.students, p.staff
from marts.development_pipeline p
left join marts.dim_org o on o.year = p.year and o.org_code = p.branch_code
where p.period = ? and (?::VARCHAR is null or p.college_code = ?)
order by p.college_code, p.branch_code, p.stage_order
"""

FINDINGS_SQL = """
select i.rule_id, i.finding, i.member_key, i.college_code, i.branch_code,
       coalesce(o.org_name, i.branch_code) as branch_name, i.dates_involved, i.detail,
       i.source_file, i.source_row::BIGINT as source_row
from marts.development_issues i
left join marts.dim_org o on o.year = i.year and o.org_code = i.branch_code
where i.period = ? and (?::VARCHAR is null or i.college_code = ?)
order by i.rule_id, i.college_code, i.branch_code, i.member_key
"""

RULES_SQL = """
select rule_id, finding, string_agg(rule_text, '；' order by parameter) as rule_text,
       string_agg(distinct source, '；') as source
from marts.rule_development
group by all
order by rule_id
"""

ARREARS_SQL = """
select a.level, a.member_key, a.college_code, a.branch_code,
       coalesce(o.org_name, a.branch_code) as branch_name,
       a.first_month, a.last_month, a.months, a.amount_owed, a.note
from marts.dues_arrears a
left join marts.dim_org o on o.year = a.year and o.org_code = a.branch_code
where a.year = ? and (?::VARCHAR is null or a.college_code = ?)
order by a.months desc, a.college_code, a.member_key
"""

DUES_REPORT_SQL = """
select d.college_code, coalesce(o.org_name, d.college_code) as college_name, d.members, d.amount_due,
       d.amount_paid, d.collection_rate, d.months_due, d.months_on_time, d.refunded
from marts.dues_report d
left join marts.dim_org o on o.year = d.year and o.org_code = d.college_code
where d.year = ? and (?::VARCHAR is null or d.college_code = ?)
order by d.college_code
"""
