-- A warm run rebuilds only the (year, college) partitions that changed: a row of a year and college
-- is made from its inputs' rows of that year and college only (transform/changes.py).
{{ config(meta={'partition': 'year_college'}) }}
-- Published: each counted member's hours per period (its columns and types are the contract in member_training.yml).
select * from {{ ref('int_member_training_summed') }}
