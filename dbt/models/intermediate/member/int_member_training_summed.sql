-- A warm run rebuilds only the (year, college) partitions that changed: a row of a year and college
-- is made from its inputs' rows of that year and college only (transform/changes.py).
{{ config(meta={'partition': 'year_college'}) }}
-- Each member counted in a period (on the roster of its year, joined by the period's end) with the
-- hours trained since January 1 against the requirement pro-rated to the months elapsed.
with periods as (
    select * from {{ ref('int_periods_enumerated') }}
),

members as (
    select * from {{ ref('int_members_placed') }}
),

training as (
    select * from {{ ref('stg_inbox__training') }}
),

counted as (
    select
        periods.period,
        periods.year,
        periods.quarter,
        periods.months,
        periods.period_end,
        members.member_key,
        members.branch_code,
        members.college_code,
        members.party_role,
        members.status,
        members.is_leader_role,
        members.required_hours as annual_required_hours,
        members.source_file,
        members.source_row
    from members
    inner join periods
        on periods.year = members.year
    -- no 入党日期 on the roster: counted (the roster says the person is a member)
    where members.joined_on is null or members.joined_on <= periods.period_end
),

trained as (
    select
        counted.period,
        counted.member_key,
        sum(training.hours) as hours
    from counted
    inner join training
        on training.member_key = counted.member_key
        and training.year = counted.year
        and training.started_on <= counted.period_end
    group by all
)

select
    counted.period,
    counted.year,
    counted.quarter,
    counted.member_key,
    counted.branch_code,
    counted.college_code,
    counted.party_role,
    counted.status,
    round(cast(coalesce(trained.hours, 0) as double), 2) as hours,
    round(counted.annual_required_hours * counted.months / 12.0, 2) as required_hours,
    coalesce(trained.hours, 0) >= counted.annual_required_hours * counted.months / 12.0 as met,
    counted.is_leader_role,
    -- the 花名册 row the member is counted from: a member-period row has no row of its own, and the
    -- rows behind an indicator (marts.indicator_sources) are shown with their file and row
    counted.source_file,
    counted.source_row
from counted
left join trained
    on trained.period = counted.period
    and trained.member_key = counted.member_key
