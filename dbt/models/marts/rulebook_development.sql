-- Published: the rulebook's seeds/rule_development.csv (the 发展党员 audit rules with their sources) as
-- the page and exports read it (the contract is in rulebook_development.yml).
select rule_id, finding, parameter, value, unit, rule_text, source
from {{ ref('rule_development') }}
