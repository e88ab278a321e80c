-- Every ingested inbox file: its hash, what was found in it and how many rows were read.
select
    source_file,
    file_hash,
    parser_version,
    kinds,
    rows_read,
    rows_loaded,
    rows_rejected,
    loaded_at
from {{ source('inbox', 'files') }}
