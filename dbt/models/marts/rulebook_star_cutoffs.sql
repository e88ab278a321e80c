-- Published: the rulebook's seeds/rule_star_cutoffs.csv as the dashboards and exports read
-- it (the contract is in rulebook_star_cutoffs.yml).
select stars, min_total, source
from {{ ref('rule_star_cutoffs') }}
