{#
  The staging models that hold each sheet kind's loaded rows, one per kind: the one list in dbt of
  them, read where every row of every file must be accounted for (which years a file covers; rows read
  = rows staged + rows rejected). A new sheet kind adds its staging model here
  (tests/ingest/test_contract_complete.py names a kind that is missing).
#}
{% macro inbox_staging_models() %}
    {{ return([
        'stg_inbox__orgs', 'stg_inbox__members', 'stg_inbox__training', 'stg_inbox__activities',
        'stg_inbox__funding', 'stg_inbox__dues', 'stg_inbox__tasks', 'stg_inbox__evaluations',
        'stg_inbox__adjustments', 'stg_inbox__checklist', 'stg_inbox__rectifications',
        'stg_inbox__development',
    ]) }}
{% endmacro %}
