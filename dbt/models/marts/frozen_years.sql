-- Published: the frozen years (its columns and types are the contract in frozen_years.yml).
select * from {{ ref('int_frozen_years_summarized') }}
