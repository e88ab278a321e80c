with source as (
    {{ loaded_rows('development') }}
),

renamed as (
    select
        ---------- keys
        cast(year as integer) as year,
        member_key,
        branch_code,
        ---------- attributes
        person_name,
        gender,
        born_on,
        category,
        applied_on,
        talked_on,
        activist_on,
        contacts as contacts_text,
        -- 培养联系人: one or two 工号, written with 、 , ; (full-width too); blanks between separators dropped
        list_transform(
            list_filter(regexp_split_to_array(coalesce(contacts, ''), '[、,;，；\s]+'), lambda c: c <> ''),
            lambda c: trim(c)
        ) as contacts,
        candidate_on,
        vetting,
        cast(training_hours as double) as training_hours,
        notice_from,
        notice_to,
        admitted_on,
        approved_on,
        confirmed_on,
        coalesce(extended, false) as extended,
        ---------- lineage
        _source_file as source_file,
        _sheet as source_sheet,
        _row_number as source_row
    from source
)

select * from renamed
