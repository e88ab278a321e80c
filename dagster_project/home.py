"""Where a deployment keeps its state: one folder, `DANGJIAN_HOME`.

The folder holds ID-card numbers in clear (the warehouse's raw schema, the archived workbooks) and
the login hashes, so it is for the account that runs the pipeline only: `ensure` makes it 0700 and
the files that matter 0600 (also in a home made before this rule), and `dangjian` runs with umask
077, so whatever it, dbt or Dagster write later is owner-only too.
"""

import datetime as dt
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DBT_DIR = REPO_ROOT / "dbt"
DASHBOARD_APP = REPO_ROOT / "dashboards" / "app.py"
PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600

# DuckDB's memory limit for every connection that writes or builds the warehouse (ingest, checks,
# publish; dbt's profile reads the same variable with the same default, and a test holds them equal).
# DuckDB's own default is 80 % of RAM, which let one run at 100× hold 5 GiB; with a limit it spills
# what does not fit to Home.spill instead, so a run's memory stays flat as the data grows. 1GB holds
# the whole build at 100× the demo (bench/README.md, Memory), and a run's largest process stays
# under 2 GiB with Python's own share.
DUCKDB_MEMORY_ENV = "DANGJIAN_DUCKDB_MEMORY"
DUCKDB_MEMORY_DEFAULT = "1GB"


def duckdb_memory_limit() -> str:
    return os.environ.get(DUCKDB_MEMORY_ENV) or DUCKDB_MEMORY_DEFAULT


@dataclass(frozen=True)
class Home:
    root: Path

    @classmethod
    def from_env(cls) -> "Home":
        return cls(Path(os.environ.get("DANGJIAN_HOME", ".dangjian")).resolve())

    @property
    def inbox(self) -> Path:
        return self.root / "inbox"

    @property
    def archive(self) -> Path:
        return self.root / "archive"

    @property
    def exports(self) -> Path:
        return self.root / "exports"

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse.duckdb"

    @property
    def serving(self) -> Path:
        return self.root / "serving.duckdb"

    @property
    def frozen(self) -> Path:
        """Frozen years (`dangjian freeze`): outside the warehouse, so a rebuilt warehouse keeps them."""
        return self.root / "frozen"

    @property
    def users(self) -> Path:
        """Dashboard logins (dagster_project/access); none means the dashboard runs open on 127.0.0.1."""
        return self.root / "users.json"

    @property
    def spill(self) -> Path:
        """DuckDB's temp_directory: spilled rows of raw hold ID-card numbers, so they stay in the home."""
        return self.root / "tmp"

    def duckdb_config(self) -> dict[str, str]:
        """The settings of every connection that writes the warehouse (dbt's profile: the same two)."""
        return {"memory_limit": duckdb_memory_limit(), "temp_directory": str(self.spill)}

    @property
    def dagster_home(self) -> Path:
        return self.root / "dagster"

    @property
    def run_log(self) -> Path:
        return self.dagster_home / "last_run.log"

    def ensure(self) -> "Home":
        self.root.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
        private(self.root)
        for d in (self.inbox, self.archive, self.exports, self.dagster_home, self.spill):
            d.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
        private(self.archive)
        private(self.spill)
        for path in (self.warehouse, self.serving, self.users):
            for file in (path, path.with_name(path.name + ".wal")):
                if file.exists():
                    private(file)
        yaml = self.dagster_home / "dagster.yaml"
        if not yaml.exists() or yaml.read_text(encoding="utf-8") in _EARLIER_DAGSTER_YAMLS:
            # One DuckDB writer at a time (a second writer process is refused the file), one queued
            # run at a time (the daemon's sensor runs); no telemetry on an offline machine.
            yaml.write_text(_DAGSTER_YAML, encoding="utf-8")
        return self

    def export_env(self) -> None:
        """Make this home the one every child process (dbt, dagster, streamlit) sees."""
        os.environ["DANGJIAN_HOME"] = str(self.root)
        os.environ["DAGSTER_HOME"] = str(self.dagster_home)
        os.environ.setdefault("DO_NOT_TRACK", "1")
        os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
        os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")


_OLDEST_DAGSTER_YAML = "telemetry:\n  enabled: false\nconcurrency:\n  pools:\n    default_limit: 1\n"
_OLD_DAGSTER_YAML = _OLDEST_DAGSTER_YAML + "  runs:\n    max_concurrent_runs: 1\n"
# the instance whose event log keeps its SQLite engines (dagster_project/pipeline/event_log.py)
_KEPT_ENGINES_DAGSTER_YAML = _OLD_DAGSTER_YAML + (
    "instance_class:\n  module: dagster_project.pipeline.event_log\n  class: HomeInstance\n"
)
# The daemon's run queue looks for a queued run every second: Dagster's default of 5 s was up to 5 s
# more of a college's wait between 确认提交 and 已发布, for a look at two small SQLite tables.
_QUEUE_EVERY_SECOND_DAGSTER_YAML = _KEPT_ENGINES_DAGSTER_YAML + "run_queue:\n  dequeue_interval_seconds: 1\n"
# The daemon's runs are forked from a process that has loaded the code location already, and the
# daemon fails a run whose process has died (serve killed mid-run) instead of letting it hold the
# one-run queue and the duckdb pool for ever (dagster_project/pipeline/launcher.py)
_DAGSTER_YAML = _QUEUE_EVERY_SECOND_DAGSTER_YAML + (
    "run_launcher:\n  module: dagster_project.pipeline.launcher\n  class: PrestartedRunLauncher\n"
    "run_monitoring:\n  enabled: true\n  poll_interval_seconds: 30\n  free_slots_after_run_end_seconds: 30\n"
)
# a home made by an earlier version gets today's file; one a person edited is left as it is
_EARLIER_DAGSTER_YAMLS = (
    _OLDEST_DAGSTER_YAML,
    _OLD_DAGSTER_YAML,
    _KEPT_ENGINES_DAGSTER_YAML,
    _QUEUE_EVERY_SECOND_DAGSTER_YAML,
)


def private(path: Path) -> None:
    """Owner-only: 0700 for a folder, 0600 for a file."""
    os.chmod(path, PRIVATE_DIR if stat.S_ISDIR(os.stat(path).st_mode) else PRIVATE_FILE)


def as_of_problem() -> str | None:
    """Why DANGJIAN_AS_OF (the day the submission calendar counts from, dbt's
    int_submission_periods_checked) cannot be used, or None. Checked before a run: inside dbt a bad
    value is an English DuckDB conversion error in the middle of the build."""
    value = os.environ.get("DANGJIAN_AS_OF", "")
    if not value:
        return None
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            dt.date.fromisoformat(value)
            return None
    except ValueError:
        pass
    return (
        f"环境变量 DANGJIAN_AS_OF 应为日期 YYYY-MM-DD（例如 2025-01-08），现为「{value[:40]}」；"
        "不设置则按今天计算报送期限。"
    )
