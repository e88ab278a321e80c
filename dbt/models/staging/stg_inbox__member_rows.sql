-- Every typed 花名册 row, those the checks across files rejected included (stg_inbox__members keeps
-- only the rows that count): a branch's roster as submitted, for its 花名册数据合格率.
select
    cast(year as integer) as year,
    branch_code,
    ---------- lineage
    _source_file as source_file,
    _sheet as source_sheet,
    _row_number as source_row
from {{ source('inbox', 'members') }}
