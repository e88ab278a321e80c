-- Published: every 组织生活 row with its org and college (its columns and types are the contract in activity_records.yml).
select * from {{ ref('int_activity_records_placed') }}
