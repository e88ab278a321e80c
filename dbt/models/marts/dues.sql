-- Published: 党费 member by member and month (the contract is in dues.yml).
select
    year, month, member_key, branch_code, college_code, amount_due, amount_paid, paid_on, paid_in_full, on_time,
    arrears_months, source_file, source_sheet, source_row
from {{ ref('int_member_dues_tracked') }}
