{# ratio(x, target) of SPEC §5.1: 100·min(1, x/target); a missing or zero target leaves the indicator out. #}
{% macro ratio_score(value, target) -%}
    case when coalesce({{ target }}, 0) > 0
         then 100.0 * least(1.0, cast({{ value }} as double) / ({{ target }})) end
{%- endmacro %}

{# A share as a 0–100 score; no denominator means no score. #}
{% macro share_score(numerator, denominator) -%}
    case when coalesce({{ denominator }}, 0) > 0
         then 100.0 * cast({{ numerator }} as double) / ({{ denominator }}) end
{%- endmacro %}
