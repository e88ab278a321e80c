{#
  The rows of a raw table that count: raw keeps every typed row for the record, but a row that
  failed a check against the other files (unknown code, duplicate key) is listed in raw.rejects
  with check_stage = 'cross' and must not reach the scores.
#}
{% macro loaded_rows(table) -%}
select loaded.*
from {{ source('inbox', table) }} as loaded
where not exists (
    select 1
    from {{ source('inbox', 'rejects') }} as rejected
    where rejected.check_stage = 'cross'
        and rejected.source_file = loaded._source_file
        and rejected.sheet = loaded._sheet
        and rejected.row_number = loaded._row_number
)
{%- endmacro %}
