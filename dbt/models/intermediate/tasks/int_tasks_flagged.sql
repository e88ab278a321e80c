-- 任务清单: one row per task × owner × quarter-to-date period of the task's year, so that each
-- period's C2 counts are a plain filter. An owner is a party org (org_code, placed in that year's
-- 组织架构, or the nearest year's when the year has none) or a functional department (no org_code,
-- no college: it never counts in a college's C2). A deadline given only as text without a date
-- (常态化推进, 长期坚持, 每学期) is never due; 销号 status is the list's current status.
with tasks as (
    select * from {{ ref('stg_inbox__tasks') }}
),

owners as (
    select * from {{ ref('stg_inbox__task_owners') }}
),

orgs as (
    select year, org_code, org_name, college_code, college_name from {{ ref('int_orgs_placed') }}
),

scored_periods as (
    select period, year, quarter, period_end from {{ ref('int_periods_enumerated') }}
),

-- a task list can come for a year that no 组织架构 covers: it is shown in that year's quarters all the same
task_only_years as (
    select distinct year from tasks
    where year not in (select year from scored_periods)
),

periods as (
    select * from scored_periods
    union all
    select
        task_only_years.year || 'Q' || quarters.quarter as period,
        task_only_years.year,
        cast(quarters.quarter as integer) as quarter,
        last_day(make_date(task_only_years.year, cast(quarters.quarter * 3 as integer), 1)) as period_end
    from task_only_years
    cross join (select unnest(range(1, 5)) as quarter) as quarters
),

flagged as (
    select
        periods.period,
        periods.quarter,
        periods.period_end,
        tasks.*,
        owners.owner_seq,
        owners.owner_name,
        owners.owner_kind,
        owners.org_code,
        owners.is_lead,
        owners.structure_year,
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
    inner join owners
        on owners.source_file = tasks.source_file
        and owners.source_sheet = tasks.source_sheet
        and owners.source_row = tasks.source_row
    inner join periods
        on periods.year = tasks.year
)

select
    flagged.period,
    flagged.year,
    flagged.quarter,
    flagged.task_id,
    flagged.owner_seq,
    flagged.owner_name,
    flagged.owner_kind,
    flagged.is_lead,
    flagged.org_code,
    orgs.org_name,
    orgs.college_code,
    orgs.college_name,
    flagged.responsible_person,
    flagged.task,
    flagged.task_source,
    flagged.owners,
    flagged.deadline,
    flagged.deadline_text,
    flagged.ongoing,
    flagged.status,
    flagged.completed_on,
    flagged.points,
    -- its weight in C2: the list's 考核分值, 1 where none is given
    coalesce(flagged.points, 1.0) as weight,
    flagged.due_in_period,
    flagged.on_time,
    -- past its deadline by the period's end and not completed by the deadline (late or still open)
    coalesce(flagged.deadline < flagged.period_end, false) and not flagged.on_time as overdue,
    flagged.done_in_period,
    flagged.structure_year,
    flagged.source_file,
    flagged.source_sheet,
    flagged.source_row
from flagged
left join orgs
    on orgs.year = flagged.structure_year
    and orgs.org_code = flagged.org_code
