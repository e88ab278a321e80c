{# ratio(x, target), the rulebook's “ratio:” method (seeds/rule_indicators.csv): 100·min(1, x/target); a missing
   or zero target leaves the indicator out. #}
{% macro ratio_score(value, target) -%}
    case when coalesce({{ target }}, 0) > 0
         then 100.0 * least(1.0, cast({{ value }} as double) / ({{ target }})) end
{%- endmacro %}

{# A share as a 0–100 score; no denominator means no score. #}
{% macro share_score(numerator, denominator) -%}
    case when coalesce({{ denominator }}, 0) > 0
         then 100.0 * cast({{ numerator }} as double) / ({{ denominator }}) end
{%- endmacro %}

{# Stars from rule_star_cutoffs (highest cutoff the total reaches); a 一票否决 means 0 (不定级). #}
{% macro stars(total, veto) -%}
    cast(case
        when {{ veto }} then 0
        else (
            select max(cutoffs.stars) from {{ ref('rule_star_cutoffs') }} as cutoffs
            where {{ total }} >= cutoffs.min_total
        )
    end as integer)
{%- endmacro %}
