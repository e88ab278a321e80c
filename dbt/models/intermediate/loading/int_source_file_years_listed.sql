-- Which inbox files hold rows of which year (a workbook may cover several): the rows that reach the
-- scores, by the year each staging model assigns them.
{%- set staged = inbox_staging_models() + ['stg_inbox__task_owners'] %}
with staged_rows as (
    {%- for model in staged %}
    select distinct source_file, year from {{ ref(model) }}
    {{- "\n    union\n" if not loop.last }}
    {%- endfor %}
)

select source_file, year
from staged_rows
where year is not null
