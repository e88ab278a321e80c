-- The 发展党员 audit (seeds/rule_development.csv, D01–D12): one row per period × person × rule broken,
-- judged as of the period end on int_development_people_dated (dates after it have not happened yet).
-- Weekdays are Monday–Friday: statutory holidays and make-up working days are out of scope.
-- The one model a problem list (整改) can take the development findings from.
with people as (
    select * from {{ ref('int_development_people_dated') }}
),

rules as (
    select * from {{ ref('rule_development') }}
),

params as (
    select
        cast(max(value) filter (where rule_id = 'D01' and parameter = 'min_age_years') as integer) as min_age_years,
        cast(max(value) filter (where rule_id = 'D02' and parameter = 'talk_within_months') as integer) as talk_months,
        cast(max(value) filter (where rule_id = 'D03' and parameter = 'activist_after_months') as integer)
            as activist_months,
        cast(max(value) filter (where rule_id = 'D04' and parameter = 'candidate_after_months') as integer)
            as candidate_months,
        cast(max(value) filter (where rule_id = 'D05' and parameter = 'min_contacts') as integer) as min_contacts,
        cast(max(value) filter (where rule_id = 'D05' and parameter = 'max_contacts') as integer) as max_contacts,
        max(value) filter (where rule_id = 'D07' and parameter = 'min_training_hours') as min_training_hours,
        cast(max(value) filter (where rule_id = 'D08' and parameter = 'min_notice_weekdays') as integer)
            as min_notice_weekdays,
        cast(max(value) filter (where rule_id = 'D09' and parameter = 'approval_within_months') as integer)
            as approval_months,
        cast(max(value) filter (where rule_id = 'D10' and parameter = 'probation_months') as integer)
            as probation_months_d10,
        cast(max(value) filter (where rule_id = 'D11' and parameter = 'probation_months') as integer)
            as probation_months_d11,
        cast(max(value) filter (where rule_id = 'D11' and parameter = 'extension_months') as integer)
            as extension_months,
        cast(max(value) filter (where rule_id = 'D11' and parameter = 'grace_months') as integer) as grace_months,
        max(value) filter (where rule_id = 'D06' and parameter = 'vetting_required') = 1 as vetting_required,
        cast(max(value) filter (where rule_id = 'D12' and parameter = 'min_stage_gap_days') as integer) as min_stage_gap
    from rules
),

roster as (
    select year, member_key, status from {{ ref('stg_inbox__members') }}
),

-- 培养联系人 who are not a 正式党员 on that year's 党员花名册, with why
contacts_unqualified as (
    select
        c.period,
        c.member_key,
        string_agg(
            c.contact || case when roster.status is null then '（不在花名册）' else '（' || roster.status || '）' end,
            '、' order by c.contact
        ) as unqualified
    from (
        select period, year, member_key, unnest(contacts) as contact
        from people
        where activist_on is not null
    ) as c
    left join roster
        on roster.year = c.year
        and roster.member_key = c.contact
    where roster.status is distinct from '正式党员'
    group by all
),

checked as (
    select
        people.*,
        params.*,
        contacts_unqualified.unqualified,
        len(list_filter(
            generate_series(cast(people.notice_from as timestamp), cast(people.notice_to as timestamp), interval 1 day),
            lambda d: isodow(d) <= 5
        )) as notice_weekdays,
        cast(people.born_on + to_years(params.min_age_years) as date) as adult_on,
        cast(people.applied_on + to_months(params.talk_months) as date) as talk_due,
        cast(people.applied_on + to_months(params.activist_months) as date) as activist_earliest,
        cast(people.activist_on + to_months(params.candidate_months) as date) as candidate_earliest,
        cast(people.admitted_on + to_months(params.approval_months) as date) as approval_due,
        cast(people.admitted_on + to_months(params.probation_months_d10) as date) as probation_ends,
        cast(
            people.admitted_on
            + to_months(params.probation_months_d11 + case when people.extended then params.extension_months else 0 end)
            + to_months(params.grace_months)
            as date
        ) as confirmation_due,
        [people.applied_on, people.activist_on, people.candidate_on, people.admitted_on, people.confirmed_on]
            as stage_dates
    from people
    cross join params
    left join contacts_unqualified
        on contacts_unqualified.period = people.period
        and contacts_unqualified.member_key = people.member_key
),

found as (
    select period, member_key, 'D01' as rule_id,
           '出生日期 ' || born_on || '；申请入党日期 ' || applied_on as dates_involved,
           '申请入党时未满' || min_age_years || '周岁（满' || min_age_years || '周岁之日为 ' || adult_on || '）' as detail
    from checked where applied_on < adult_on

    union all
    select period, member_key, 'D02',
           '申请入党日期 ' || applied_on || '；谈话日期 ' || coalesce(cast(talked_on as varchar), '（未填）'),
           case when talked_on is null
                then '已确定为入党积极分子（' || activist_on || '），台账上没有谈话日期'
                else '谈话晚于申请后' || talk_months || '个月（应不晚于 ' || talk_due || '）' end
    from checked
    where (talked_on is null and activist_on is not null) or talked_on > talk_due

    union all
    select period, member_key, 'D03',
           '申请入党日期 ' || applied_on || '；确定入党积极分子日期 ' || activist_on,
           '申请后不足' || activist_months || '个月即确定为积极分子（最早 ' || activist_earliest || '）'
    from checked where activist_on < activist_earliest

    union all
    select period, member_key, 'D04',
           '确定入党积极分子日期 ' || activist_on || '；确定发展对象日期 ' || candidate_on,
           '培养考察不足' || candidate_months || '个月即确定为发展对象（最早 ' || candidate_earliest || '）'
    from checked where candidate_on < candidate_earliest

    union all
    select period, member_key, 'D05',
           '确定入党积极分子日期 ' || activist_on,
           case
               when len(contacts) < min_contacts then '没有培养联系人'
               when len(contacts) > max_contacts
                   then '培养联系人' || len(contacts) || '名（' || contacts_text || '），多于' || max_contacts || '名'
               else '培养联系人不是当年花名册上的正式党员：' || unqualified
           end
    from checked
    where activist_on is not null
      and (len(contacts) < min_contacts or len(contacts) > max_contacts or unqualified is not null)

    union all
    select period, member_key, 'D06',
           '支部大会接收日期 ' || admitted_on,
           '政治审查结论为“' || coalesce(vetting, '未填') || '”即接收为预备党员'
    from checked where vetting_required and admitted_on is not null and vetting is distinct from '合格'

    union all
    select period, member_key, 'D07',
           '支部大会接收日期 ' || admitted_on,
           '集中培训' || coalesce(cast(training_hours as varchar), '0') || '学时，少于' || min_training_hours || '学时'
    from checked where admitted_on is not null and coalesce(training_hours, 0) < min_training_hours

    union all
    select period, member_key, 'D08',
           '公示 ' || coalesce(cast(notice_from as varchar), '（未填）') || ' 至 '
               || coalesce(cast(notice_to as varchar), '（未填）') || '；支部大会接收日期 ' || admitted_on,
           case when notice_from is null or notice_to is null then '接收前没有公示日期'
                else '公示仅' || notice_weekdays || '个工作日（周一至周五），少于' || min_notice_weekdays || '个' end
    from checked
    where admitted_on is not null
      and (notice_from is null or notice_to is null or notice_weekdays < min_notice_weekdays)

    union all
    select period, member_key, 'D09',
           '支部大会接收日期 ' || admitted_on || '；党委审批日期 ' || coalesce(cast(approved_on as varchar), '（未填）'),
           case when approved_on is null
                then '接收已超过' || approval_months || '个月（' || approval_due || '）仍未经党委审批'
                else '党委审批晚于接收后' || approval_months || '个月（应不晚于 ' || approval_due || '）' end
    from checked
    where admitted_on is not null
      and (approved_on > approval_due or (approved_on is null and period_end > approval_due))

    union all
    select period, member_key, 'D10',
           '支部大会接收日期 ' || admitted_on || '；转正日期 ' || confirmed_on,
           '预备期不满' || probation_months_d10 || '个月即转正（预备期满 ' || probation_ends || '）'
    from checked where confirmed_on < probation_ends

    union all
    select period, member_key, 'D11',
           '支部大会接收日期 ' || admitted_on || case when extended then '；延长预备期' else '' end,
           '预备期满且已过宽限（' || confirmation_due || '）仍未转正'
    from checked
    where admitted_on is not null and confirmed_on is null and period_end > confirmation_due

    union all
    select period, member_key, 'D12',
           concat_ws('；', '申请入党日期 ' || applied_on, '确定入党积极分子日期 ' || activist_on,
                     '确定发展对象日期 ' || candidate_on, '支部大会接收日期 ' || admitted_on, '转正日期 ' || confirmed_on),
           '后一阶段的日期早于前一阶段（应为 申请≤积极分子≤发展对象≤接收≤转正）'
    from checked
    where exists (
        -- each stage date against every later one that is set
        select 1
        from range(1, 5) as a(i), range(2, 6) as b(j)
        where a.i < b.j
          and stage_dates[a.i] is not null and stage_dates[b.j] is not null
          and stage_dates[b.j] - stage_dates[a.i] < min_stage_gap
    )
),

findings as (
    select distinct rule_id, finding from rules
)

select
    people.period,
    people.year,
    people.quarter,
    found.member_key,
    people.person_name,
    people.branch_code,
    people.college_code,
    found.rule_id,
    findings.finding,
    found.dates_involved,
    found.detail,
    people.source_file,
    people.source_sheet,
    people.source_row
from found
inner join people
    on people.period = found.period
    and people.member_key = found.member_key
inner join findings
    on findings.rule_id = found.rule_id
