-- 发展党员: each audit finding of a person as the year ends (the last period of the year the ledger
-- reaches) is a problem of the person's branch, one per person and rule.
with findings as (
    select * from {{ ref('int_development_issues_audited') }}
),

year_end as (
    select year, max(period) as period from findings group by year
)

select
    findings.year,
    findings.period,
    findings.branch_code as org_code,
    'development' as problem_source,
    findings.member_key || '|' || findings.rule_id as source_key,
    findings.rule_id || ' ' || findings.finding || '（' || findings.member_key || '）'
        || coalesce('：' || findings.detail, '') as description
from findings
inner join year_end
    on year_end.year = findings.year
    and year_end.period = findings.period
