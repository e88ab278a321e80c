-- What could not be loaded, for the 数据质量 page and the lists sent back to colleges. Names stay
-- (the college finds the row by them); ID-card numbers and birth dates do not (macros/personal_data.sql).
select
    source_file,
    sheet,
    row_number,
    column_name,
    {{ published_cell('column_name', 'raw_value') }} as raw_value,
    {{ hide_id_card_numbers('reason') }} as reason,
    kind,
    check_stage,
    {{ published_row('row_values') }} as row_values,
    loaded_at
from {{ ref('stg_inbox__rejects') }}
