-- Activities of each org (branch or college) held in the period so far, by type. held_by_secretary
-- counts those the org's own secretary gave; held_by_college_secretary those the secretary of the
-- org's 二级党组织 gave there (a college secretary lectures in the college's branches too).
-- months_with is the number of bits set in an OR of one bit per month: the same as
-- count(distinct month), in one spillable aggregate. count(distinct) over every org and period, or a
-- grouping by month under the grouping by org, needed more than a 1 GB memory limit at 100× the demo.
with periods as (
    select * from {{ ref('int_periods_enumerated') }}
),

orgs as (
    select year, org_code, college_code, secretary_key from {{ ref('int_orgs_placed') }}
),

activities as (
    select * from {{ ref('stg_inbox__activities') }}
)

select
    periods.period,
    activities.org_code,
    orgs.college_code,
    activities.activity_type,
    cast(count(*) as integer) as held,
    cast(coalesce(bit_count(bit_or(1 << (activities.month - 1))), 0) as integer) as months_with,
    -- attendance only where both counts were filled in
    cast(sum(case when activities.attended is not null then activities.expected end) as bigint) as expected,
    cast(sum(case when activities.expected is not null then activities.attended end) as bigint) as attended,
    cast(coalesce(sum(activities.attended), 0) as bigint) as attendees,
    cast(count(*) filter (where activities.speaker_key = orgs.secretary_key) as integer) as held_by_secretary,
    cast(count(*) filter (where activities.speaker_key = colleges.secretary_key) as integer)
        as held_by_college_secretary
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
