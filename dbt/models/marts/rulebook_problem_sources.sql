-- Published: the rulebook's seeds/rule_problem_sources.csv (where problems come from, their Chinese
-- names and severities) as the 整改跟踪 page and the documents read it (the contract is in
-- rulebook_problem_sources.yml).
with severities (severity, severity_rank) as (
    -- the three severities the rulebook allows (seeds/_rulebook.yml), gravest first
    values ('严重', 1), ('较重', 2), ('一般', 3)
)

select
    sources.problem_source,
    sources.source_name,
    sources.severity,
    cast(severities.severity_rank as integer) as severity_rank,
    -- gravest first, then by code: the order of the page's filter and of the problem lists
    cast(row_number() over (order by severities.severity_rank, sources.problem_source) as integer) as sort_order,
    sources.description,
    sources.evidence_table,
    sources.source
from {{ ref('rule_problem_sources') }} as sources
left join severities
    on severities.severity = sources.severity
