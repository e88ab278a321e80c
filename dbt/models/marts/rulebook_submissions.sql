-- Published: the rulebook's seeds/rule_submissions.csv, the submission calendar (contract in
-- rulebook_submissions.yml).
select kind, kind_title, cadence, due_after_days, due_month, due_day, source
from {{ ref('rule_submissions') }}
