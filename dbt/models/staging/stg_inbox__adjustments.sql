with source as (
    {{ loaded_rows('adjustments') }}
),

renamed as (
    select
        cast(year as integer) as year,
        org_code,
        adjustment_type,
        -- a 一票否决 carries no points: it vetoes (0 stars, grade 差: rule_star_cutoffs, rule_grades)
        case when adjustment_type = '一票否决' then 0.0 else coalesce(cast(points as double), 0.0) end as points,
        reason,
        basis,
        ---------- lineage
        _source_file as source_file,
        _sheet as source_sheet,
        _row_number as source_row
    from source
)

select * from renamed
