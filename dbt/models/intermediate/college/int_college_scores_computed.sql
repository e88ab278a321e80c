-- 五个到位 per college per period: dimension scores, total with 加减分, stars, the 述职评议 score and
-- the composite, the year-end grade (Q4) within the 好 quota, rank and movement since the previous
-- period, and the gaps to the rank above and to the next 等次. One score column per dimension of the
-- rulebook (seeds/rule_dimensions.csv: today c1…c5).
{%- set dimensions = rule_dimension_columns('college') %}
with college_periods as (
    select * from {{ ref('int_college_periods_measured') }}
),

indicators as (
    select * from {{ ref('int_college_indicators_computed') }}
),

adjustments as (
    select * from {{ ref('int_college_adjustments_summed') }}
),

evaluations as (
    select * from {{ ref('stg_inbox__evaluations') }}
),

evaluation_points as (
    select * from {{ ref('rule_evaluation_points') }}
),

grades as (
    select * from {{ ref('rule_grades') }}
),

params as (
    select
        max(value) filter (where parameter = 'college_bonus_cap') as bonus_cap,
        max(value) filter (where parameter = 'composite_weight_assessment') as weight_assessment,
        max(value) filter (where parameter = 'composite_weight_evaluation') as weight_evaluation
    from {{ ref('rule_parameters') }}
),

{{ dimension_totals('college_periods', 'college_code', 'indicators', 'college') }},

-- 述职评议 (民主测评) of the college's own org: Σ votes × points / all votes
votes as (
    select year, org_code, '好' as vote, votes_good as votes from evaluations
    union all
    select year, org_code, '较好', votes_fair_good from evaluations
    union all
    select year, org_code, '一般', votes_average from evaluations
    union all
    select year, org_code, '差', votes_poor from evaluations
),

evaluation_scores as (
    select
        votes.year,
        votes.org_code,
        case when sum(votes.votes) > 0
             then sum(votes.votes * evaluation_points.points) / sum(votes.votes) end as evaluation_score
    from votes
    inner join evaluation_points
        on evaluation_points.vote = votes.vote
    group by all
),

adjusted as (
    select
        college_periods.*,
        {%- for dimension in dimensions %}
        totals.{{ dimension }},
        {%- endfor %}
        coalesce(totals.base_total, 0) as base_total,
        least(coalesce(adjustments.bonus_points, 0), params.bonus_cap) as bonus,
        coalesce(adjustments.deduction_points, 0) as deduction,
        coalesce(adjustments.veto, false) as veto,
        adjustments.veto_detail,
        adjustments.adjustment_detail,
        -- 述职评议 is the year-end 述职评议考核 (《党委（党组）书记抓基层党建工作述职评议考核办法（试行）》):
        -- it enters only the Q4 composite
        case when college_periods.is_year_end then evaluation_scores.evaluation_score end as evaluation_score,
        params.weight_assessment,
        params.weight_evaluation
    from college_periods
    inner join totals
        on totals.period = college_periods.period
        and totals.college_code = college_periods.college_code
    cross join params
    left join adjustments
        on adjustments.year = college_periods.year
        and adjustments.college_code = college_periods.college_code
    left join evaluation_scores
        on evaluation_scores.year = college_periods.year
        and evaluation_scores.org_code = college_periods.college_code
),

totalled as (
    select
        *,
        round(greatest(0, least(100, base_total + bonus - deduction)), 2) as total
    from adjusted
),

composed as (
    select
        *,
        -- without a 述职评议 score (Q1–Q3, or no votes) the composite is the 五个到位 total alone
        round(case
            when evaluation_score is null then total
            else weight_assessment * total + weight_evaluation * evaluation_score
        end, 2) as composite
    from totalled
),

ranked as (
    select
        composed.*,
        {{ stars('composed.total', 'veto') }} as stars,
        -- a college under 一票否决 ranks after every other college
        cast(rank() over (partition by period order by veto, composite desc) as integer) as rank,
        count(*) over (partition by period) as colleges_in_period,
        -- non-vetoed colleges at or above this composite: a tie straddling a quota is all left out
        count(*) filter (where not veto) over (
            partition by period order by composite desc range between unbounded preceding and current row
        ) as colleges_at_or_above
    from composed
),

graded as (
    select
        ranked.*,
        case
            when not is_year_end then null
            when veto then (select arg_max(grades.grade, grades.rank_order) from grades)
            else (
                select arg_min(grades.grade, grades.rank_order)
                from grades
                where ranked.composite >= grades.min_composite
                    and (
                        grades.max_share is null
                        or ranked.colleges_at_or_above <= floor(grades.max_share * ranked.colleges_in_period)
                    )
            )
        end as grade,
        -- the immediately preceding period (Q1 follows the previous year's Q4)
        case
            when lag(year * 4 + quarter) over by_college = year * 4 + quarter - 1
            then lag(rank) over by_college - rank
        end as rank_change,
        -- 年终 against 年终: quarter-to-date scores restart each January, so the year-end rank is
        -- compared with last year's Q4 rank, not with this year's Q3
        case
            when quarter = 4 and lag(year) over by_college_quarter = year - 1
            then lag(rank) over by_college_quarter - rank
        end as year_end_rank_change
    from ranked
    window
        by_college as (partition by college_code order by year, quarter),
        by_college_quarter as (partition by college_code, quarter order by year)
),

-- Where a college stands against the others without naming them (a 学院 login sees only its own row):
-- the composite of the next better rank, and what the next 等次 takes. Each grade with the one above it,
-- in the rulebook's order:
grade_steps as (
    select
        grade,
        lag(grade) over (order by rank_order) as next_grade,
        lag(min_composite) over (order by rank_order) as next_min_composite,
        lag(max_share) over (order by rank_order) as next_max_share
    from grades
),

grade_holders as (
    select period, grade, count(*) as holders, min(composite) as lowest_composite
    from graded
    where grade is not null and not veto
    group by period, grade
),

-- the distinct composites of a period's colleges not under veto, each with the next higher one
composite_levels as (
    select
        period,
        composite,
        lag(composite) over (partition by period order by composite desc) as composite_above
    from (select distinct period, composite from graded where not veto)
),

stepped as (
    select
        graded.*,
        case when not graded.veto then composite_levels.composite_above - graded.composite end
            as gap_to_rank_above,
        case when not graded.veto then grade_steps.next_grade end as next_grade,
        grade_steps.next_min_composite,
        -- a grade with a quota that is taken (a tie straddling it is all left out, so the holders are
        -- never more than the quota) is reached only by scoring above its lowest holder
        case when not graded.veto and grade_steps.next_grade is not null then
            grade_steps.next_max_share is not null
            and coalesce(grade_holders.holders, 0) >= floor(grade_steps.next_max_share * graded.colleges_in_period)
        end as next_grade_quota_full,
        grade_holders.lowest_composite as next_grade_lowest
    from graded
    left join composite_levels
        on composite_levels.period = graded.period
        and composite_levels.composite = graded.composite
    left join grade_steps
        on grade_steps.grade = graded.grade
    left join grade_holders
        on grade_holders.period = graded.period
        and grade_holders.grade = grade_steps.next_grade
)

select
    period,
    year,
    quarter,
    college_code,
    college_name,
    org_type,
    member_count,
    branch_count,
    {%- for dimension in dimensions %}
    round({{ dimension }}, 2) as {{ dimension }},
    {%- endfor %}
    round(base_total, 2) as base_total,
    round(bonus, 2) as bonus,
    round(deduction, 2) as deduction,
    total,
    round(evaluation_score, 2) as evaluation_score,
    composite,
    stars,
    grade,
    veto,
    veto_detail,
    adjustment_detail,
    rank,
    cast(rank_change as integer) as rank_change,
    cast(year_end_rank_change as integer) as year_end_rank_change,
    round(gap_to_rank_above, 2) as gap_to_rank_above,
    next_grade,
    -- a quota of none (too few colleges) cannot be reached at all: no gap is given
    case
        when next_grade is null then null
        when not next_grade_quota_full then round(greatest(next_min_composite - composite, 0), 2)
        when next_grade_lowest is not null
            then round(greatest(greatest(next_min_composite, next_grade_lowest) - composite, 0), 2)
    end as gap_to_next_grade,
    next_grade_quota_full
from stepped
