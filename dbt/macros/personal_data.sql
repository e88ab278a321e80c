{#
  What the published rejects may show of a cell the reader could not load (marts.rejects, and what is
  made from it: the 数据质量 page, `dangjian rejects`). A college fixes its own file with the file,
  sheet, row, column and reason — it has the file — so the published snapshot shows no ID-card
  number, no part of one, and a birth date only as its year. `raw` keeps the cells as typed.
  The headers are the input contract's (dagster_project/contracts; tests/trust/test_personal_data.py
  checks that they agree).
#}

{# 17 digits and a digit or X, anywhere (inside a longer run of digits too: over-hiding a reject's
   cell costs nothing), and a number of that size as Excel writes it (1.1010519491231e+17). #}
{% macro hide_id_card_numbers(text) -%}
regexp_replace(
    {{ text }},
    '[0-9０-９]{17}[0-9０-９XxＸｘ]|[0-9](\.[0-9]+)?[eE]\+?17',
    '******************',
    'g'
)
{%- endmacro %}


{# A birth date as its year: the digits after a leading year become *, so the shape a user typed
   still shows (1990-**-**, 1990年*月**日); without a leading year every digit is hidden. #}
{% macro birth_year_only(text) -%}
case
    when regexp_matches({{ text }}, '^(19|20)[0-9]{2}')
        then left({{ text }}, 4) || regexp_replace(substr({{ text }}, 5), '[0-9０-９]', '*', 'g')
    else regexp_replace({{ text }}, '[0-9０-９]', '*', 'g')
end
{%- endmacro %}


{# One cell of a reject, by its column header. The ID-card column shows only how many characters
   were typed (its reason says what is wrong with them). #}
{% macro published_cell(header, text) -%}
case
    when {{ header }} in ('公民身份证号码', '身份证号') then repeat('*', length({{ text }}))
    when {{ header }} = '出生日期' then {{ birth_year_only(hide_id_card_numbers(text)) }}
    else {{ hide_id_card_numbers(text) }}
end
{%- endmacro %}


{# A reject's whole row, {header: cell} as JSON, each cell as published_cell shows it (keys in order). #}
{% macro published_row(row_json) -%}
cast(to_json(map_from_entries(list_transform(
    map_entries(json_transform({{ row_json }}, '"MAP(VARCHAR, VARCHAR)"')),
    lambda cell: struct_pack(key := cell.key, value := {{ published_cell('cell.key', 'cell.value') }})
))) as varchar)
{%- endmacro %}
