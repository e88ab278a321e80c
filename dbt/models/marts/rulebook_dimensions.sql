-- Published: the rulebook's seeds/rule_dimensions.csv as the dashboards and exports read
-- it (the contract is in rulebook_dimensions.yml).
select
    level,
    dimension,
    dimension_name,
    -- the column of branch_scores / college_scores that holds the dimension's score (B1 -> b1)
    lower(dimension) as score_column,
    -- B2 before B10
    cast(row_number() over (partition by level order by length(dimension), dimension) as integer) as sort_order,
    weight,
    source
from {{ ref('rule_dimensions') }}
