-- Published: the rulebook's seeds/rule_tiers.csv as the dashboards and exports read
-- it (the contract is in rulebook_tiers.yml).
select tier, rank_order, condition, source
from {{ ref('rule_tiers') }}
