-- The rows of marts.branch_scores as published when their year was frozen (dangjian freeze).
{{ frozen_rows('branch_scores') }}
