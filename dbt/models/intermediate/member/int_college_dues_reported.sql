-- 党费收缴使用情况 per college and year, for the report due each January on the year before:
-- 应交 and 实交 over the college's members (that year's 花名册), 收缴率 = 实交 / 应交, and the 党费返还
-- the college's organisations booked in the 经费台账 that year.
with dues as (
    select year, college_code, sum(amount_due) as amount_due, sum(coalesce(amount_paid, 0)) as amount_paid,
           cast(count(distinct member_key) as integer) as members,
           cast(count(*) filter (where on_time) as integer) as months_on_time,
           cast(count(*) as integer) as months_due
    from {{ ref('int_member_dues_tracked') }}
    where college_code is not null
    group by all
),

refunds as (
    select year, college_code, sum(amount) as refunded
    from {{ ref('int_funding_records_placed') }}
    where funding_type = '党费返还' and college_code is not null
    group by all
)

select
    coalesce(dues.year, refunds.year) as year,
    coalesce(dues.college_code, refunds.college_code) as college_code,
    coalesce(dues.members, 0) as members,
    round(coalesce(dues.amount_due, 0), 2) as amount_due,
    round(coalesce(dues.amount_paid, 0), 2) as amount_paid,
    case when dues.amount_due > 0 then round(100.0 * dues.amount_paid / dues.amount_due, 2) end as collection_rate,
    coalesce(dues.months_due, 0) as months_due,
    coalesce(dues.months_on_time, 0) as months_on_time,
    round(coalesce(refunds.refunded, 0), 2) as refunded
from dues
full outer join refunds
    on refunds.year = dues.year
    and refunds.college_code = dues.college_code
