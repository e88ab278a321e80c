-- Published: the submission calendar's status per college, kind and period (contract in submission_status.yml).
select * from {{ ref('int_submission_periods_checked') }}
