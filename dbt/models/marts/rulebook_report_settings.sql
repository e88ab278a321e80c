-- Published: the rulebook's seeds/rule_report_settings.csv (the words the year-end documents print).
select setting, value, source
from {{ ref('rule_report_settings') }}
