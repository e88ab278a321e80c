-- Weak indicators: an indicator of a branch or a college scoring below 60 at the year end (Q4) is a
-- problem of that org. College indicators are read before rectification_rate is added to them: that
-- indicator is computed from last year's problems, which read these rows.
-- An org scored at both levels (a 直属党支部 is its own college) with the same indicator weak at both
-- (e.g. 发展党员程序合规率 in B2 and C4 over the same people) has one problem: the college's.
with year_end as (
    select year, period, org_code, indicator, indicator_name, value, target, score, 'branch' as level
    from {{ ref('int_branch_indicators_computed') }}
    where quarter = 4
    union all
    select year, period, org_code, indicator, indicator_name, value, target, score, 'college' as level
    from {{ ref('int_college_indicators_measured') }}
    where quarter = 4
),

weak as (
    select * from year_end
    where score < 60
    qualify row_number() over (partition by year, org_code, indicator order by level = 'college' desc) = 1
)

select
    year,
    period,
    org_code,
    'low_indicator' as problem_source,
    indicator as source_key,
    '指标“' || indicator_name || '”年终得分 ' || round(score, 2) || '（低于60）：实际 '
        || coalesce(cast(round(value, 2) as varchar), '—') || '，目标 ' || coalesce(cast(round(target, 2) as varchar), '—')
        as description
from weak
