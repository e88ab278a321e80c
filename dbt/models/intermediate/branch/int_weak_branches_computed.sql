-- 软弱涣散 warning flags per branch and year (责任清单 第8题：及时整顿软弱涣散、不起作用的基层党组织): a list,
-- not a score. One row per flag.
with year_end as (
    select * from {{ ref('int_branch_periods_measured') }} where is_year_end
),

scores as (
    select * from {{ ref('int_branch_scores_computed') }} where quarter = 4
),

indicators as (
    select * from {{ ref('int_branch_indicators_computed') }} where quarter = 4
),

targets as (
    select activity_type, annual_count from {{ ref('rule_activity_targets') }} where scope = 'branch'
),

meetings as (
    -- required meeting types held fewer than half the required times by the year end
    select
        branches.period,
        branches.branch_code,
        string_agg(
            targets.activity_type || ' ' || coalesce(activities.held, 0) || '/' || cast(targets.annual_count as integer),
            '，' order by targets.activity_type
        ) as detail
    from year_end as branches
    cross join targets
    left join {{ ref('int_org_activities_counted') }} as activities
        on activities.period = branches.period
        and activities.org_code = branches.branch_code
        and activities.activity_type = targets.activity_type
    where targets.activity_type in ('支部党员大会', '党课', '主题党日')
        or (targets.activity_type = '支部委员会' and branches.committee_required)
    group by all
    having bool_or(coalesce(activities.held, 0) < targets.annual_count / 2.0)
),

last_place as (
    select period, max(rank_overall) as last_rank from scores group by all
),

flags as (
    select year, branch_code, 'no_secretary' as flag, '未配备书记或书记不在本支部花名册' as detail
    from year_end where not secretary_on_roster
    union all
    select year, branch_code, 'election_overdue',
        '换届逾期（上次换届 ' || coalesce(cast(last_election_on as varchar), '无记录') || '，任期 ' || term_years || ' 年）'
    from year_end where election_overdue
    union all
    select year_end.year, year_end.branch_code, 'few_meetings', '组织生活不足要求的一半：' || meetings.detail
    from year_end
    inner join meetings
        on meetings.period = year_end.period
        and meetings.branch_code = year_end.branch_code
    union all
    select year, branch_code, 'no_org_life_or_review',
        concat_ws('、',
            case when org_life_meetings = 0 then '全年未开组织生活会' end,
            case when democratic_reviews = 0 then '全年未开展民主评议党员' end)
    from year_end where org_life_meetings = 0 or democratic_reviews = 0
    union all
    select indicators.year, indicators.org_code, 'low_satisfaction',
        '述职评议满意度 ' || indicators.score || '%（低于60%）'
    from indicators
    where indicators.indicator = 'satisfaction' and indicators.score < 60
    union all
    select scores.year, scores.branch_code, 'last_place', '年度排名末位（第 ' || scores.rank_overall || ' 名）'
    from scores
    inner join last_place
        on last_place.period = scores.period
        and scores.rank_overall = last_place.last_rank
)

select
    flags.year,
    flags.branch_code,
    orgs.org_name as branch_name,
    orgs.college_code,
    flags.flag,
    case flags.flag
        when 'no_secretary' then '无书记'
        when 'election_overdue' then '换届逾期'
        when 'few_meetings' then '组织生活不足'
        when 'no_org_life_or_review' then '未开组织生活会或民主评议'
        when 'low_satisfaction' then '群众满意度低'
        when 'last_place' then '年度排名末位'
    end as flag_name,
    flags.detail
from flags
inner join {{ ref('int_orgs_placed') }} as orgs
    on orgs.year = flags.year
    and orgs.org_code = flags.branch_code
