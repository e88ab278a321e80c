"""A tiny university for the trust tests (crash safety, rebuild from the archive), run through the
real `dangjian` command in a child process — the way a deployment runs it.

College 01 with branches 0101 (教工: T001 书记, T002, T003) and 0102 (学生: S001 书记, S002), 2024.
Training hours, year to date at 2024Q4: T001 20 + 12 = 32, T002 32 + 8 (补充培训) = 40.
`submit_correction` is a college's next submission: the training sheet gains T001's 6 h course of
2024-11-05 and the 补充培训 file is withdrawn, so at 2024Q4 T001 has 38 h and T002 32 h.
"""

import csv
import hashlib
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb

from dagster_project.contracts import KINDS
from dagster_project.pipeline.faults import FAULT_POINTS
from tests.support import tiny_university as tu
from tests.support.workbooks import write_workbook

DANGJIAN = str(Path(sys.executable).with_name("dangjian"))

TRAINING_FILE = "2024_01_学习培训台账.csv"
EXTRA_FILE = "2024_01_补充培训.csv"

ORGS = tu.orgs(counts=(60, 400, 1))
MEMBERS = [
    tu.member("T001", "0101", "书记"),
    tu.member("T002", "0101"),
    tu.member("T003", "0101"),
    tu.member("S001", "0102", "书记", category="学生"),
    tu.member("S002", "0102", category="学生"),
]

# member, course, started on, hours
TRAINING = [
    ("T001", "理论学习", "2024-02-10", 20),
    ("T001", "专题培训", "2024-10-15", 12),
    ("T002", "理论学习", "2024-03-01", 32),
    ("S001", "网络学习", "2024-04-01", 8),
]
EXTRA = [("T002", "补充学习", "2024-11-20", 8)]
CORRECTION = ("T001", "党史专题", "2024-11-05", 6)


def write_training_csv(path: Path, rows: list[tuple]) -> Path:
    """A 学习培训台账 as a college exports it to CSV: the contract's headers, then the rows."""
    columns = {c.name: c.header for c in KINDS["training"].columns}
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([columns[c] for c in ("member_key", "course", "started_on", "hours")])
        writer.writerows(rows)
    return path


def write_inbox(inbox: Path) -> None:
    inbox.mkdir(parents=True, exist_ok=True)
    write_workbook(inbox / "2024_组织部_组织架构.xlsx", {"组织架构": ("orgs", ORGS)})
    write_workbook(inbox / "2024_01_党员花名册.xlsx", {"党员花名册": ("members", MEMBERS)})
    write_training_csv(inbox / TRAINING_FILE, TRAINING)
    write_training_csv(inbox / EXTRA_FILE, EXTRA)


def submit_correction(inbox: Path) -> None:
    write_training_csv(inbox / TRAINING_FILE, [*TRAINING, CORRECTION])
    (inbox / EXTRA_FILE).unlink()


def dangjian(
    home: Path, *args: str, fault: str | None = None, timeout: float = 300
) -> subprocess.CompletedProcess:
    """`dangjian ARGS` on `home` in a child process; `fault` arms DANGJIAN_FAULT (dagster_project/pipeline/faults.py)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DANGJIAN_FAULT", "DAGSTER_HOME")}
    env |= {"DANGJIAN_HOME": str(home), "DO_NOT_TRACK": "1", "DAGSTER_DISABLE_TELEMETRY": "1"}
    if fault:
        env["DANGJIAN_FAULT"] = fault
    return subprocess.run(
        [DANGJIAN, *args], env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def build_home(home: Path) -> Path:
    write_inbox(home / "inbox")
    done = dangjian(home, "run")
    assert done.returncode == 0, done.stdout + done.stderr
    return home


def training_hours(serving: Path, period: str = "2024Q4") -> dict[str, float]:
    with duckdb.connect(str(serving), read_only=True) as con:
        return dict(
            con.execute(
                "select member_key, hours from marts.member_training where period = ? order by 1", [period]
            ).fetchall()
        )


# ---- crash safety: one home through a failed run, three killed runs and the run that recovers ------


@dataclass
class Step:
    """What one `dangjian run` left behind, observed after its process ended."""

    fault: str | None
    returncode: int
    output: str
    serving_sha256: str
    build_id: str  # what a dashboard query reads from meta.snapshot
    t001_hours: float  # what a dashboard query reads from marts.member_training (2024Q4)
    home_files: list[str]
    run_id: str  # this step's Dagster run
    run_status_after: str  # as the step left it, before any later run touched it
    raw_files: dict[str, str]  # warehouse raw.files: source file → hash
    warehouse_t001_hours: float | None
    marts_materialized: int  # marts tables dbt finished in this run


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def dagster_runs(home: Path) -> dict[str, str]:
    """run id → status, newest first."""
    from dagster import DagsterInstance

    with DagsterInstance.from_config(str(home / "dagster")) as instance:
        return {run.run_id: run.status.value for run in instance.get_runs()}


def _marts_materialized(home: Path, run_id: str) -> int:
    from dagster import DagsterEventType, DagsterInstance

    with DagsterInstance.from_config(str(home / "dagster")) as instance:
        records = instance.get_records_for_run(
            run_id, of_type=DagsterEventType.ASSET_MATERIALIZATION, limit=1000
        ).records
    return sum(r.event_log_entry.dagster_event.asset_key.has_prefix(["marts"]) for r in records)


def _warehouse_state(home: Path, scratch: Path) -> tuple[dict[str, str], float | None]:
    """raw.files and T001's hours in the warehouse, read from a copy: opening the real file would
    replay its WAL and tidy up exactly the leftovers the next run has to cope with."""
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    for name in ("warehouse.duckdb", "warehouse.duckdb.wal"):
        if (home / name).exists():
            shutil.copy(home / name, scratch / name)
    with duckdb.connect(str(scratch / "warehouse.duckdb")) as con:
        files = dict(con.execute("select source_file, file_hash from raw.files").fetchall())
        hours = con.execute(
            "select hours from marts.member_training where period = '2024Q4' and member_key = 'T001'"
        ).fetchone()
    return files, hours[0] if hours else None


def observe(home: Path, fault: str | None, done: subprocess.CompletedProcess, scratch: Path) -> Step:
    from dashboards.snapshot import run_query

    serving = home / "serving.duckdb"
    runs = dagster_runs(home)
    run_id = next(iter(runs))
    raw_files, warehouse_hours = _warehouse_state(home, scratch)
    return Step(
        fault=fault,
        returncode=done.returncode,
        output=done.stdout + done.stderr,
        serving_sha256=sha256(serving),
        build_id=run_query(serving, "select build_id from meta.snapshot")["build_id"][0],
        t001_hours=run_query(
            serving,
            "select hours from marts.member_training where period = '2024Q4' and member_key = 'T001'",
        )["hours"][0],
        home_files=sorted(p.name for p in home.iterdir()),
        run_id=run_id,
        run_status_after=runs[run_id],
        raw_files=raw_files,
        warehouse_t001_hours=warehouse_hours,
        marts_materialized=_marts_materialized(home, run_id),
    )


def crash_and_recover(home: Path, scratch: Path) -> dict[str, Step]:
    """From a built home: the correction is submitted, then
    - `failed`: a run while another program holds the warehouse open (an analyst's DuckDB client)
      fails normally (exit 1);
    - `ingest`, `dbt`, `publish`: three runs killed at those points, one after the other, so each
      run must first get past the mess the one before left;
    - `recovered`: a plain run.
    `baseline` is the home before any of it."""
    steps = {"baseline": observe(home, None, subprocess.CompletedProcess([], 0, "", ""), scratch)}
    submit_correction(home / "inbox")
    analyst = duckdb.connect(str(home / "warehouse.duckdb"))
    try:
        failed = dangjian(home, "run")
    finally:
        analyst.close()
    steps["failed"] = observe(home, None, failed, scratch)
    for fault in FAULT_POINTS:
        if fault == "dbt":
            # kill dbt itself, not the replay of its SQL (one transaction: killed, it commits
            # nothing; tests/model/test_replay.py): a warm run without a plan is one after an upgrade
            (home / "dbt" / "replay-plan.json").unlink()
        steps[fault] = observe(home, fault, dangjian(home, "run", fault=fault), scratch)
    steps["recovered"] = observe(home, None, dangjian(home, "run"), scratch)
    return steps
