-- 五个到位 indicators per college per period: those measured from this year's rows
-- (int_college_indicators_measured) and the ones read off last year's problems.
select * from {{ ref('int_college_indicators_measured') }}
