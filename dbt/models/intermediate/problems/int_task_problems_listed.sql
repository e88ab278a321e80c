-- 任务清单: a task overdue for a party-org owner (past its deadline and not completed by it) is a
-- problem of that org, found in the first period it was overdue. A functional department owns no
-- problem here: it is not assessed as a party organization.
select
    year,
    arg_min(period, quarter) as period,
    org_code,
    'overdue_task' as problem_source,
    task_id as source_key,
    '任务逾期：' || any_value(task) || '（完成时限 ' || coalesce(any_value(deadline_text), cast(any_value(deadline) as varchar))
        || '，状态 ' || coalesce(any_value(status), '未填') || '）' as description
from {{ ref('int_tasks_flagged') }}
where overdue and owner_kind = '党组织' and org_code is not null
group by year, org_code, task_id
