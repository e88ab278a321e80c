-- Published: computed rows of the years not frozen, the stored rows of the frozen years.
{{ frozen_union('weak_branches') }}
