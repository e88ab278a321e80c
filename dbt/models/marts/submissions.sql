-- Published: the submissions log and what became of each file (contract in submissions.yml).
select * from {{ ref('int_submissions_listed') }}
