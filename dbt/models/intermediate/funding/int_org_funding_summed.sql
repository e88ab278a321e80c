-- Each org's own funding rows from January 1 to the period's end: 拨款, 支出 and 其它 支出.
with periods as (
    select * from {{ ref('int_periods_enumerated') }}
),

funding as (
    select * from {{ ref('stg_inbox__funding') }}
)

select
    periods.period,
    funding.org_code,
    cast(coalesce(sum(funding.amount) filter (where funding.funding_type = '拨款'), 0) as decimal(18, 2)) as allocated,
    cast(coalesce(sum(funding.amount) filter (where funding.funding_type = '支出'), 0) as decimal(18, 2)) as spent,
    cast(coalesce(sum(funding.amount) filter (
        where funding.funding_type = '支出' and funding.category = '其它'
    ), 0) as decimal(18, 2)) as spent_other,
    cast(coalesce(sum(funding.amount) filter (where funding.funding_type = '党费返还'), 0) as decimal(18, 2))
        as dues_returned
from funding
inner join periods
    on funding.year = periods.year
    and funding.booked_on <= periods.period_end
group by all
