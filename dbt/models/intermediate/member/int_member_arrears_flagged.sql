-- Runs of consecutive unpaid 党费 months (int_member_dues_tracked) of at least the reminder length
-- (rule_parameters dues_arrears_reminder_months, 3): 提醒. From dues_arrears_review_months (6) on, a
-- flag that 《中国共产党章程》 treats six months unpaid without good reason as leaving the Party — for a
-- person to look into; nothing here changes anyone's 党籍状态.
with months as (
    select * from {{ ref('int_member_dues_tracked') }}
    where not paid_in_full
),

params as (
    select
        max(value) filter (where parameter = 'dues_arrears_reminder_months') as reminder_months,
        max(value) filter (where parameter = 'dues_arrears_review_months') as review_months
    from {{ ref('rule_parameters') }}
),

runs as (
    select
        member_key,
        run_id,
        min(month) as first_month,
        max(month) as last_month,
        cast(count(*) as integer) as months,
        sum(amount_due - coalesce(amount_paid, 0)) as amount_owed,
        arg_max(branch_code, month) as branch_code,
        arg_max(college_code, month) as college_code
    from months
    group by all
)

select
    cast(year(runs.last_month) as integer) as year,
    runs.member_key,
    runs.branch_code,
    runs.college_code,
    runs.first_month,
    runs.last_month,
    runs.months,
    round(runs.amount_owed, 2) as amount_owed,
    case when runs.months >= params.review_months then '请核实' else '提醒' end as level,
    case
        when runs.months >= params.review_months
            then '连续' || runs.months || '个月未交纳党费：按党章规定，无正当理由连续6个月不交纳党费的应作自行脱党处理，'
                || '请党支部核实原因后按程序处理（本系统不改变党籍状态）'
        else '连续' || runs.months || '个月未交纳党费，请提醒本人按月交纳'
    end as note
from runs
cross join params
where runs.months >= params.reminder_months
