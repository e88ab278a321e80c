-- The university's figures per period and measure (each dimension score of the rulebook, the total
-- and the composite): how many colleges have it, their mean, the best and the worst. A college login
-- sees only its own row of college_scores, so its pages compare it with these instead.
{%- set measures = rule_dimension_columns('college') + ['total', 'composite'] %}
with scores as (
    select * from {{ ref('int_college_scores_published') }}
),

measured as (
    {%- for measure in measures %}
    select period, year, quarter, '{{ measure }}' as measure, {{ measure }} as value
    from scores
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
)

select
    period,
    year,
    quarter,
    measure,
    -- a dimension without any scored indicator is empty for a college: it is not counted
    cast(count(value) as integer) as colleges,
    -- the mean of the published (2-decimal) scores, summed exactly: a sum of doubles depends on the
    -- order of the rows, and a warm run's rows of a partly rebuilt table come in another order
    round(avg(cast(value as decimal(18, 4))), 2) as mean,
    max(value) as best,
    min(value) as worst
from measured
group by period, year, quarter, measure
