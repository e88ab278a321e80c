-- The 发展党员 pipeline per period × branch × stage: people in the stage at the period end (with
-- students and staff among them), and people who entered the stage within the year up to the period
-- end (whatever stage they have reached since). A stage nobody is in or entered has no row.
with people as (
    select * from {{ ref('int_development_people_dated') }}
),

stages as (
    select * from (values
        (1, '申请人', 'entered_applicant'),
        (2, '积极分子', 'entered_activist'),
        (3, '发展对象', 'entered_candidate'),
        (4, '预备党员', 'entered_probation'),
        (5, '正式党员', 'entered_full')
    ) as s (stage_order, stage, entered_column)
),

placed as (
    select
        people.period,
        people.year,
        people.quarter,
        people.college_code,
        people.branch_code,
        people.category,
        stages.stage_order,
        stages.stage,
        people.stage = stages.stage as is_in,
        case stages.entered_column
            when 'entered_applicant' then people.entered_applicant
            when 'entered_activist' then people.entered_activist
            when 'entered_candidate' then people.entered_candidate
            when 'entered_probation' then people.entered_probation
            else people.entered_full
        end as has_entered
    from people
    cross join stages
)

select
    period,
    year,
    quarter,
    college_code,
    branch_code,
    stage_order,
    stage,
    cast(count(*) filter (where is_in) as integer) as people,
    cast(count(*) filter (where has_entered) as integer) as entered,
    cast(count(*) filter (where is_in and category = '学生') as integer) as students,
    cast(count(*) filter (where is_in and category = '教职工') as integer) as staff
from placed
where is_in or has_entered
group by all
