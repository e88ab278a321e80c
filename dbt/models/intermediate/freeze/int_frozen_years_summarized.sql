-- The frozen years (dangjian freeze): when each was frozen and what was stored, for the dashboards'
-- banner and for analysts.
with manifests as (
    select * from {{ ref('int_frozen_manifests_loaded') }}
),

stored as (
    select
        manifests.year,
        string_agg(frozen.frozen_table.table_name, ', ' order by frozen.frozen_table.table_name) as frozen_tables,
        sum(frozen.frozen_table.row_count) as frozen_rows
    from manifests, unnest(manifests.tables) as frozen(frozen_table)
    group by all
)

select
    manifests.year,
    manifests.frozen_at,
    manifests.published_at,
    stored.frozen_tables,
    cast(coalesce(stored.frozen_rows, 0) as bigint) as frozen_rows,
    cast(len(manifests.source_files) as integer) as source_file_count
from manifests
left join stored
    on stored.year = manifests.year
