-- What could not be loaded, for the 数据质量 page and the lists sent back to colleges. Names stay
-- (the college finds the row by them); ID-card numbers and birth dates do not (macros/personal_data.sql).
-- With the ingest's rejects, the 整改台账 rows whose 问题编号 only the computed problems could check.
with all_rejects as (
    select source_file, sheet, row_number, column_name, raw_value, reason, kind, check_stage, row_values, loaded_at
    from {{ ref('stg_inbox__rejects') }}
    union all
    select source_file, sheet, row_number, column_name, raw_value, reason, kind, check_stage, row_values, loaded_at
    from {{ ref('int_rectification_rejects_listed') }}
)

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
from all_rejects
