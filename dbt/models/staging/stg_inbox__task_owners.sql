-- The owners of each loaded task row (raw.task_owners, placed by the ingest): one row per owner.
with owners as (
    select * from {{ source('inbox', 'task_owners') }}
),

loaded as (
    {{ loaded_rows('tasks') }}
)

select
    owners._source_file as source_file,
    owners._sheet as source_sheet,
    owners._row_number as source_row,
    cast(loaded.year as integer) as year,
    cast(owners.owner_seq as integer) as owner_seq,
    owners.owner_name,
    owners.owner_kind,
    owners.org_code,
    owners.is_lead,
    cast(owners.structure_year as integer) as structure_year
from owners
inner join loaded
    on loaded._source_file = owners._source_file
    and loaded._sheet = owners._sheet
    and loaded._row_number = owners._row_number
