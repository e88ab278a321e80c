-- Published: what a recomputation would change in the frozen years (its columns and types are the contract in frozen_diff.yml).
select * from {{ ref('int_frozen_rows_diffed') }}
