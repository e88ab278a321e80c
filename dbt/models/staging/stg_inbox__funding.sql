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
        -- money is summed exactly (DECIMAL) so that re-runs give the same cents
        cast(amount as decimal(18, 2)) as amount,
        purpose,
        ---------- lineage
        _source_file as source_file,
        _sheet as source_sheet,
        _row_number as source_row
    from source
)

select * from renamed
