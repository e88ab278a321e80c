-- Published: the 发展党员 audit's findings (D01–D12), one row per period × person × rule broken
-- (the contract is in development_issues.yml). No names: the page adds them where a login may see them.
select
    period,
    year,
    quarter,
    member_key,
    branch_code,
    college_code,
    rule_id,
    finding,
    dates_involved,
    detail,
    source_file,
    source_sheet,
    source_row
from {{ ref('int_development_issues_audited') }}
