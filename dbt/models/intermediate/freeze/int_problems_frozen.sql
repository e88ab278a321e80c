-- The rows of marts.problems as published when their year was frozen (dangjian freeze): a frozen
-- year keeps the problems — ids, texts, severities — it was judged on, like its scores.
{{ frozen_rows('problems') }}
