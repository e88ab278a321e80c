with source as (
    {{ loaded_rows('dues') }}
),

renamed as (
    select
        member_key,
        month,
        cast(year(month) as integer) as year,
        cast(amount_due as double) as amount_due,
        cast(amount_paid as double) as amount_paid,
        paid_on,
        ---------- lineage
        _source_file as source_file,
        _sheet as source_sheet,
        _row_number as source_row
    from source
)

select * from renamed
