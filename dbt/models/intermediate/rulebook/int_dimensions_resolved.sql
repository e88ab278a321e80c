-- The rulebook's dimensions as the pages read them: score column, display order, and whether the
-- dimension is scored only at the year's end — every one of its indicators is annual_only
-- (rule_indicators), so its quarterly columns stay empty and the pages say why. Decided here, from
-- the rulebook, so no page has to.
with dimensions as (
    select * from {{ ref('rule_dimensions') }}
),

timing as (
    select level, dimension, bool_and(annual_only) as year_end_only
    from {{ ref('rule_indicators') }}
    group by all
)

select
    dimensions.level,
    dimensions.dimension,
    dimensions.dimension_name,
    -- the column of branch_scores / college_scores that holds the dimension's score (B1 -> b1)
    lower(dimensions.dimension) as score_column,
    -- B2 before B10
    cast(row_number() over (
        partition by dimensions.level order by length(dimensions.dimension), dimensions.dimension
    ) as integer) as sort_order,
    dimensions.weight,
    -- a dimension with no indicator is not scored at all, so not "year-end only" either
    coalesce(timing.year_end_only, false) as year_end_only,
    dimensions.source
from dimensions
left join timing
    on timing.level = dimensions.level
    and timing.dimension = dimensions.dimension
