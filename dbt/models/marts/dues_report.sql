-- Published: the yearly 党费收缴使用情况 per college (the contract is in dues_report.yml).
select year, college_code, members, amount_due, amount_paid, collection_rate, months_due, months_on_time, refunded
from {{ ref('int_college_dues_reported') }}
