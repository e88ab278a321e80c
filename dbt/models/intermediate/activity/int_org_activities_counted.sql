-- Activities of each org (branch or college) held in the period so far, by type. held_by_secretary
-- counts those the org's own secretary gave; held_by_college_secretary those the secretary of the
-- org's 二级党组织 gave there (a college secretary lectures in the college's branches too).
-- Counted in two groupings, by month first: a count(distinct month) over every org and period is an
-- aggregate DuckDB cannot spill, and at 100× the demo it needed more than a 1 GB memory limit.
with periods as (
    select * from {{ ref('int_periods_enumerated') }}
),

orgs as (
    select year, org_code, college_code, secretary_key from {{ ref('int_orgs_placed') }}
),

activities as (
    select * from {{ ref('stg_inbox__activities') }}
),

by_month as (
    select
        periods.period,
        activities.org_code,
        orgs.college_code,
        activities.activity_type,
        activities.month,
        count(*) as held,
        -- attendance only where both counts were filled in
        sum(case when activities.attended is not null then activities.expected end) as expected,
        sum(case when activities.expected is not null then activities.attended end) as attended,
        sum(activities.attended) as attendees,
        count(*) filter (where activities.speaker_key = orgs.secretary_key) as held_by_secretary,
        count(*) filter (where activities.speaker_key = colleges.secretary_key) as held_by_college_secretary
    from activities
    inner join periods
        on activities.year = periods.year
        and activities.held_on <= periods.period_end
    left join orgs
        on orgs.year = activities.year
        and orgs.org_code = activities.org_code
    left join orgs as colleges
        on colleges.year = orgs.year
        and colleges.org_code = orgs.college_code
    group by all
)

select
    period,
    org_code,
    college_code,
    activity_type,
    cast(sum(held) as integer) as held,
    -- a row per month held in (count ignores a month left blank, as count(distinct) did)
    cast(count(month) as integer) as months_with,
    cast(sum(expected) as bigint) as expected,
    cast(sum(attended) as bigint) as attended,
    cast(coalesce(sum(attendees), 0) as bigint) as attendees,
    cast(sum(held_by_secretary) as integer) as held_by_secretary,
    cast(sum(held_by_college_secretary) as integer) as held_by_college_secretary
from by_month
group by period, org_code, college_code, activity_type
