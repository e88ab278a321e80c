-- 软弱涣散: each warning flag of a branch and year is a problem to be rectified with a 帮扶方案.
select
    year,
    year || 'Q4' as period,
    branch_code as org_code,
    'weak_branch' as problem_source,
    flag as source_key,
    '软弱涣散预警“' || flag_name || '”：' || detail as description
from {{ ref('int_weak_branches_computed') }}
