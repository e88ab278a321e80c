-- A warm run rebuilds only the years that changed (ranks run across colleges, not years: transform/changes.py).
{{ config(meta={'partition': 'year'}) }}
-- 七个有力 per branch per period: dimension scores, total with 加减分, stars, 晋位升级 tier (Q4),
-- rank among all branches and within the college. One score column per dimension of the rulebook
-- (seeds/rule_dimensions.csv: today b1…b7).
{%- set dimensions = rule_dimension_columns('branch') %}
with branch_periods as (
    select * from {{ ref('int_branch_periods_measured') }}
),

indicators as (
    select * from {{ ref('int_branch_indicators_computed') }}
),

adjustments as (
    select * from {{ ref('int_org_adjustments_summed') }}
),

params as (
    select
        max(value) filter (where parameter = 'branch_bonus_cap') as bonus_cap,
        max(value) filter (where parameter = 'red_flag_top_share') as red_flag_top_share
    from {{ ref('rule_parameters') }}
),

{{ dimension_totals('branch_periods', 'branch_code', 'indicators', 'branch') }},

adjusted as (
    select
        branch_periods.*,
        {%- for dimension in dimensions %}
        totals.{{ dimension }},
        {%- endfor %}
        coalesce(totals.base_total, 0) as base_total,
        least(coalesce(adjustments.bonus_points, 0), params.bonus_cap) as bonus,
        coalesce(adjustments.deduction_points, 0) as deduction,
        coalesce(adjustments.veto, false) as veto,
        adjustments.detail as adjustment_detail,
        params.red_flag_top_share
    from branch_periods
    inner join totals
        on totals.period = branch_periods.period
        and totals.branch_code = branch_periods.branch_code
    cross join params
    left join adjustments
        on adjustments.year = branch_periods.year
        and adjustments.org_code = branch_periods.branch_code
),

ranked as (
    select
        *,
        round(greatest(0, least(100, base_total + bonus - deduction)), 2) as total
    from adjusted
),

starred as (
    select
        ranked.*,
        {{ stars('ranked.total', 'veto') }} as stars,
        -- a branch under 一票否决 is not rated (不定级): it ranks after every rated branch
        cast(rank() over (partition by period order by veto, total desc) as integer) as rank_overall,
        cast(rank() over (partition by period, college_code order by veto, total desc) as integer)
            as rank_in_college,
        cast(rank() over (partition by period, branch_category order by veto, total desc) as integer)
            as rank_in_category,
        count(*) over (partition by period) as branches_in_period
    from ranked
)

select
    period,
    year,
    quarter,
    branch_code,
    branch_name,
    college_code,
    college_name,
    branch_category,
    member_count,
    {%- for dimension in dimensions %}
    round({{ dimension }}, 2) as {{ dimension }},
    {%- endfor %}
    round(base_total, 2) as base_total,
    round(bonus, 2) as bonus,
    round(deduction, 2) as deduction,
    total,
    stars,
    -- 晋位升级 is decided once a year (Q4); a 一票否决 blocks every tier
    case
        when not is_year_end or veto or not meets_hard_rules then null
        when stars = 5 and rank_overall <= ceil(red_flag_top_share * branches_in_period) then '红旗'
        when stars >= 4 then '示范性'
        else '规范化'
    end as tier,
    meets_hard_rules,
    veto,
    adjustment_detail,
    rank_overall,
    rank_in_college,
    rank_in_category
from starred
