with source as (
    {{ loaded_rows('members') }}
),

renamed as (
    select
        ---------- keys
        cast(year as integer) as year,
        member_key,
        branch_code,
        ---------- attributes
        member_name,
        gender,
        born_on,
        -- 公民身份证号码 stays in `raw`: nothing past it needs the number, a part of it or a hash of it.
        category,
        status,
        joined_on,
        confirmed_on,
        coalesce(party_role, '普通党员') as party_role,
        coalesce(lost_contact, false) as lost_contact,
        coalesce(floating, false) as floating,
        ---------- lineage
        _source_file as source_file,
        _sheet as source_sheet,
        _row_number as source_row
    from source
)

select * from renamed
