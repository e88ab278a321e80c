{{ config(meta={'dagster': {'ref': {'name': 'indicator_sources'}}}) }}

-- Every table and column marts.indicator_sources names exists in the published marts, so the detail
-- page's generic query never names a column that is not there. Returns the ones that do not.
-- depends_on: {{ ref('activity_records') }}
-- depends_on: {{ ref('member_training') }}
-- depends_on: {{ ref('training_records') }}
-- depends_on: {{ ref('funding_records') }}
-- depends_on: {{ ref('tasks') }}
-- depends_on: {{ ref('checklist_answers') }}
-- depends_on: {{ ref('dim_org') }}
-- depends_on: {{ ref('dim_member') }}
-- depends_on: {{ ref('rectifications') }}
-- depends_on: {{ ref('development_records') }}
with named as (
    select level, indicator, detail_table, unnest([
        org_column, period_column, date_column, filter_column, flag_column, year_column
    ]) as column_name
    from {{ ref('indicator_sources') }}
    where detail_table is not null
)

select named.*
from named
where named.column_name is not null
    and not exists (
        select 1 from information_schema.columns as published
        where published.table_schema = 'marts'
            and published.table_name = named.detail_table
            and published.column_name = named.column_name
    )
