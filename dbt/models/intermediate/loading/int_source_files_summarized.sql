-- Per inbox file: rows read = rows loaded + rows rejected (a row with several problems counts once).
-- A file that could not be read at all has one reject with no row number: its `problem`.
with files as (
    select * from {{ ref('stg_inbox__files') }}
),

rejected_rows as (
    select
        source_file,
        count(distinct (sheet, row_number)) filter (where row_number is not null) as rows_rejected,
        {{ hide_id_card_numbers("string_agg(reason, '；') filter (where row_number is null)") }} as problem
    from (
        select source_file, sheet, row_number, reason from {{ ref('stg_inbox__rejects') }}
        union all
        -- 整改台账 rows whose 问题编号 is not a problem: loaded by the ingest, rejected once problems are known
        select source_file, sheet, row_number, reason from {{ ref('int_rectification_rejects_listed') }}
    )
    group by all
),

file_years as (
    select source_file, list(year order by year) as years
    from {{ ref('int_source_file_years_listed') }}
    group by all
)

select
    files.source_file,
    files.file_hash,
    files.kinds,
    cast(files.rows_read as bigint) as rows_read,
    cast(files.rows_read - coalesce(rejected_rows.rows_rejected, 0) as bigint) as rows_loaded,
    cast(coalesce(rejected_rows.rows_rejected, 0) as bigint) as rows_rejected,
    files.loaded_at,
    rejected_rows.problem,
    cast(coalesce(file_years.years, []) as integer[]) as years
from files
left join rejected_rows
    on rejected_rows.source_file = files.source_file
left join file_years
    on file_years.source_file = files.source_file
