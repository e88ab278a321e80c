-- Published: the rulebook's seeds/rule_grades.csv as the dashboards and exports read
-- it (the contract is in rulebook_grades.yml).
select grade, rank_order, min_composite, max_share, source
from {{ ref('rule_grades') }}
