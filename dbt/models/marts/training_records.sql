-- Published: every 学习培训 row with its member's branch and college (its columns and types are the contract in training_records.yml).
select * from {{ ref('int_training_records_placed') }}
