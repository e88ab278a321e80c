-- The frozen files' rows only, whatever changed: a warm run rebuilds what its readers do (transform/changes.py).
{{ config(meta={'partition': 'year_college'}) }}
-- The rows of marts.branch_indicators as published when their year was frozen (dangjian freeze).
{{ frozen_rows('branch_indicators') }}
