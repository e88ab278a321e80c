-- 责任清单自查: each question a party org answered 否 or 部分 is a problem of that org and year, read
-- with the question as the checklist writes it. 否 and 部分 are two sources so that each carries its
-- own severity in seeds/rule_problem_sources.csv.
select
    year,
    year || 'Q4' as period,
    org_code,
    case answer when '否' then 'checklist_no' else 'checklist_partial' end as problem_source,
    cast(question_no as varchar) as source_key,
    '责任清单自查第' || question_no || '题答“' || answer || '”：' || coalesce(question, '（题目未登记）') as description
from {{ ref('int_checklist_answers_joined') }}
where answer in ('否', '部分')
