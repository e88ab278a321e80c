{#
  What the SQL of a model needs to know about the rulebook before it runs: which dimensions there are
  (one score column each) and which indicators (each needs its SQL). Read while the model compiles,
  from the CSV file the seed is loaded from rather than from the seed's table, so that it works on a
  fresh warehouse, in `dbt docs generate` and in unit tests, where ref() of a seed can be a fixture.
  Nothing is read at parse time (`execute` is false then): the lists are empty.
#}

{# The rows of a rulebook CSV (seed name), the given columns (SQL over the CSV's header names), in file order. #}
{% macro rulebook_rows(seed, columns, where=none) %}
    {% if not execute %}
        {{ return([]) }}
    {% endif %}
    {# a unit test's node has no root_path: dbt runs in the project's folder, as for var('rulebook_files') #}
    {% set path = (model.root_path or '.') ~ '/' ~ var('rulebook_dir') ~ '/' ~ seed ~ '.csv' %}
    {% set found = run_query(
        "select " ~ columns | join(', ')
        ~ " from read_csv(" ~ frozen_sql_string(path) ~ ", header = true, all_varchar = true)"
        ~ (" where " ~ where if where else "")
    ) %}
    {{ return(found.rows | map('list') | list) }}
{% endmacro %}


{# The dimension score columns of a level, in the rulebook's order: ['b1', …, 'b7'] for 'branch'. #}
{% macro rule_dimension_columns(level) %}
    {{ return(rulebook_rows('rule_dimensions', ['lower(dimension)'], "level = '" ~ level ~ "'") | map(attribute=0) | list) }}
{% endmacro %}


{#
  Stops the build when the indicators a model computes and the rulebook's indicators of its level
  differ: a rulebook row without SQL would publish nothing for that indicator, and SQL without a
  rulebook row would be dropped (it has no dimension or weight) — both without a word otherwise.
#}
{% macro check_indicators_against_rulebook(level, computed) %}
    {% if not execute %}
        {{ return('') }}
    {% endif %}
    {% set ruled = rulebook_rows('rule_indicators', ['indicator'], "level = '" ~ level ~ "'") | map(attribute=0) | list %}
    {% set without_sql = ruled | reject('in', computed) | list %}
    {% set without_rule = computed | reject('in', ruled) | list %}
    {% if without_sql or without_rule %}
        {% set problems = [] %}
        {% if without_sql %}
            {% do problems.append('规则表 seeds/rule_indicators.csv 中有、但 ' ~ model.original_file_path ~ ' 没有计算的 ' ~ level ~ ' 指标：' ~ without_sql | join('、') ~ '（请补上它的计算，或删去规则表中的这一行）') %}
        {% endif %}
        {% if without_rule %}
            {% do problems.append(model.original_file_path ~ ' 计算了、但规则表 seeds/rule_indicators.csv 中没有的 ' ~ level ~ ' 指标：' ~ without_rule | join('、') ~ '（请在规则表中补上它的维度、名称和权重，或删去它的计算）') %}
        {% endif %}
        {{ exceptions.raise_compiler_error('指标与规则表不一致。' ~ problems | join('；')) }}
    {% endif %}
    {{ return('') }}
{% endmacro %}


{#
  The rows of every indicator of a level, one select per indicator over `relation`, checked against
  the rulebook first. Each indicator is (name, value, target, score): SQL expressions over the
  relation's columns; `score_column` names the fourth column. `elsewhere` names the indicators of the
  level that another model computes (they count as computed in the check).
#}
{% macro indicator_values(level, relation, indicators, score_column, elsewhere=[]) %}
{{- check_indicators_against_rulebook(level, (indicators | map(attribute=0) | list) + elsewhere) -}}
{%- for name, value, target, score in indicators %}
    select {{ relation }}.*, '{{ name }}' as indicator, {{ value }} as value, {{ target }} as target, {{ score }} as {{ score_column }}
    from {{ relation }}
    {%- if not loop.last %}
    union all
    {%- endif %}
{%- endfor %}
{% endmacro %}


{#
  Stops the build when a score mart's contract (its YAML) lacks the column of a rulebook dimension,
  or names it without the dimension's name: the mart selects only the columns its YAML lists, so a
  dimension added to the rulebook would otherwise be computed and never published.
#}
{% macro check_dimension_columns(level) %}
    {# a unit test of the mart checks its rows, not its YAML #}
    {% if not execute or model.resource_type == 'unit_test' %}
        {{ return('') }}
    {% endif %}
    {% set problems = [] %}
    {% for column, name in rulebook_rows('rule_dimensions', ['lower(dimension)', 'dimension_name'], "level = '" ~ level ~ "'") %}
        {% if column not in model.columns %}
            {% do problems.append(column ~ '（' ~ name ~ '）不在 ' ~ model.patch_path.split('://')[-1] ~ ' 的列中') %}
        {% elif name not in model.columns[column].description %}
            {% do problems.append(model.patch_path.split('://')[-1] ~ ' 中 ' ~ column ~ ' 的说明没有写维度名称“' ~ name ~ '”') %}
        {% endif %}
    {% endfor %}
    {% if problems %}
        {{ exceptions.raise_compiler_error('规则表 seeds/rule_dimensions.csv 的维度没有全部发布：' ~ problems | join('；')) }}
    {% endif %}
    {{ return('') }}
{% endmacro %}
