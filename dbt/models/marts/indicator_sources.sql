-- Published: where the rows behind each indicator are (its columns and types are the contract in
-- indicator_sources.yml).
select * from {{ ref('int_indicator_sources_resolved') }}
