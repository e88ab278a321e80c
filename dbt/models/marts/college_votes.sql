-- Published: the 述职评议 votes of each college's own org per year (the contract is in college_votes.yml).
select * from {{ ref('int_college_votes_counted') }}
