with source as (
    {{ loaded_rows('orgs') }}
),

renamed as (
    select
        ---------- keys
        cast(year as integer) as year,
        org_code,
        nullif(parent_code, '') as parent_code,
        ---------- attributes
        org_name,
        org_type,
        branch_category,
        org_type in ('党支部', '直属党支部') as is_branch,
        secretary_key,
        secretary_name,
        coalesce(secretary_dual_leader, false) as secretary_dual_leader,
        last_election_on,
        cast(term_years as integer) as term_years,
        cast(staff_count as integer) as staff_count,
        cast(student_count as integer) as student_count,
        cast(organizer_count as integer) as organizer_count,
        ---------- lineage
        _source_file as source_file,
        _sheet as source_sheet,
        _row_number as source_row
    from source
)

select * from renamed
