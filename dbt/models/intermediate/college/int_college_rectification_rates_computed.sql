-- C2 rectification_rate per college per period of year Y: of the problems found in Y−1 in the college
-- and its branches, the share 已销号 by the period's end (completed_on on or before it). A college whose
-- Y−1 found none has no target and is left out — a first year's scores, and a backfilled year's, do
-- not move.
with periods as (
    select period, year, quarter, is_year_end, period_end, college_code
    from {{ ref('int_college_periods_measured') }}
),

last_year as (
    select year + 1 as scored_year, college_code, status, completed_on
    from {{ ref('int_rectifications_tracked') }}
    where problem_id is not null
),

counted as (
    select
        periods.period,
        periods.year,
        periods.quarter,
        periods.is_year_end,
        periods.college_code,
        'rectification_rate' as indicator,
        count(last_year.college_code) filter (
            where last_year.status = '已销号' and last_year.completed_on <= periods.period_end
        ) as value,
        nullif(count(last_year.college_code), 0) as target
    from periods
    left join last_year
        on last_year.scored_year = periods.year
        and last_year.college_code = periods.college_code
    group by all
),

rates as (
    select *, {{ share_score('value', 'target') }} as score from counted
),

{{ published_indicators('rates', 'college', 'college_code') }}
