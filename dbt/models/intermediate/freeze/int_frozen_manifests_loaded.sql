-- One row per frozen year: what `dangjian freeze` recorded in {frozen_dir}/<Y>/manifest.json.
{%- set columns = frozen_manifest_columns() %}
{%- set files = frozen_files('manifest.json') %}
{%- if files %}
select {{ columns.keys() | join(', ') }}
from read_json(
    [{% for file in files %}{{ frozen_sql_string(file) }}{{ ", " if not loop.last }}{% endfor %}],
    columns = { {%- for name, type in columns.items() %}{{ name }}: '{{ type }}'{{ ", " if not loop.last }}{% endfor -%} }
)
{%- else %}
-- nothing frozen: no rows, the manifest's columns
select
    {%- for name, type in columns.items() %}
    cast(null as {{ type }}) as {{ name }}{{ "," if not loop.last }}
    {%- endfor %}
where false
{%- endif %}
