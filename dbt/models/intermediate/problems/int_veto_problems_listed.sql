-- 一票否决: each veto in 加减分 is a problem of the org it names, one per 事由.
select
    year,
    year || 'Q4' as period,
    org_code,
    'veto' as problem_source,
    reason as source_key,
    '一票否决：' || reason as description
from {{ ref('stg_inbox__adjustments') }}
where adjustment_type = '一票否决'
