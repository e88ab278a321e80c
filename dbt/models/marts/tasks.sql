-- 任务清单 (SPEC §6): one row per task row (year, task_id, org_code) per quarter-to-date period of
-- its year, so that each period's C2 counts are a plain filter. A deadline given as text without
-- a date (常态化推进/长期坚持) is never due; 销号 status is the list's current status.
with tasks as (
    select * from {{ ref('stg_raw__tasks') }}
),

periods as (
    select * from {{ ref('int_periods') }}
),

orgs as (
    select year, org_code, org_name, college_code from {{ ref('dim_org') }}
),

flagged as (
    select
        periods.period,
        periods.quarter,
        periods.period_end,
        tasks.*,
        -- completed by its deadline, as known at the period's end (a 已完成 task without 完成日期
        -- cannot show it was on time)
        coalesce(
            tasks.status = '已完成'
            and tasks.completed_on <= tasks.deadline
            and tasks.completed_on <= periods.period_end,
            false
        ) as on_time,
        coalesce(tasks.deadline <= periods.period_end, false) as due_in_period,
        -- 已完成 by the period's end (no 完成日期: the status alone is taken)
        tasks.status = '已完成' and coalesce(tasks.completed_on <= periods.period_end, true) as done_in_period
    from tasks
    inner join periods
        on periods.year = tasks.year
)

select
    flagged.period,
    flagged.year,
    flagged.quarter,
    flagged.task_id,
    flagged.org_code,
    orgs.org_name,
    orgs.college_code,
    flagged.task,
    flagged.task_source,
    flagged.deadline,
    flagged.deadline_text,
    flagged.status,
    flagged.completed_on,
    flagged.points,
    flagged.due_in_period,
    flagged.on_time,
    -- past its deadline by the period's end and not completed by the deadline (late or still open)
    coalesce(flagged.deadline < flagged.period_end, false) and not flagged.on_time as overdue,
    flagged.done_in_period,
    flagged.source_file,
    flagged.source_row
from flagged
left join orgs
    on orgs.year = flagged.year
    and orgs.org_code = flagged.org_code
