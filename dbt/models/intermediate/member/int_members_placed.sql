-- A warm run rebuilds only the (year, college) partitions that changed: a row of a year and college
-- is made from its inputs' rows of that year and college only (transform/changes.py).
{{ config(meta={'partition': 'year_college'}) }}
-- Members per roster year, placed in their branch and college, with the hours their 党内职务 requires.
-- Published: no name, no ID-card number (nor a part or a hash of one), the birth date as a year only.
with members as (
    select * from {{ ref('stg_inbox__members') }}
),

orgs as (
    select * from {{ ref('int_orgs_placed') }}
),

hours as (
    select
        *,
        -- the roles held to the highest yearly hours (书记/支委/组织员: 56 学时), whose training the
        -- college's 书记支委学时达标率 counts
        annual_hours = max(annual_hours) over () as is_leader_role
    from {{ ref('rule_training_hours') }}
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
    members.source_row,
    coalesce(hours.is_leader_role, false) as is_leader_role
from members
left join orgs
    on orgs.year = members.year
    and orgs.org_code = members.branch_code
left join hours
    on hours.party_role = members.party_role
