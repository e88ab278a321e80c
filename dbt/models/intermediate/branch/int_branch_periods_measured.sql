-- A warm run rebuilds only the (year, college) partitions that changed: a row of a year and college
-- is made from its inputs' rows of that year and college only (transform/changes.py).
{{ config(meta={'partition': 'year_college'}) }}
-- One row per branch per period with what the branch's indicators and hard rules need:
-- counted members, training compliance, committee requirement, size and 换届 status.
with periods as (
    select * from {{ ref('int_periods_enumerated') }}
),

branches as (
    select * from {{ ref('int_orgs_placed') }} where is_branch
),

training as (
    select * from {{ ref('int_member_training_summed') }}
),

activities as (
    select * from {{ ref('int_org_activities_counted') }}
),

targets as (
    select activity_type, annual_count from {{ ref('rule_activity_targets') }} where scope = 'branch'
),

params as (
    select
        max(value) filter (where parameter = 'branch_min_members') as min_members,
        max(value) filter (where parameter = 'branch_max_members') as max_members,
        max(value) filter (where parameter = 'student_branch_max_members') as student_max_members,
        max(value) filter (where parameter = 'committee_min_full_members') as committee_min_full_members
    from {{ ref('rule_parameters') }}
),

members as (
    select year, member_key, lost_contact from {{ ref('int_members_placed') }}
),

member_counts as (
    select
        training.period,
        training.branch_code,
        count(*) as member_count,
        count(*) filter (where training.status = '正式党员') as full_member_count,
        count(*) filter (where training.met) as members_met,
        count(*) filter (where members.lost_contact) as lost_contact_count
    from training
    left join members
        on members.year = training.year
        and members.member_key = training.member_key
    group by all
),

base as (
    select
        periods.period,
        periods.year,
        periods.quarter,
        periods.months,
        periods.period_end,
        periods.is_year_end,
        branches.org_code as branch_code,
        branches.org_name as branch_name,
        branches.college_code,
        branches.college_name,
        branches.branch_category,
        branches.secretary_key,
        branches.secretary_dual_leader,
        branches.last_election_on,
        branches.term_years,
        cast(coalesce(member_counts.member_count, 0) as integer) as member_count,
        cast(coalesce(member_counts.full_member_count, 0) as integer) as full_member_count,
        cast(coalesce(member_counts.members_met, 0) as integer) as members_met,
        cast(coalesce(member_counts.lost_contact_count, 0) as integer) as lost_contact_count,
        -- the secretary named in 组织架构 is on this branch's roster for the period
        exists (
            select 1 from training as t
            where t.period = periods.period
                and t.branch_code = branches.org_code
                and t.member_key = branches.secretary_key
        ) as secretary_on_roster
    from branches
    inner join periods
        on periods.year = branches.year
    left join member_counts
        on member_counts.period = periods.period
        and member_counts.branch_code = branches.org_code
),

held as (
    select
        period,
        org_code,
        coalesce(sum(held) filter (where activity_type = '支部党员大会'), 0) as member_meetings,
        coalesce(sum(held) filter (where activity_type = '党课'), 0) as party_lectures,
        coalesce(sum(held) filter (where activity_type = '组织生活会'), 0) as org_life_meetings,
        coalesce(sum(held) filter (where activity_type = '民主评议党员'), 0) as democratic_reviews
    from activities
    group by all
),

checked as (
    select
        base.*,
        base.full_member_count >= params.committee_min_full_members as committee_required,
        base.member_count between params.min_members
            and case when base.branch_category = '学生' then params.student_max_members else params.max_members end
            as size_ok,
        -- no 上次换届日期 on file means the branch cannot show its 换届 is on time
        coalesce(base.period_end > base.last_election_on + to_years(base.term_years), true) as election_overdue,
        coalesce(held.member_meetings, 0) as member_meetings,
        coalesce(held.party_lectures, 0) as party_lectures,
        coalesce(held.org_life_meetings, 0) as org_life_meetings,
        coalesce(held.democratic_reviews, 0) as democratic_reviews
    from base
    cross join params
    left join held
        on held.period = base.period
        and held.org_code = base.branch_code
),

required as (
    select
        max(annual_count) filter (where activity_type = '支部党员大会') as member_meetings,
        max(annual_count) filter (where activity_type = '党课') as party_lectures,
        max(annual_count) filter (where activity_type = '组织生活会') as org_life_meetings,
        max(annual_count) filter (where activity_type = '民主评议党员') as democratic_reviews
    from targets
)

-- 规范化 hard rules (the first 晋位升级 tier of branch_scores.tier), pro-rated "so far" before the year end
select
    checked.*,
    checked.size_ok
        and checked.member_meetings >= required.member_meetings * checked.months / 12.0
        and checked.party_lectures >= required.party_lectures * checked.months / 12.0
        and (not checked.is_year_end or (
            checked.org_life_meetings >= required.org_life_meetings
            and checked.democratic_reviews >= required.democratic_reviews
        ))
        and not checked.election_overdue
        and checked.secretary_on_roster
        as meets_hard_rules
from checked
cross join required
