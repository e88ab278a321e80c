-- 未报: each period a college owed a calendar sheet for and never sent is a problem of that college,
-- found in the quarter the period ends (a December report due in January is a problem of that year).
select
    year,
    year || 'Q' || quarter(period_end) as period,
    college_code as org_code,
    'unreported' as problem_source,
    kind || '|' || period as source_key,
    kind_title || ' ' || period || ' 未报（截止 ' || strftime(due_on, '%Y-%m-%d') || '）' as description
from {{ ref('int_submission_periods_checked') }}
where status = '未报'
