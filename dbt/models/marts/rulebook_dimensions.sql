-- Published: the rulebook's seeds/rule_dimensions.csv as the dashboards and exports read
-- it (the contract is in rulebook_dimensions.yml).
select level, dimension, dimension_name, score_column, sort_order, weight, year_end_only, source
from {{ ref('int_dimensions_resolved') }}
