-- A warm run rebuilds only the (year, college) partitions that changed: a row of a year and college
-- is made from its inputs' rows of that year and college only (transform/changes.py).
{{ config(meta={'partition': 'year_college'}) }}
-- Published: computed rows of the years not frozen, the stored rows of the frozen years.
{{ frozen_union('branch_indicators') }}
