-- Published: every problem found, one row each (its columns and types are the contract in problems.yml).
select * from {{ ref('int_problems_listed') }}
