-- Published: the rulebook's seeds/rule_parameters.csv (the constants the scores use), so that the
-- year-end documents state the formula with the weights the scores were computed with.
select parameter, value, source
from {{ ref('rule_parameters') }}
