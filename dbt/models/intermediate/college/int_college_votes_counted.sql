-- The 述职评议 (民主测评) votes of each college's own org per year, as the 考核反馈报告 prints them:
-- the votes behind college_scores.evaluation_score (the same rows: the org whose code is the college's).
with evaluations as (
    select * from {{ ref('stg_inbox__evaluations') }}
),

orgs as (
    select * from {{ ref('int_orgs_placed') }}
)

select
    evaluations.year,
    orgs.college_code,
    evaluations.votes_good,
    evaluations.votes_fair_good,
    evaluations.votes_average,
    evaluations.votes_poor,
    evaluations.votes_good + evaluations.votes_fair_good + evaluations.votes_average
        + evaluations.votes_poor as votes_total
from evaluations
inner join orgs
    on orgs.year = evaluations.year
    and orgs.org_code = evaluations.org_code
    and orgs.org_code = orgs.college_code
