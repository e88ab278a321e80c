{{ config(meta={'dagster': {'ref': {'name': 'load_summary'}}}) }}

-- Zero unexplained drops: for every file, the rows staging holds = rows read − rows rejected.
with staged as (
    {%- for model in inbox_staging_models() %}
    select source_file, count(*) as n from {{ ref(model) }} group by all
    {{- "\n    union all" if not loop.last }}
    {%- endfor %}
    -- staged, then rejected against the 问题清单 (int_rectification_rows_checked)
    union all
    select source_file, -count(*) as n from {{ ref('int_rectification_rejects_listed') }} group by all
),

staged_per_file as (
    select source_file, sum(n) as rows_staged from staged group by all
)

select
    summary.source_file,
    summary.rows_read,
    summary.rows_loaded,
    summary.rows_rejected,
    coalesce(staged_per_file.rows_staged, 0) as rows_staged
from {{ ref('load_summary') }} as summary
left join staged_per_file
    on staged_per_file.source_file = summary.source_file
where summary.rows_loaded <> coalesce(staged_per_file.rows_staged, 0)
   or summary.rows_read <> summary.rows_loaded + summary.rows_rejected
