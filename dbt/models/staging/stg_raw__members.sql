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
        -- ID-card numbers stay in clear only in `raw` (SPEC §3): a salted hash and a masked form from here on.
        case when id_card is not null
             then sha256('{{ var("id_salt") }}' || id_card) end as id_card_hash,
        case when id_card is not null
             then left(id_card, 4) || repeat('*', 10) || right(id_card, 4) end as id_card_masked,
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
