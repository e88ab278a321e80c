-- 党费 month by month: each member's row of the 党费台账 with the member's branch and college (that
-- year's 花名册), whether the month was paid in full, on time (in full by the month's end), and how
-- many months in a row were left unpaid up to it (arrears_months; 0 when the month is paid).
-- Months run across years (2023-12 → 2024-01 is one run); a month missing from the ledger ends a run.
with dues as (
    select * from {{ ref('stg_inbox__dues') }}
),

members as (
    select year, member_key, branch_code, college_code from {{ ref('int_members_placed') }}
),

marked as (
    select
        dues.*,
        coalesce(dues.amount_paid, 0) >= dues.amount_due as paid_in_full,
        coalesce(dues.amount_paid, 0) >= dues.amount_due and dues.paid_on <= last_day(dues.month) as on_time,
        year(dues.month) * 12 + month(dues.month) as month_index
    from dues
),

runs as (
    select
        *,
        -- within a member's unpaid months, consecutive ones share month_index − their rank
        case when not paid_in_full then
            month_index - row_number() over (partition by member_key, paid_in_full order by month)
        end as run_id
    from marked
)

select
    runs.year,
    runs.month,
    runs.member_key,
    members.branch_code,
    members.college_code,
    runs.amount_due,
    runs.amount_paid,
    runs.paid_on,
    runs.paid_in_full,
    runs.on_time,
    cast(case when runs.paid_in_full then 0 else
        row_number() over (partition by runs.member_key, runs.run_id order by runs.month)
    end as integer) as arrears_months,
    runs.run_id,
    runs.source_file,
    runs.source_sheet,
    runs.source_row
from runs
left join members
    on members.year = runs.year
    and members.member_key = runs.member_key
