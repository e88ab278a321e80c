-- The frozen files' rows only, whatever changed: a warm run rebuilds what its readers do (transform/changes.py).
{{ config(meta={'partition': 'year'}) }}
-- The rows of marts.branch_scores as published when their year was frozen (dangjian freeze).
{{ frozen_rows('branch_scores') }}
