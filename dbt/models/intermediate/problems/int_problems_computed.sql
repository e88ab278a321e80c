-- This run's problems of every year (frozen or not); int_problems_listed publishes the frozen years' stored ones.
-- Every problem the warehouse finds, one row each. Each source is one model with the same columns
-- (year, period, org_code, problem_source, source_key, description); a new source is one model and
-- one entry in the list below, and one row in seeds/rule_problem_sources.csv.
-- problem_id is composed from what the problem is — year, org, source and the source's own key —
-- never from row order or load time, so a corrected file or a rebuild keeps every id.
{%- set sources = [
    'int_checklist_problems_listed',
    'int_weak_branch_problems_listed',
    'int_task_problems_listed',
    'int_hard_rule_problems_listed',
    'int_veto_problems_listed',
    'int_indicator_problems_listed',
    'int_submission_problems_listed',
    'int_development_problems_listed',
] %}
with found as (
    {%- for source in sources %}
    select year, period, org_code, problem_source, source_key, description from {{ ref(source) }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
)

select
    found.year || '-' || found.org_code || '-'
        || upper(substr(md5(found.problem_source || '|' || found.source_key), 1, 8)) as problem_id,
    cast(found.year as integer) as year,
    found.period,
    found.org_code,
    orgs.org_name,
    orgs.college_code,
    found.problem_source,
    sources.source_name,
    sources.severity,
    found.source_key,
    found.description
from found
left join {{ ref('rule_problem_sources') }} as sources
    on sources.problem_source = found.problem_source
left join {{ ref('int_orgs_placed') }} as orgs
    on orgs.year = found.year
    and orgs.org_code = found.org_code
