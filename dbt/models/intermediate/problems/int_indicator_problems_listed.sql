-- Weak indicators: an indicator of a branch or a college scoring below 60 at the year end (Q4) is a
-- problem of that org. College indicators are read before rectification_rate is added to them: that
-- indicator is computed from last year's problems, which read these rows.
with year_end as (
    select year, period, org_code, indicator, indicator_name, value, target, score
    from {{ ref('int_branch_indicators_computed') }}
    where quarter = 4
    union all
    select year, period, org_code, indicator, indicator_name, value, target, score
    from {{ ref('int_college_indicators_measured') }}
    where quarter = 4
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
from year_end
where score < 60
