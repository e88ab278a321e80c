-- The rows of marts.branch_indicators as published when their year was frozen (dangjian freeze).
{{ frozen_rows('branch_indicators') }}
