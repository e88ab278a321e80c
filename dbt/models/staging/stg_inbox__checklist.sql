with source as (
    {{ loaded_rows('checklist') }}
),

renamed as (
    select
        cast(year as integer) as year,
        org_code,
        cast(question_no as integer) as question_no,
        answer,
        ---------- lineage
        _source_file as source_file,
        _sheet as source_sheet,
        _row_number as source_row
    from source
)

select * from renamed
