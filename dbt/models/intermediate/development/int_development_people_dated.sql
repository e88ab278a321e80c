-- 发展党员台账 as it stands at each period end: one row per period × person of that year's ledger,
-- every date after the period end treated as not yet happened (the audit and the stages are judged
-- as of the period end), the stage reached and which stages were entered within the year so far.
-- A person who had not applied by the period end is not in the pipeline yet and has no row.
with periods as (
    select * from {{ ref('int_periods_enumerated') }}
),

ledger as (
    select * from {{ ref('stg_inbox__development') }}
),

orgs as (
    select year, org_code, college_code from {{ ref('int_orgs_placed') }}
),

{%- set stage_dates = ['applied_on', 'talked_on', 'activist_on', 'candidate_on', 'notice_from', 'notice_to',
                       'admitted_on', 'approved_on', 'confirmed_on'] %}

dated as (
    select
        periods.period,
        periods.year,
        periods.quarter,
        periods.period_start,
        periods.period_end,
        ledger.member_key,
        ledger.person_name,
        ledger.branch_code,
        orgs.college_code,
        ledger.category,
        ledger.born_on,
        ledger.contacts,
        ledger.contacts_text,
        ledger.vetting,
        ledger.training_hours,
        ledger.extended,
        {%- for d in stage_dates %}
        case when ledger.{{ d }} <= periods.period_end then ledger.{{ d }} end as {{ d }},
        {%- endfor %}
        ledger.source_file,
        ledger.source_sheet,
        ledger.source_row
    from ledger
    inner join periods
        on periods.year = ledger.year
        and ledger.applied_on <= periods.period_end
    left join orgs
        on orgs.year = ledger.year
        and orgs.org_code = ledger.branch_code
)

select
    dated.*,
    case
        when confirmed_on is not null then '正式党员'
        when admitted_on is not null then '预备党员'
        when candidate_on is not null then '发展对象'
        when activist_on is not null then '积极分子'
        else '申请人'
    end as stage,
    applied_on >= period_start as entered_applicant,
    coalesce(activist_on >= period_start, false) as entered_activist,
    coalesce(candidate_on >= period_start, false) as entered_candidate,
    coalesce(admitted_on >= period_start, false) as entered_probation,
    coalesce(confirmed_on >= period_start, false) as entered_full,
    applied_on >= period_start
        or coalesce(activist_on >= period_start, false)
        or coalesce(candidate_on >= period_start, false)
        or coalesce(admitted_on >= period_start, false)
        or coalesce(confirmed_on >= period_start, false) as entered_in_year
from dated
