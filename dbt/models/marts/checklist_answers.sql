-- Published: 责任清单自查 answers with the questions (its columns and types are the contract in checklist_answers.yml).
select * from {{ ref('int_checklist_answers_joined') }}
