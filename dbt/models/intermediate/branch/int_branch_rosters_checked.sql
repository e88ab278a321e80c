-- Each branch's 花名册 rows per year as submitted: all rows that name the branch, and how many of
-- them were rejected (at parse time, where only the row as typed tells the branch, or across files).
with typed as (
    select year, branch_code, source_file, source_sheet as sheet, source_row as row_number
    from {{ ref('stg_inbox__member_rows') }}
),

rejects as (
    select * from {{ ref('stg_inbox__rejects') }} where kind = 'members' and row_number is not null
),

untyped as (
    -- rows that could not be typed: the branch and year are read from the row as the user typed it
    select distinct
        try_cast(json_extract_string(row_values, '$.年度') as integer) as year,
        json_extract_string(row_values, '$.所在党支部编码') as branch_code,
        source_file,
        sheet,
        row_number
    from rejects
    where check_stage = 'parse'
),

roster as (
    select *, false as parse_rejected from typed
    union all
    select *, true as parse_rejected from untyped
)

select
    roster.year,
    roster.branch_code,
    cast(count(*) as integer) as roster_rows,
    cast(count(*) filter (
        where roster.parse_rejected or exists (
            select 1 from rejects
            where rejects.source_file = roster.source_file
                and rejects.sheet = roster.sheet
                and rejects.row_number = roster.row_number
        )
    ) as integer) as rejected_rows
from roster
where roster.year is not null and roster.branch_code is not null
group by all
