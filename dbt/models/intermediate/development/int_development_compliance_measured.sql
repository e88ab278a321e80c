-- Per period and branch: the people who entered a stage of 发展党员 within the year up to the period
-- end, and how many of them have no audit finding as of that period end — the value and target of
-- the development_compliance indicator (branches; colleges sum over their branches).
with people as (
    select * from {{ ref('int_development_people_dated') }}
),

issues as (
    select distinct period, member_key from {{ ref('int_development_issues_audited') }}
)

select
    people.period,
    people.branch_code,
    people.college_code,
    cast(count(*) as integer) as entered_people,
    cast(count(*) filter (where issues.member_key is null) as integer) as entered_clean
from people
left join issues
    on issues.period = people.period
    and issues.member_key = people.member_key
where people.entered_in_year
group by all
