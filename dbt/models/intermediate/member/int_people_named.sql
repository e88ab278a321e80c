-- Who a member_key is, per college: the name of its latest dated mention, on the 花名册 (a year's roster
-- stands at 31 December) or on the 发展党员台账 (a period's ledger at the period end); on the same day
-- the roster's. Read only by the names file written beside the snapshot (serving/names.py), which gives
-- a 学院 login its own people's names in downloads (the audit list, the 党费 arrears); never published:
-- marts carry keys only and no page shows a name.
with members as (
    select * from {{ ref('stg_inbox__members') }}
),

-- the college a roster member belongs to, as the rest of the warehouse places them
placed as (
    select year, member_key, college_code from {{ ref('int_members_placed') }}
),

ledger as (
    select member_key, college_code, person_name, period_end
    from {{ ref('int_development_people_dated') }}
),

mentions as (
    select
        members.member_key,
        placed.college_code,
        members.member_name as person_name,
        make_date(members.year, 12, 31) as stated_on,
        true as on_roster
    from members
    left join placed
        on placed.year = members.year
        and placed.member_key = members.member_key
    union all
    select member_key, college_code, person_name, period_end as stated_on, false as on_roster
    from ledger
)

select member_key, college_code, person_name
from mentions
where member_key is not null and college_code is not null and person_name is not null
qualify row_number() over (
    partition by member_key, college_code order by stated_on desc, on_roster desc
) = 1
