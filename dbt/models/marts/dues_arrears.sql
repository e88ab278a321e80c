-- Published: runs of consecutive unpaid 党费 months, 提醒 from 3 and 请核实 from 6 (the contract is in
-- dues_arrears.yml). A flag for people to act on, never a change of anyone's 党籍状态.
select year, member_key, branch_code, college_code, first_month, last_month, months, amount_owed, level, note
from {{ ref('int_member_arrears_flagged') }}
