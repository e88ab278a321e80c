-- 责任清单自查 answers with the question as written in 003 附件, so a 否 can be read in full.
select
    answers.year,
    answers.org_code,
    orgs.org_name,
    orgs.college_code,
    answers.question_no,
    questions.section_no,
    questions.responsibility,
    questions.question,
    answers.answer,
    answers.source_file,
    answers.source_row
from {{ ref('stg_inbox__checklist') }} as answers
left join {{ ref('checklist_questions') }} as questions
    on questions.question_no = answers.question_no
left join {{ ref('int_orgs_placed') }} as orgs
    on orgs.year = answers.year
    and orgs.org_code = answers.org_code
