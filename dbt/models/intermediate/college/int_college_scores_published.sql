-- The rows of marts.college_scores as published (computed rows of the years not frozen, the stored
-- rows of the frozen years), for the models that summarize all colleges: an intermediate model may
-- not read the mart itself, and a frozen year's summary must agree with its frozen scores.
{{ frozen_union('college_scores') }}
