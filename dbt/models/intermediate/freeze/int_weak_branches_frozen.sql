-- The rows of marts.weak_branches as published when their year was frozen (dangjian freeze).
{{ frozen_rows('weak_branches') }}
