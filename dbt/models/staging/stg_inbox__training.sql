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
