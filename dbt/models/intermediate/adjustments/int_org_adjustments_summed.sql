-- 加减分 per org per year: bonus and deduction points and whether any 一票否决 applies.
-- Caps are applied where the level is known (branch_scores / college_scores).
select
    year,
    org_code,
    cast(coalesce(sum(points) filter (where adjustment_type = '加分'), 0) as double) as bonus_points,
    cast(coalesce(sum(points) filter (where adjustment_type = '扣分'), 0) as double) as deduction_points,
    bool_or(adjustment_type = '一票否决') as veto,
    string_agg(adjustment_type || '：' || reason, '；' order by source_file, source_row) as detail
from {{ ref('stg_inbox__adjustments') }}
group by all
