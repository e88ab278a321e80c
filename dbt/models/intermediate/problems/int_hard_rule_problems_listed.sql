-- 规范化: each hard rule of the first 晋位升级 tier a branch does not meet at the year end is a
-- problem of that branch (the rules of int_branch_periods_measured.meets_hard_rules, one by one).
with year_end as (
    select * from {{ ref('int_branch_periods_measured') }} where is_year_end
),

required as (
    select
        max(annual_count) filter (where activity_type = '支部党员大会') as member_meetings,
        max(annual_count) filter (where activity_type = '党课') as party_lectures,
        max(annual_count) filter (where activity_type = '组织生活会') as org_life_meetings,
        max(annual_count) filter (where activity_type = '民主评议党员') as democratic_reviews
    from {{ ref('rule_activity_targets') }}
    where scope = 'branch'
),

unmet as (
    select year, branch_code, 'size' as rule, '支部党员人数 ' || member_count || ' 不在规定范围内' as detail
    from year_end where not size_ok
    union all
    select year, branch_code, 'member_meetings',
        '支部党员大会 ' || year_end.member_meetings || '/' || cast(required.member_meetings as integer)
    from year_end cross join required where year_end.member_meetings < required.member_meetings
    union all
    select year, branch_code, 'party_lectures',
        '党课 ' || year_end.party_lectures || '/' || cast(required.party_lectures as integer)
    from year_end cross join required where year_end.party_lectures < required.party_lectures
    union all
    select year, branch_code, 'org_life_meetings',
        '组织生活会 ' || year_end.org_life_meetings || '/' || cast(required.org_life_meetings as integer)
    from year_end cross join required where year_end.org_life_meetings < required.org_life_meetings
    union all
    select year, branch_code, 'democratic_reviews',
        '民主评议党员 ' || year_end.democratic_reviews || '/' || cast(required.democratic_reviews as integer)
    from year_end cross join required where year_end.democratic_reviews < required.democratic_reviews
    union all
    select year, branch_code, 'election', '未按期换届'
    from year_end where election_overdue
    union all
    select year, branch_code, 'secretary', '书记不在本支部花名册'
    from year_end where not secretary_on_roster
)

select
    year,
    year || 'Q4' as period,
    branch_code as org_code,
    'hard_rule' as problem_source,
    rule as source_key,
    '未达规范化要求：' || detail as description
from unmet
