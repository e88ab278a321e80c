-- Published: 任务清单 per task × owner × period (its columns and types are the contract in tasks.yml).
select * from {{ ref('int_tasks_flagged') }}
