-- The rows of marts.college_indicators as published when their year was frozen (dangjian freeze).
{{ frozen_rows('college_indicators') }}
