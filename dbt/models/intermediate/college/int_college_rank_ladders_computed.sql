-- The ranks of a period without the colleges that hold them: the composite, total and grade at each
-- rank. A college login learns from it how far the college above is and where the next 等次 starts,
-- without learning who the others are.
with scores as (
    select * from {{ ref('int_college_scores_published') }}
)

select
    period,
    year,
    quarter,
    rank,
    cast(count(*) as integer) as colleges,
    -- tied colleges share the composite (the rank orders by it) and therefore the grade; their totals
    -- can differ: the highest is given
    max(composite) as composite,
    max(total) as total,
    max(grade) as grade,
    bool_or(veto) as veto
from scores
group by period, year, quarter, rank
