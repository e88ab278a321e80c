-- 五个到位 indicators per college per period: those measured from this year's rows
-- (int_college_indicators_measured) and rectification_rate, read off last year's problems
-- (int_college_rectification_rates_computed; the problems read the measured indicators).
select * from {{ ref('int_college_indicators_measured') }}
union all
select * from {{ ref('int_college_rectification_rates_computed') }}
