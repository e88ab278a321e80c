-- The org tree per year. college_code is the 二级党组织 an org belongs to: the ancestor directly
-- under the university 党委 (the org with no parent); a college's own college_code is itself.
-- The secretary is published by 工号 only: names appear only in rejects and in lists someone acts on.
with recursive orgs as (
    select * from {{ ref('stg_inbox__orgs') }}
),

params as (
    select
        max(value) filter (where parameter = 'branch_term_years') as branch_term_years,
        max(value) filter (where parameter = 'party_committee_term_years') as party_committee_term_years
    from {{ ref('rule_parameters') }}
),

tree as (
    select year, org_code, cast(null as varchar) as college_code, 0 as depth
    from orgs
    where parent_code is null

    union all

    select
        child.year,
        child.org_code,
        coalesce(tree.college_code, child.org_code) as college_code,
        tree.depth + 1 as depth
    from orgs as child
    inner join tree
        on child.year = tree.year
        and child.parent_code = tree.org_code
    where tree.depth < 10
)

select
    orgs.year,
    orgs.org_code,
    orgs.org_name,
    orgs.org_type,
    orgs.parent_code,
    tree.college_code,
    colleges.org_name as college_name,
    orgs.branch_category,
    orgs.is_branch,
    tree.depth = 1 as is_college,
    tree.depth = 0 as is_university,
    orgs.secretary_key,
    orgs.secretary_dual_leader,
    orgs.last_election_on,
    cast(coalesce(
        orgs.term_years,
        case when orgs.org_type = '党委' then params.party_committee_term_years else params.branch_term_years end
    ) as integer) as term_years,
    orgs.staff_count,
    orgs.student_count,
    orgs.organizer_count,
    orgs.source_file,
    orgs.source_row
from orgs
inner join tree
    on tree.year = orgs.year
    and tree.org_code = orgs.org_code
left join orgs as colleges
    on colleges.year = orgs.year
    and colleges.org_code = tree.college_code
cross join params
