with source as (
    {{ loaded_rows('rectifications') }}
),

renamed as (
    select
        cast(year as integer) as year,
        problem_id,
        org_code,
        description,
        measure,
        responsible_person,
        deadline,
        deadline_text,
        coalesce(ongoing, false) as ongoing,
        status,
        completed_on,
        evidence,
        ---------- lineage
        _source_file as source_file,
        _sheet as source_sheet,
        _row_number as source_row
    from source
)

select * from renamed
