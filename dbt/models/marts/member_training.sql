-- Published: each counted member's hours per period (its columns and types are the contract in member_training.yml).
select * from {{ ref('int_member_training_summed') }}
