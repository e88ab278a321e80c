-- Which inbox files hold rows of which year (a workbook may cover several): the rows that reach the
-- scores, by the year each staging model assigns them.
{%- set staged = [
    'stg_inbox__orgs', 'stg_inbox__members', 'stg_inbox__training', 'stg_inbox__activities', 'stg_inbox__funding',
    'stg_inbox__dues', 'stg_inbox__tasks', 'stg_inbox__task_owners', 'stg_inbox__evaluations', 'stg_inbox__adjustments',
    'stg_inbox__checklist',
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
