"""Running the pipeline from the command line: the run driver (run.py: one run of the asset graph
through Dagster, its progress and summary), what a killed run leaves and how the next one clears it
(recovery.py), Dagster's run log made cheap to write (event_log.py) and the crash tests' kill points
(faults.py)."""
