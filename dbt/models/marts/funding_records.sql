-- Published: every 经费 row with its org and college (its columns and types are the contract in funding_records.yml).
select * from {{ ref('int_funding_records_placed') }}
