-- Published: the composite, total and grade at each rank of a period (names no college).
select * from {{ ref('int_college_rank_ladders_computed') }}
