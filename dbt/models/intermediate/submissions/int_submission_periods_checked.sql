-- Per college × kind × period of the submission calendar (rule_submissions): when it was due, when a
-- file carrying that college's rows of that kind for that period was first submitted, and its status.
-- A period due before the installation received its first file is 不适用: a backfilled history cannot
-- be late. Periods are those of the years in 组织架构, for the colleges of each year.
-- "Today" is the day of the build, unless DANGJIAN_AS_OF (YYYY-MM-DD) names the day to count from (the
-- demo's day, a replay of a past day; the var as_of fixes it for the unit test).
{%- set as_of = var('as_of', none) or env_var('DANGJIAN_AS_OF', '') %}
{%- set today = "cast('" ~ as_of ~ "' as date)" if as_of else 'current_date' %}
with calendar as (
    select * from {{ ref('rule_submissions') }}
),

colleges as (
    select year, org_code as college_code, org_name as college_name
    from {{ ref('int_orgs_placed') }}
    where is_college
),

orgs as (
    select year, org_code, college_code from {{ ref('int_orgs_placed') }}
),

members as (
    select year, member_key, min(branch_code) as branch_code
    from {{ ref('stg_inbox__members') }}
    group by all
),

-- the submissions log itself, not int_submissions_listed: that reads the files' summary, which counts
-- the 整改台账 rejects, which read the problems, which read this model's indicator (a cycle); a file
-- whose rows were all refused simply brings no kind_rows below
submissions as (
    select stored_name, submitted_at, user_name from {{ ref('stg_inbox__submissions') }}
    where stored_name is not null and refused is null
),

-- each calendar kind's rows: the org they belong to and the day (null: the kind is dated by year)
kind_rows as (
    select 'activities' as kind, year, org_code, held_on as on_day, source_file
    from {{ ref('stg_inbox__activities') }}
    union all
    select 'funding', year, org_code, booked_on, source_file from {{ ref('stg_inbox__funding') }}
    union all
    select 'training', training.year, members.branch_code, training.started_on, training.source_file
    from {{ ref('stg_inbox__training') }} as training
    inner join members on members.year = training.year and members.member_key = training.member_key
    union all
    select 'dues', dues.year, members.branch_code, dues.month, dues.source_file
    from {{ ref('stg_inbox__dues') }} as dues
    inner join members on members.year = dues.year and members.member_key = dues.member_key
    union all
    select 'members', year, branch_code, null, source_file from {{ ref('stg_inbox__members') }}
    union all
    select 'orgs', year, org_code, null, source_file from {{ ref('stg_inbox__orgs') }}
    union all
    select 'checklist', year, org_code, null, source_file from {{ ref('stg_inbox__checklist') }}
),

periods as (
    select
        calendar.kind,
        calendar.kind_title,
        calendar.cadence,
        years.year,
        case calendar.cadence
            when 'monthly' then cast(years.year as varchar) || '-' || lpad(cast(n.n as varchar), 2, '0')
            when 'quarterly' then cast(years.year as varchar) || 'Q' || cast(n.n as varchar)
            else cast(years.year as varchar)
        end as period,
        case calendar.cadence
            when 'monthly' then make_date(years.year, n.n, 1)
            when 'quarterly' then make_date(years.year, 3 * n.n - 2, 1)
            else make_date(years.year, 1, 1)
        end as period_start,
        case calendar.cadence
            when 'monthly' then last_day(make_date(years.year, n.n, 1))
            when 'quarterly' then last_day(make_date(years.year, 3 * n.n, 1))
            else make_date(years.year, 12, 31)
        end as period_end,
        calendar.due_after_days,
        calendar.due_month,
        calendar.due_day
    from calendar
    cross join (select distinct year from colleges) as years
    cross join (select unnest(range(1, 13)) as n) as n
    where n.n <= case calendar.cadence when 'monthly' then 12 when 'quarterly' then 4 else 1 end
),

due as (
    select
        periods.*,
        case
            when periods.due_after_days is not null
                then cast(periods.period_end + to_days(periods.due_after_days) as date)
            else make_date(periods.year, periods.due_month, periods.due_day)
        end as due_on
    from periods
),

received as (
    select
        kind_rows.kind,
        orgs.college_code,
        case
            when calendar.cadence = 'monthly' then strftime(kind_rows.on_day, '%Y-%m')
            when calendar.cadence = 'quarterly'
                then cast(year(kind_rows.on_day) as varchar) || 'Q' || cast(quarter(kind_rows.on_day) as varchar)
            else cast(kind_rows.year as varchar)
        end as period,
        min(submissions.submitted_at) as received_at,
        arg_min(submissions.user_name, submissions.submitted_at) as submitted_by
    from kind_rows
    inner join calendar on calendar.kind = kind_rows.kind
    inner join orgs on orgs.year = kind_rows.year and orgs.org_code = kind_rows.org_code
    inner join submissions on submissions.stored_name = kind_rows.source_file
    where orgs.college_code is not null
        and (calendar.cadence = 'yearly' or kind_rows.on_day is not null)
    group by all
),

first_file as (
    select cast(min(submitted_at) as date) as first_received_on from submissions
)

select
    colleges.college_code,
    colleges.college_name,
    due.kind,
    due.kind_title,
    due.cadence,
    due.year,
    due.period,
    due.period_start,
    due.period_end,
    due.due_on,
    received.received_at,
    received.submitted_by,
    case
        when first_file.first_received_on is null or due.due_on < first_file.first_received_on then '不适用'
        when received.received_at is not null and cast(received.received_at as date) <= due.due_on then '按时'
        when received.received_at is not null then '逾期补报'
        when due.due_on < {{ today }} then '未报'
        else '未到期'
    end as status,
    cast(case
        when first_file.first_received_on is null or due.due_on < first_file.first_received_on then null
        when received.received_at is not null
            then greatest(0, date_diff('day', due.due_on, cast(received.received_at as date)))
        when due.due_on < {{ today }} then date_diff('day', due.due_on, {{ today }})
    end as integer) as days_late
from due
inner join colleges on colleges.year = due.year
cross join first_file
left join received
    on received.kind = due.kind
    and received.college_code = colleges.college_code
    and received.period = due.period
