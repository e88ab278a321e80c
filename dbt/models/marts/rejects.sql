-- Published: what could not be loaded, masked (its columns and types are the contract in rejects.yml).
select * from {{ ref('int_rejects_masked') }}
