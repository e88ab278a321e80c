-- Published: the university's mean, best and worst per period and measure (names no college).
select * from {{ ref('int_college_benchmarks_computed') }}
