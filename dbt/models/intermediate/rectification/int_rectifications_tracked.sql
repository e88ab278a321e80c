-- Per problem, where its rectification stands: the latest 整改台账 row behind it (the newest file,
-- then the lowest row of it), its measure, owner and deadline, and a status —
--   已销号  reported 已完成 (with its 完成日期);
--   逾期    not 已完成 and its deadline passed by as_of;
--   整改中  reported 整改中;
--   未整改  no row, a row left without measure and status, or 未启动.
-- as_of is the day of the latest load (the index keeps it, so a rebuild gives the same statuses): no
-- model reads the clock. Problems a college found itself (no 问题编号) are problems here too, one per
-- org, year and description.
with checked as (
    select * from {{ ref('int_rectification_rows_checked') }} where reject_reason is null
),

as_of as (
    select cast(max(loaded_at) as date) as as_of from {{ ref('stg_inbox__files') }}
),

latest as (
    select
        *,
        coalesce(problem_id, 'self|' || org_code || '|' || description) as tracked_key
    from checked
    qualify row_number() over (
        partition by year, coalesce(problem_id, 'self|' || org_code || '|' || description)
        order by loaded_at desc, source_file desc, source_row desc
    ) = 1
),

tracked as (
    select
        problems.problem_id,
        problems.year,
        problems.org_code,
        problems.org_name,
        problems.college_code,
        problems.problem_source,
        problems.source_name,
        problems.severity,
        problems.description,
        latest.measure,
        latest.responsible_person,
        latest.deadline,
        latest.deadline_text,
        latest.status as reported_status,
        latest.completed_on,
        latest.source_file,
        latest.source_sheet,
        latest.source_row
    from {{ ref('int_problems_listed') }} as problems
    left join latest
        on latest.problem_id = problems.problem_id
        and latest.year = problems.year
    union all
    select
        null as problem_id,
        latest.year,
        latest.org_code,
        orgs.org_name,
        orgs.college_code,
        'self_reported' as problem_source,
        '自查发现' as source_name,
        null as severity,
        latest.description,
        latest.measure,
        latest.responsible_person,
        latest.deadline,
        latest.deadline_text,
        latest.status as reported_status,
        latest.completed_on,
        latest.source_file,
        latest.source_sheet,
        latest.source_row
    from latest
    left join {{ ref('int_orgs_placed') }} as orgs
        on orgs.year = latest.year
        and orgs.org_code = latest.org_code
    where latest.problem_id is null
)

select
    tracked.*,
    case
        when tracked.reported_status = '已完成' then '已销号'
        when tracked.deadline < as_of.as_of then '逾期'
        when tracked.reported_status = '整改中' then '整改中'
        else '未整改'
    end as status,
    case when tracked.reported_status = '已完成' then tracked.completed_on <= tracked.deadline end as completed_on_time,
    as_of.as_of,
    -- the year whose C2 rectification_rate counts it: the problems the warehouse found, the year after
    tracked.year + 1 as scored_year,
    tracked.problem_id is not null as counts_in_rate
from tracked
cross join as_of
