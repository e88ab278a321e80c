-- Members per roster year, placed in their branch and college. Published: no name, no ID-card number
-- (nor a part or a hash of one), the birth date as a year only.
with members as (
    select * from {{ ref('stg_raw__members') }}
),

orgs as (
    select * from {{ ref('dim_org') }}
),

hours as (
    select * from {{ ref('rule_training_hours') }}
)

select
    members.year,
    members.member_key,
    orgs.college_code,
    members.branch_code,
    members.category,
    members.status,
    members.party_role,
    cast(hours.annual_hours as double) as required_hours,
    members.gender,
    cast(year(members.born_on) as integer) as birth_year,
    members.joined_on,
    members.confirmed_on,
    members.lost_contact,
    members.floating,
    members.source_file,
    members.source_row
from members
left join orgs
    on orgs.year = members.year
    and orgs.org_code = members.branch_code
left join hours
    on hours.party_role = members.party_role
