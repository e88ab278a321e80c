-- Published: the 发展党员台账, one row per period × person with the stage reached at the period end
-- (the contract is in development_records.yml). No names and, of the birth date, only the year.
select
    period,
    year,
    quarter,
    member_key,
    branch_code,
    college_code,
    category,
    cast(year(born_on) as integer) as birth_year,
    stage,
    entered_in_year,
    applied_on,
    talked_on,
    activist_on,
    candidate_on,
    notice_from,
    notice_to,
    admitted_on,
    approved_on,
    confirmed_on,
    extended,
    cast(coalesce(findings, 0) as integer) as findings,
    source_file,
    source_sheet,
    source_row
from {{ ref('int_development_people_dated') }} as people
left join (
    select period, member_key, count(*) as findings
    from {{ ref('int_development_issues_audited') }}
    group by all
) as issues using (period, member_key)
