-- Every quarter-to-date assessment period (季评; 《关于建立健全基层党建工作责任制的实施办法》: 月报季评期考) of
-- every year that has an org roster:
-- 2024Q1 … 2024Q4, where 2024Q4 is the year (期考/年终).
with years as (
    select distinct year from {{ ref('stg_inbox__orgs') }}
),

quarters as (
    select unnest(range(1, 5)) as quarter
)

select
    year || 'Q' || quarter as period,
    cast(year as integer) as year,
    cast(quarter as integer) as quarter,
    cast(quarter * 3 as integer) as months,
    make_date(year, 1, 1) as period_start,
    last_day(make_date(year, quarter * 3, 1)) as period_end,
    quarter = 4 as is_year_end
from years
cross join quarters
