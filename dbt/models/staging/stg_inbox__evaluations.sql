with source as (
    {{ loaded_rows('evaluations') }}
),

renamed as (
    select
        cast(year as integer) as year,
        org_code,
        cast(votes_good as integer) as votes_good,
        cast(votes_fair_good as integer) as votes_fair_good,
        cast(votes_average as integer) as votes_average,
        cast(votes_poor as integer) as votes_poor,
        ---------- lineage
        _source_file as source_file,
        _sheet as source_sheet,
        _row_number as source_row
    from source
)

select * from renamed
