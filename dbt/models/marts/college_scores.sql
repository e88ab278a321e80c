-- Published: computed rows of the years not frozen, the stored rows of the frozen years; one score
-- column per dimension of the rulebook, each listed in college_scores.yml (checked while compiling).
{{ check_dimension_columns('college') }}
{{ frozen_union('college_scores') }}
