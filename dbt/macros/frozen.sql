{#
  Frozen years (`dangjian freeze --year Y`, dagster_project/serving/freeze.py).

  Freezing writes a year's published rows of each result table to {frozen_dir}/<Y>/<table>.parquet
  and, last, {frozen_dir}/<Y>/manifest.json. The files live outside the warehouse so that a rebuilt
  warehouse keeps them; dbt reads them on every build. The layout and the manifest fields are
  declared once more in dagster_project/serving/freeze.py (a test checks that both agree).
#}

{# The manifest's fields and their types: the same columns whether or not anything is frozen. #}
{% macro frozen_manifest_columns() -%}
{{ return({
    'year': 'INTEGER',
    'frozen_at': 'TIMESTAMP',
    'published_at': 'TIMESTAMP',
    'tables': 'STRUCT(table_name VARCHAR, row_count BIGINT)[]',
    'source_files': 'STRUCT(source_file VARCHAR, file_hash VARCHAR)[]',
    'rulebook_files': 'STRUCT(file_name VARCHAR, content_hash VARCHAR)[]',
}) }}
{%- endmacro %}


{% macro frozen_sql_string(text) -%}
'{{ text | replace("'", "''") }}'
{%- endmacro %}


{#
  The files named `file_name` in the year folders of {frozen_dir} that hold a manifest (a folder
  without one is a freeze that did not finish), in path order. DuckDB's glob() answers with no rows
  when the folder does not exist, so a home that never froze anything needs no setup. [] at parse
  time (nothing is executed then).
#}
{% macro frozen_files(file_name) %}
    {% if not execute %}
        {{ return([]) }}
    {% endif %}
    {% set dir = var('frozen_dir') %}
    {% set found = run_query(
        "select files.file from glob(" ~ frozen_sql_string(dir ~ '/*/' ~ file_name) ~ ") as files "
        ~ "inner join glob(" ~ frozen_sql_string(dir ~ '/*/manifest.json') ~ ") as manifests "
        ~ "on parse_dirpath(files.file) = parse_dirpath(manifests.file) order by 1"
    ) %}
    {{ return(found.columns[0].values() | list) }}
{% endmacro %}


{# The stored rows of one result table: the frozen parquet files, or none with the computed model's columns. #}
{% macro frozen_rows(table_name) %}
{%- set computed = 'int_' ~ table_name ~ '_computed' -%}
{%- set files = frozen_files(table_name ~ '.parquet') -%}
-- depends_on: {{ ref(computed) }}
{%- if files %}
-- union_by_name: a year frozen before a column was added simply lacks it
select * from read_parquet([
    {%- for file in files %}{{ frozen_sql_string(file) }}{{ ", " if not loop.last }}{% endfor -%}
], union_by_name = true)
{%- else %}
select * from {{ ref(computed) }} where false
{%- endif %}
{% endmacro %}


{#
  A published result table: this run's computed rows for the years that are not frozen and the
  stored rows for the years that are. `union all by name` leaves a column added after the freeze
  empty in the frozen rows; the select list (the mart's contract) drops a column since removed.
#}
{% macro frozen_union(table_name) %}
with frozen_years as (
    select manifests.year
    from {{ ref('int_frozen_manifests_loaded') }} as manifests, unnest(manifests.tables) as frozen(frozen_table)
    where frozen.frozen_table.table_name = '{{ table_name }}'
),

unioned as (
    select computed.*
    from {{ ref('int_' ~ table_name ~ '_computed') }} as computed
    where not exists (select 1 from frozen_years where frozen_years.year = computed.year)
    union all by name
    select frozen.*
    from {{ ref('int_' ~ table_name ~ '_frozen') }} as frozen
    where exists (select 1 from frozen_years where frozen_years.year = frozen.year)
)

select
{%- for column in model.columns.values() %}
    {{ column.name }}{{ "," if not loop.last }}
{%- else %}
    *
{%- endfor %}
from unioned
{% endmacro %}


{#
  One row per row of `relation` in the frozen years of `table_name` (CTE `frozen_tables` of
  frozen_diff: year, table_name), for frozen_diff: the row's key as text ("2024Q4 / 0101"), the org
  it belongs to, the key's column names and the whole row as JSON (one value per column, NULLs
  kept, numbers printed exactly).
#}
{% macro frozen_diff_rows(relation, table_name, key_columns, org_column) %}
    select
        '{{ table_name }}' as table_name,
        result_rows.year,
        {{ 'result_rows.period' if 'period' in key_columns else 'cast(null as varchar)' }} as period,
        result_rows.{{ org_column }} as org_code,
        concat_ws(' / ',
            {%- for column in key_columns %} cast(result_rows.{{ column }} as varchar){{ "," if not loop.last }}{% endfor -%}
        ) as row_key,
        [{% for column in key_columns %}'{{ column }}', {% endfor %}'year'] as key_columns,
        to_json(result_rows) as row_json
    from {{ relation }} as result_rows
    where exists (
        select 1 from frozen_tables
        where frozen_tables.year = result_rows.year and frozen_tables.table_name = '{{ table_name }}'
    )
{% endmacro %}
