-- Each loaded 整改台账 row, checked against the 问题清单 now that the problems are known: a 问题编号
-- that is not a problem of the row's 年度, or that belongs to another org than its 组织编码, makes the
-- row a reject (reject_reason; int_rectification_rejects_listed lists it with the other rejects).
with rows_ as (
    select * from {{ ref('stg_inbox__rectifications') }}
),

problems as (
    select problem_id, year, org_code from {{ ref('int_problems_listed') }}
)

select
    rows_.*,
    files.loaded_at,
    files.file_hash,
    case
        when rows_.problem_id is null then null
        when problems.problem_id is null then
            '问题编号 ' || rows_.problem_id || ' 不在 ' || rows_.year || ' 年度的问题清单中'
        when problems.org_code <> rows_.org_code then
            '问题编号 ' || rows_.problem_id || ' 是组织 ' || problems.org_code || ' 的问题，与组织编码 ' || rows_.org_code || ' 不符'
    end as reject_reason
from rows_
left join problems
    on problems.problem_id = rows_.problem_id
    and problems.year = rows_.year
left join {{ ref('stg_inbox__files') }} as files
    on files.source_file = rows_.source_file
