-- What could not be loaded, for the 数据质量 page and the lists sent back to colleges.
-- ID-card numbers never leave `raw` in clear, not even inside a reject.
select
    source_file,
    sheet,
    row_number,
    column_name,
    case
        when column_name in ('公民身份证号码', '身份证号') and raw_value is not null
            then left(raw_value, 4) || '**********' || right(raw_value, 4)
        else raw_value
    end as raw_value,
    reason,
    kind,
    check_stage,
    row_values,
    loaded_at
from {{ source('raw', 'rejects') }}
