-- Published: the 发展党员 pipeline, period × branch × stage in long format (the contract is in
-- development_pipeline.yml).
select period, year, quarter, college_code, branch_code, stage_order, stage, people, entered, students, staff
from {{ ref('int_development_pipeline_counted') }}
