{# `+schema: marts` means schema `marts`, not `main_marts`: the public tables have fixed names (the dashboards,
   the exports and the analysts read marts.<table>). #}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {{ custom_schema_name | trim if custom_schema_name is not none else target.schema }}
{%- endmacro %}
