-- 七个有力 indicators per branch per period (SPEC §5.1): value against target, score 0–100.
-- An indicator without a target (no members, no 支委会 required, no attendance recorded) is left
-- out, as are year-end-only indicators before Q4; dimension scores average what is present.
with branch_periods as (
    select * from {{ ref('int_branch_periods') }}
),

activities as (
    select * from {{ ref('int_org_activities__counted') }}
),

annual as (
    select
        max(annual_count) filter (where activity_type = '党课') as annual_party_lectures,
        max(annual_count) filter (where activity_type = '支部党员大会') as annual_member_meetings,
        max(annual_count) filter (where activity_type = '支部委员会') as annual_committee_meetings
    from {{ ref('rule_activity_targets') }}
    where scope = 'branch'
),

weights as (
    select * from {{ ref('rule_indicators') }} where level = 'branch'
),

held as (
    select
        branch_periods.period,
        branch_periods.branch_code,
        coalesce(sum(activities.held) filter (where activities.activity_type = '党课'), 0) as party_lectures,
        coalesce(sum(activities.months_with) filter (where activities.activity_type = '主题党日'), 0)
            as theme_day_months,
        coalesce(sum(activities.held) filter (where activities.activity_type = '支部党员大会'), 0)
            as member_meetings,
        coalesce(sum(activities.held) filter (where activities.activity_type = '支部委员会'), 0)
            as committee_meetings,
        sum(activities.attended) filter (
            where activities.activity_type in ('支部党员大会', '党课', '主题党日')
        ) as attended,
        sum(activities.expected) filter (
            where activities.activity_type in ('支部党员大会', '党课', '主题党日')
        ) as expected
    from branch_periods
    left join activities
        on activities.period = branch_periods.period
        and activities.org_code = branch_periods.branch_code
    group by all
),

measured as (
    select
        branch_periods.period,
        branch_periods.year,
        branch_periods.quarter,
        branch_periods.is_year_end,
        branch_periods.branch_code,
        branch_periods.college_code,
        branch_periods.months,
        branch_periods.member_count,
        branch_periods.members_met,
        branch_periods.committee_required,
        held.party_lectures,
        held.theme_day_months,
        held.member_meetings,
        held.committee_meetings,
        held.attended,
        held.expected
    from branch_periods
    inner join held
        on held.period = branch_periods.period
        and held.branch_code = branch_periods.branch_code
),

indicator_values as (
    -- B1 教育党员有力
    select *, 'training_compliance' as indicator, members_met as value, member_count as target
    from measured
    union all
    select measured.*, 'party_lectures', party_lectures, annual_party_lectures * months / 12.0
    from measured cross join annual
    union all
    select *, 'theme_day_months', theme_day_months, months
    from measured
    -- B4 组织师生有力
    union all
    select measured.*, 'member_meetings', member_meetings, annual_member_meetings * months / 12.0
    from measured cross join annual
    union all
    select measured.*, 'committee_meetings', committee_meetings,
        case when committee_required then annual_committee_meetings * months / 12.0 else 0 end
    from measured cross join annual
    union all
    select *, 'attendance', attended, expected
    from measured
),

scored as (
    select
        indicator_values.period,
        indicator_values.year,
        indicator_values.quarter,
        indicator_values.branch_code as org_code,
        indicator_values.college_code,
        weights.dimension,
        indicator_values.indicator,
        weights.indicator_name,
        cast(indicator_values.value as double) as value,
        cast(indicator_values.target as double) as target,
        {{ ratio_score('indicator_values.value', 'indicator_values.target') }} as score,
        weights.weight
    from indicator_values
    inner join weights
        on weights.indicator = indicator_values.indicator
    where indicator_values.is_year_end or not weights.annual_only
)

select
    period,
    year,
    quarter,
    org_code,
    college_code,
    dimension,
    indicator,
    indicator_name,
    round(value, 2) as value,
    round(target, 2) as target,
    round(score, 2) as score,
    weight
from scored
where score is not null
