-- A warm run rebuilds only the (year, college) partitions that changed: a row of a year and college
-- is made from its inputs' rows of that year and college only (transform/changes.py).
{{ config(meta={'partition': 'year_college'}) }}
-- 七个有力 indicators per branch per period (seeds/rule_indicators.csv, level branch): value against
-- target, score 0–100.
-- An indicator without a target (no members, no 支委会 required, no attendance recorded) is left
-- out, as are year-end-only indicators before Q4; dimension scores average what is present.
with branch_periods as (
    select * from {{ ref('int_branch_periods_measured') }}
),

activities as (
    select * from {{ ref('int_org_activities_counted') }}
),

annual as (
    select
        max(annual_count) filter (where activity_type = '党课') as annual_party_lectures,
        max(annual_count) filter (where activity_type = '支部党员大会') as annual_member_meetings,
        max(annual_count) filter (where activity_type = '支部委员会') as annual_committee_meetings,
        max(annual_count) filter (where activity_type = '组织生活会') as annual_org_life_meetings,
        max(annual_count) filter (where activity_type = '民主评议党员') as annual_democratic_reviews,
        max(annual_count) filter (where activity_type = '宣传活动') as annual_publicity,
        max(annual_count) filter (where activity_type = '志愿服务') as annual_volunteering,
        max(annual_count) filter (where activity_type = '书记党课') as annual_secretary_lectures
    from {{ ref('rule_activity_targets') }}
    where scope = 'branch'
),

params as (
    select
        max(value) filter (where parameter = 'lost_contact_penalty') as lost_contact_penalty,
        max(value) filter (where parameter = 'funds_used_share') as funds_used_share,
        max(value) filter (where parameter = 'branch_max_members') as max_members,
        max(value) filter (where parameter = 'student_branch_max_members') as student_max_members
    from {{ ref('rule_parameters') }}
),

held as (
    select
        branch_periods.period,
        branch_periods.branch_code,
        coalesce(sum(activities.held) filter (where activities.activity_type = '党课'), 0) as party_lectures,
        coalesce(sum(activities.held_by_secretary) filter (where activities.activity_type = '党课'), 0)
            as secretary_lectures,
        coalesce(sum(activities.months_with) filter (where activities.activity_type = '主题党日'), 0)
            as theme_day_months,
        coalesce(sum(activities.held) filter (where activities.activity_type = '支部党员大会'), 0)
            as member_meetings,
        coalesce(sum(activities.held) filter (where activities.activity_type = '支部委员会'), 0)
            as committee_meetings,
        coalesce(sum(activities.held) filter (where activities.activity_type = '组织生活会'), 0)
            as org_life_meetings,
        coalesce(sum(activities.held) filter (where activities.activity_type = '民主评议党员'), 0)
            as democratic_reviews,
        coalesce(sum(activities.attendees) filter (where activities.activity_type = '谈心谈话'), 0)
            as heart_talk_attendees,
        coalesce(sum(activities.held) filter (where activities.activity_type = '宣传活动'), 0) as publicity,
        coalesce(sum(activities.held) filter (where activities.activity_type = '志愿服务'), 0) as volunteering,
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

dues as (
    select
        training.period,
        training.branch_code,
        sum(dues.months_due) as months_due,
        sum(dues.months_paid_on_time) as months_paid_on_time
    from {{ ref('int_member_training_summed') }} as training
    inner join {{ ref('int_member_dues_counted') }} as dues
        on dues.period = training.period
        and dues.member_key = training.member_key
    group by all
),

evaluations as (
    select
        year,
        org_code,
        sum(votes_good + votes_fair_good) as votes_satisfied,
        sum(votes_good + votes_fair_good + votes_average + votes_poor) as votes_all
    from {{ ref('stg_inbox__evaluations') }}
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
        branch_periods.branch_category,
        branch_periods.months,
        branch_periods.member_count,
        branch_periods.members_met,
        branch_periods.lost_contact_count,
        branch_periods.committee_required,
        branch_periods.size_ok,
        branch_periods.secretary_dual_leader,
        held.* exclude (period, branch_code),
        dues.months_due,
        dues.months_paid_on_time,
        roster.roster_rows,
        roster.rejected_rows,
        evaluations.votes_satisfied,
        evaluations.votes_all,
        funding.allocated,
        funding.spent,
        development.entered_people,
        development.entered_clean,
        annual.*,
        params.*
    from branch_periods
    cross join annual
    cross join params
    inner join held
        on held.period = branch_periods.period
        and held.branch_code = branch_periods.branch_code
    left join dues
        on dues.period = branch_periods.period
        and dues.branch_code = branch_periods.branch_code
    left join {{ ref('int_branch_rosters_checked') }} as roster
        on roster.year = branch_periods.year
        and roster.branch_code = branch_periods.branch_code
    left join evaluations
        on evaluations.year = branch_periods.year
        and evaluations.org_code = branch_periods.branch_code
    left join {{ ref('int_org_funding_summed') }} as funding
        on funding.period = branch_periods.period
        and funding.org_code = branch_periods.branch_code
    left join {{ ref('int_development_compliance_measured') }} as development
        on development.period = branch_periods.period
        and development.branch_code = branch_periods.branch_code
),

{#- The indicators of 七个有力, one per rulebook row (seeds/rule_indicators.csv, level branch):
    (indicator, value, target, score). Score `null` means ratio(value, target); an indicator whose
    target is 0 or missing (no members, no 支委会 required, no attendance recorded) gets none. -#}
{%- set indicators = [] %}
{# B1 教育党员有力 #}
{%- do indicators.append(('training_compliance', 'members_met', 'member_count', 'null')) %}
{%- do indicators.append(('party_lectures', 'party_lectures', 'annual_party_lectures * months / 12.0', 'null')) %}
{%- do indicators.append(('theme_day_months', 'theme_day_months', 'months', 'null')) %}
{# B2 管理党员有力 #}
{%- do indicators.append(('dues_on_time', 'months_paid_on_time', 'months_due', 'null')) %}
{%- do indicators.append(('no_lost_contact', 'lost_contact_count', '0', 'greatest(0, 100 - lost_contact_penalty * lost_contact_count)')) %}
{%- do indicators.append(('roster_clean', 'roster_rows - rejected_rows', 'roster_rows', 'null')) %}
{%- do indicators.append(('development_compliance', 'entered_clean', 'entered_people', 'null')) %}
{%- do indicators.append(('size_ok', 'member_count', "case when branch_category = '学生' then student_max_members else max_members end",
        'case when size_ok then 100 else 0 end')) %}
{# B3 监督党员有力 (year end only: rule_indicators.annual_only) #}
{%- do indicators.append(('org_life_meeting', 'org_life_meetings', 'annual_org_life_meetings',
        'case when org_life_meetings >= annual_org_life_meetings then 100 else 0 end')) %}
{%- do indicators.append(('democratic_review', 'democratic_reviews', 'annual_democratic_reviews',
        'case when democratic_reviews >= annual_democratic_reviews then 100 else 0 end')) %}
{%- do indicators.append(('heart_talks', 'heart_talk_attendees', 'member_count', 'null')) %}
{# B4 组织师生有力 #}
{%- do indicators.append(('member_meetings', 'member_meetings', 'annual_member_meetings * months / 12.0', 'null')) %}
{%- do indicators.append(('committee_meetings', 'committee_meetings',
        'case when committee_required then annual_committee_meetings * months / 12.0 else 0 end', 'null')) %}
{%- do indicators.append(('attendance', 'attended', 'expected', 'null')) %}
{# B5 宣传师生有力 #}
{%- do indicators.append(('publicity', 'publicity', 'annual_publicity * months / 12.0', 'null')) %}
{%- do indicators.append(('secretary_lecture', 'secretary_lectures', 'annual_secretary_lectures', 'null')) %}
{# B6 凝聚师生有力 #}
{%- do indicators.append(('dual_leader', 'case when secretary_dual_leader then 1 else 0 end',
        "case when branch_category = '教工' then 1 else 0 end", 'null')) %}
{%- do indicators.append(('satisfaction', 'votes_satisfied', 'votes_all', 'null')) %}
{# B7 服务师生有力 #}
{%- do indicators.append(('volunteering', 'volunteering', 'annual_volunteering * months / 12.0', 'null')) %}
{%- do indicators.append(('funds_used', 'spent', 'funds_used_share * allocated', 'null')) %}

indicator_values as (
    {{- indicator_values('branch', 'measured', indicators, 'custom_score') }}
),

indicator_scores as (
    select
        indicator_values.*,
        coalesce(
            indicator_values.custom_score,
            {{ ratio_score('indicator_values.value', 'indicator_values.target') }}
        ) as score
    from indicator_values
),

{{ published_indicators('indicator_scores', 'branch', 'branch_code') }}
