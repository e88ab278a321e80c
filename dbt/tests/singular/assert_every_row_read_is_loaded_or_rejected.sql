{{ config(meta={'dagster': {'ref': {'name': 'load_summary'}}}) }}

-- Zero unexplained drops: for every file, the rows staging holds = rows read − rows rejected.
with staged as (
    select source_file, count(*) as n from {{ ref('stg_inbox__orgs') }} group by all
    union all
    select source_file, count(*) as n from {{ ref('stg_inbox__members') }} group by all
    union all
    select source_file, count(*) as n from {{ ref('stg_inbox__training') }} group by all
    union all
    select source_file, count(*) as n from {{ ref('stg_inbox__activities') }} group by all
    union all
    select source_file, count(*) as n from {{ ref('stg_inbox__funding') }} group by all
    union all
    select source_file, count(*) as n from {{ ref('stg_inbox__dues') }} group by all
    union all
    select source_file, count(*) as n from {{ ref('stg_inbox__tasks') }} group by all
    union all
    select source_file, count(*) as n from {{ ref('stg_inbox__evaluations') }} group by all
    union all
    select source_file, count(*) as n from {{ ref('stg_inbox__adjustments') }} group by all
    union all
    select source_file, count(*) as n from {{ ref('stg_inbox__checklist') }} group by all
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
