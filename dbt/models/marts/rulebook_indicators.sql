-- Published: the rulebook's seeds/rule_indicators.csv as the dashboards and exports read
-- it (the contract is in rulebook_indicators.yml).
select
    indicators.level,
    indicators.dimension,
    dimensions.dimension_name,
    indicators.indicator,
    indicators.indicator_name,
    indicators.weight,
    indicators.annual_only,
    indicators.method,
    indicators.source
from {{ ref('rule_indicators') }} as indicators
left join {{ ref('rule_dimensions') }} as dimensions
    on dimensions.level = indicators.level
    and dimensions.dimension = indicators.dimension
