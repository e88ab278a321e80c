-- A warm run rebuilds only the (year, college) partitions that changed: a row of a year and college
-- is made from its inputs' rows of that year and college only (transform/changes.py).
{{ config(meta={'partition': 'year_college'}) }}
-- Every 学习培训 row behind a member's hours, with the file and Excel row it came from.
select
    training.year,
    training.member_key,
    members.branch_code,
    members.college_code,
    training.course,
    training.form,
    training.started_on,
    training.ended_on,
    cast(training.hours as double) as hours,
    training.organizer,
    training.source_file,
    training.source_sheet,
    training.source_row
from {{ ref('stg_inbox__training') }} as training
left join {{ ref('int_members_placed') }} as members
    on members.year = training.year
    and members.member_key = training.member_key
