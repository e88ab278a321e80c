-- One row per college (二级党组织) per period with what the 五个到位 indicators need from its
-- members and its funding: counted members, training compliance overall and for the roles with the
-- highest hours requirement, the per-member funding standard, 拨款/支出 of the college and every org
-- under it, staffing figures for 专职组织员 and the number of its branches.
with periods as (
    select * from {{ ref('int_periods_enumerated') }}
),

orgs as (
    select * from {{ ref('int_orgs_placed') }}
),

colleges as (
    select * from orgs where is_college
),

training as (
    select * from {{ ref('int_member_training_summed') }}
),

members as (
    select year, member_key, category from {{ ref('int_members_placed') }}
),

funding_standards as (
    select * from {{ ref('rule_funding_per_member') }}
),

funding as (
    select * from {{ ref('int_org_funding_summed') }}
),

member_counts as (
    select
        training.period,
        training.college_code,
        count(*) as member_count,
        count(*) filter (where training.met) as members_met,
        -- the roles held to the highest yearly hours (int_members_placed.is_leader_role)
        count(*) filter (where training.is_leader_role) as leader_count,
        count(*) filter (where training.is_leader_role and training.met) as leaders_met,
        -- yearly funding standard of the counted members, by 人员类别
        sum(funding_standards.annual_amount) as annual_funding_standard
    from training
    left join members
        on members.year = training.year
        and members.member_key = training.member_key
    left join funding_standards
        on funding_standards.category = members.category
    group by all
),

funding_sums as (
    select
        funding.period,
        orgs.college_code,
        sum(funding.allocated) as allocated,
        sum(funding.spent) as spent,
        sum(funding.spent_other) as spent_other
    from funding
    inner join periods
        on periods.period = funding.period
    inner join orgs
        on orgs.year = periods.year
        and orgs.org_code = funding.org_code
    group by all
),

branch_counts as (
    select year, college_code, count(*) as branch_count
    from orgs
    where is_branch
    group by all
)

select
    periods.period,
    periods.year,
    periods.quarter,
    periods.months,
    periods.period_end,
    periods.is_year_end,
    colleges.org_code as college_code,
    colleges.org_name as college_name,
    colleges.org_type,
    colleges.secretary_key,
    colleges.staff_count,
    colleges.student_count,
    colleges.organizer_count,
    cast(coalesce(branch_counts.branch_count, 0) as integer) as branch_count,
    cast(coalesce(member_counts.member_count, 0) as integer) as member_count,
    cast(coalesce(member_counts.members_met, 0) as integer) as members_met,
    cast(coalesce(member_counts.leader_count, 0) as integer) as leader_count,
    cast(coalesce(member_counts.leaders_met, 0) as integer) as leaders_met,
    cast(coalesce(member_counts.annual_funding_standard, 0) as double) as annual_funding_standard,
    cast(coalesce(funding_sums.allocated, 0) as double) as allocated,
    cast(coalesce(funding_sums.spent, 0) as double) as spent,
    cast(coalesce(funding_sums.spent_other, 0) as double) as spent_other
from colleges
inner join periods
    on periods.year = colleges.year
left join member_counts
    on member_counts.period = periods.period
    and member_counts.college_code = colleges.org_code
left join funding_sums
    on funding_sums.period = periods.period
    and funding_sums.college_code = colleges.org_code
left join branch_counts
    on branch_counts.year = colleges.year
    and branch_counts.college_code = colleges.org_code
