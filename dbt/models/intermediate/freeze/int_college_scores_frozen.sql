-- The rows of marts.college_scores as published when their year was frozen (dangjian freeze).
{{ frozen_rows('college_scores') }}
