with source as (
    {{ loaded_rows('activities') }}
),

renamed as (
    select
        org_code,
        activity_type,
        held_on,
        cast(year(held_on) as integer) as year,
        cast(month(held_on) as integer) as month,
        cast(expected as integer) as expected,
        cast(attended as integer) as attended,
        topic,
        speaker_key,
        ---------- lineage
        _source_file as source_file,
        _sheet as source_sheet,
        _row_number as source_row
    from source
)

select * from renamed
