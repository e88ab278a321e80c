-- Which inbox files hold rows of which year (a workbook may cover several): the rows that reach the
-- scores, by the year each staging model assigns them.
{%- set staged = [
    'stg_raw__orgs', 'stg_raw__members', 'stg_raw__training', 'stg_raw__activities', 'stg_raw__funding',
    'stg_raw__dues', 'stg_raw__tasks', 'stg_raw__task_owners', 'stg_raw__evaluations', 'stg_raw__adjustments',
    'stg_raw__checklist',
] %}
with staged_rows as (
    {%- for model in staged %}
    select distinct source_file, year from {{ ref(model) }}
    {{- "\n    union\n" if not loop.last }}
    {%- endfor %}
)

select source_file, year
from staged_rows
where year is not null
