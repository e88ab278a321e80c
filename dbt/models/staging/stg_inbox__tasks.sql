with source as (
    {{ loaded_rows('tasks') }}
),

renamed as (
    select
        cast(year as integer) as year,
        task_id,
        task,
        task_source,
        owners,
        responsible_person,
        deadline,
        deadline_text,
        coalesce(ongoing, false) as ongoing,
        status,
        completed_on,
        cast(points as double) as points,
        ---------- lineage
        _source_file as source_file,
        _sheet as source_sheet,
        _row_number as source_row
    from source
)

select * from renamed
