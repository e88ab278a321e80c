with source as (
    {{ loaded_rows('funding') }}
),

renamed as (
    select
        org_code,
        booked_on,
        cast(year(booked_on) as integer) as year,
        funding_type,
        category,
        cast(amount as double) as amount,
        purpose,
        ---------- lineage
        _source_file as source_file,
        _sheet as source_sheet,
        _row_number as source_row
    from source
)

select * from renamed
