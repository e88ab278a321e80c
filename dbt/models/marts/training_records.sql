-- A warm run rebuilds only the (year, college) partitions that changed: a row of a year and college
-- is made from its inputs' rows of that year and college only (transform/changes.py).
{{ config(meta={'partition': 'year_college'}) }}
-- Published: every 学习培训 row with its member's branch and college (its columns and types are the contract in training_records.yml).
select * from {{ ref('int_training_records_placed') }}
