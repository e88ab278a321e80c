-- The problem list as published: this run's problems for the years that are not frozen, the stored
-- ones for the frozen years (dangjian freeze), so a frozen year's 问题编号, texts and severities stay
-- what they were when it was frozen, and its rectifications and next year's 整改销号率 follow them.
-- A year frozen before the problem list was frozen with it has no stored problems: computed ones.
{{ frozen_union('problems') }}
