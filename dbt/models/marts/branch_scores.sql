-- A warm run rebuilds only the years that changed (ranks run across colleges, not years: transform/changes.py).
{{ config(meta={'partition': 'year'}) }}
-- Published: computed rows of the years not frozen, the stored rows of the frozen years; one score
-- column per dimension of the rulebook, each listed in branch_scores.yml (checked while compiling).
{{ check_dimension_columns('branch') }}
{{ frozen_union('branch_scores') }}
