"""dbt as the pipeline runs it: the project, its manifest and the CLI resource (project.py), and what
each run keeps between runs — its output folder, dbt's parse cache, the fingerprint of the project
that built the warehouse (runs.py). The Dagster assets are in defs/transform."""
