{# No two rows share these columns (dbt_utils.unique_combination_of_columns, written here: no dbt packages offline). #}
{% test unique_combination(model, columns) %}
select {{ columns | join(', ') }}, count(*) as n
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}
