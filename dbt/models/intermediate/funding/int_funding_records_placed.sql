-- Every 经费 row behind an indicator, with the file and Excel row it came from.
select
    funding.year,
    funding.org_code,
    orgs.org_name,
    orgs.college_code,
    funding.booked_on,
    funding.funding_type,
    funding.category,
    cast(funding.amount as double) as amount,
    funding.purpose,
    funding.source_file,
    funding.source_sheet,
    funding.source_row
from {{ ref('stg_inbox__funding') }} as funding
left join {{ ref('int_orgs_placed') }} as orgs
    on orgs.year = funding.year
    and orgs.org_code = funding.org_code
