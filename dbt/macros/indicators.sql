{#
  Shared by branch_indicators and college_indicators: attach each indicator's dimension, name and
  weight from the rulebook, keep year-end-only indicators to Q4, leave out the ones without a score,
  and publish rounded to 2 places. `source` is a CTE with period, year, quarter, is_year_end,
  college_code, the org column, indicator, value, target, score.
#}
{% macro published_indicators(source, level, org_column) -%}
scored as (
    select
        {{ source }}.period,
        {{ source }}.year,
        {{ source }}.quarter,
        {{ source }}.{{ org_column }} as org_code,
        {{ source }}.college_code,
        weights.dimension,
        {{ source }}.indicator,
        weights.indicator_name,
        cast({{ source }}.value as double) as value,
        cast({{ source }}.target as double) as target,
        cast({{ source }}.score as double) as score,
        weights.weight
    from {{ source }}
    inner join {{ ref('rule_indicators') }} as weights
        on weights.level = '{{ level }}'
        and weights.indicator = {{ source }}.indicator
    where {{ source }}.is_year_end or not weights.annual_only
)

select
    period,
    year,
    quarter,
    org_code,
    college_code,
    dimension,
    indicator,
    indicator_name,
    round(value, 2) as value,
    round(target, 2) as target,
    round(score, 2) as score,
    weight
from scored
where score is not null
{%- endmacro %}


{#
  Dimension scores (weighted mean of the indicators present) pivoted to one column per dimension of
  the rulebook (rule_dimensions: b1…b7, c1…c5), and the total as the weighted mean of the dimensions
  present.
#}
{% macro dimension_totals(orgs, org_column, indicators, level) -%}
dimension_scores as (
    select
        period,
        org_code,
        dimension,
        -- exact sums (DECIMAL): parallel aggregation order must not move a cent between runs
        cast(sum(cast(score as decimal(18, 2)) * cast(weight as decimal(9, 4))) / sum(cast(weight as decimal(9, 4)))
            as decimal(18, 9)) as score
    from {{ indicators }}
    group by all
),

totals as (
    select
        {{ orgs }}.period,
        {{ orgs }}.{{ org_column }},
        {%- for dimension in rule_dimension_columns(level) %}
        cast(max(dimension_scores.score) filter (where dimension_scores.dimension = '{{ dimension | upper }}')
            as double) as {{ dimension }},
        {%- endfor %}
        cast(sum(dimension_scores.score * cast(dimension_weights.weight as decimal(9, 4)))
            / sum(cast(dimension_weights.weight as decimal(9, 4))) as double) as base_total
    from {{ orgs }}
    left join dimension_scores
        on dimension_scores.period = {{ orgs }}.period
        and dimension_scores.org_code = {{ orgs }}.{{ org_column }}
    left join {{ ref('rule_dimensions') }} as dimension_weights
        on dimension_weights.level = '{{ level }}'
        and dimension_weights.dimension = dimension_scores.dimension
    group by all
)
{%- endmacro %}
