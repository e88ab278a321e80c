-- 党费: per member and period, the months due so far and those paid in full by the month's end.
with periods as (
    select * from {{ ref('int_periods_enumerated') }}
),

dues as (
    select * from {{ ref('stg_inbox__dues') }}
)

select
    periods.period,
    dues.member_key,
    cast(count(*) as integer) as months_due,
    cast(count(*) filter (
        where dues.amount_paid >= dues.amount_due and dues.paid_on <= last_day(dues.month)
    ) as integer) as months_paid_on_time
from dues
inner join periods
    on dues.year = periods.year
    and dues.month <= periods.period_end
group by all
