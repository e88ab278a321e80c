-- What the ingest could not load, one row per problem, as it recorded it. The cells are as typed
-- (an ID-card number included): only int_rejects_masked, which masks them, feeds what is published.
select
    source_file,
    sheet,
    row_number,
    column_name,
    raw_value,
    reason,
    kind,
    row_values,
    check_stage,
    file_hash,
    loaded_at
from {{ source('inbox', 'rejects') }}
