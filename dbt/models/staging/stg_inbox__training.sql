-- Each row is one raw row's, of the year the ingest places it in (year of 开始日期): a warm run's
-- change passes through as it came (transform/changes.py).
{{ config(meta={'partition': 'rows'}) }}
with source as (
    {{ loaded_rows('training') }}
),

renamed as (
    select
        member_key,
        course,
        form,
        started_on,
        ended_on,
        cast(year(started_on) as integer) as year,
        cast(hours as decimal(10, 2)) as hours,
        organizer,
        ---------- lineage
        _source_file as source_file,
        _sheet as source_sheet,
        _row_number as source_row
    from source
)

select * from renamed
