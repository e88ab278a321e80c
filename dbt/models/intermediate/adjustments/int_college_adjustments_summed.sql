-- 加减分 per college per year. 加分/扣分 count where they were given (the college's own rows; a
-- branch's reach the college through its branch total); a 一票否决 on the college or on any org
-- under it vetoes the college. The cap on 加分 is applied in college_scores.
with colleges as (
    select year, org_code as college_code from {{ ref('int_orgs_placed') }} where is_college
),

orgs as (
    select year, org_code, org_name, college_code from {{ ref('int_orgs_placed') }}
),

adjustments as (
    select * from {{ ref('stg_inbox__adjustments') }}
),

placed as (
    select
        orgs.college_code,
        orgs.org_name,
        adjustments.*
    from adjustments
    inner join orgs
        on orgs.year = adjustments.year
        and orgs.org_code = adjustments.org_code
),

summed as (
    select
        year,
        college_code,
        coalesce(sum(points) filter (where org_code = college_code and adjustment_type = '加分'), 0) as bonus_points,
        coalesce(sum(points) filter (where org_code = college_code and adjustment_type = '扣分'), 0)
            as deduction_points,
        count(distinct org_code) filter (where adjustment_type = '一票否决') as vetoed_orgs,
        string_agg(org_name || '：' || reason, '；' order by source_file, source_row)
            filter (where adjustment_type = '一票否决') as veto_detail,
        string_agg(adjustment_type || '：' || reason, '；' order by source_file, source_row)
            filter (where org_code = college_code) as adjustment_detail
    from placed
    group by all
)

select
    colleges.year,
    colleges.college_code,
    cast(coalesce(summed.bonus_points, 0) as double) as bonus_points,
    cast(coalesce(summed.deduction_points, 0) as double) as deduction_points,
    cast(coalesce(summed.vetoed_orgs, 0) as integer) as vetoed_orgs,
    coalesce(summed.vetoed_orgs, 0) > 0 as veto,
    summed.veto_detail,
    summed.adjustment_detail
from colleges
left join summed
    on summed.year = colleges.year
    and summed.college_code = colleges.college_code
