"""The submissions log: who submitted which file for which college, kept beside the archive
(`archive/submissions.jsonl`, one JSON object a line, append-only) so that it is backed up with the
files themselves and a rebuild from the archive applies the same college scope.

A run reads it for two things: the college a file's rows must belong to (scope.py), and the
warehouse's copy of the log (raw.submissions), which dbt publishes as marts.submissions.
"""

import datetime as dt
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb

from dagster_project.home import PRIVATE_DIR, PRIVATE_FILE

LOG_NAME = "submissions.jsonl"
# The submitter of a file that reached the inbox without the 数据报送 page or `dangjian submit`.
INBOX_SUBMITTER = "组织部（收件箱）"
ORG_ROLE = "org"
COLLEGE_ROLE = "college"

SUBMISSIONS_DDL = (
    "submission_id VARCHAR, submitted_at TIMESTAMP, user_name VARCHAR, role VARCHAR, "
    "college_code VARCHAR, original_name VARCHAR, file_hash VARCHAR, stored_name VARCHAR, "
    "kinds VARCHAR, periods VARCHAR, rows_read BIGINT, rows_ok BIGINT, rows_rejected BIGINT, "
    "refused VARCHAR"
)


@dataclass
class Submission:
    submission_id: str
    submitted_at: str  # ISO, local time, seconds
    user_name: str
    role: str  # org / college
    college_code: str | None  # the college it was submitted for; None: the university's own sheets
    original_name: str  # as the user named it: shown, never used as a path
    file_hash: str
    stored_name: str  # the derived name in the inbox (and the archive's index)
    kinds: list[str] = field(default_factory=list)
    periods: list[str] = field(default_factory=list)
    rows_read: int = 0
    rows_ok: int = 0
    rows_rejected: int = 0
    refused: str | None = None


def log_path(archive: Path) -> Path:
    return archive / LOG_NAME


def read_log(archive: Path) -> list[Submission]:
    path = log_path(archive)
    if not path.is_file():
        return []
    entries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            entries.append(Submission(**json.loads(line)))
    return entries


def append(archive: Path, entry: Submission) -> None:
    archive.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    path = log_path(archive)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, PRIVATE_FILE)
    with os.fdopen(fd, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(asdict(entry), ensure_ascii=False) + "\n")
        fh.flush()
        os.fsync(fh.fileno())


def college_scopes(archive: Path) -> dict[str, str]:
    """{stored name in the inbox: college code} of the files a college login submitted."""
    return {
        e.stored_name: e.college_code
        for e in read_log(archive)
        if e.role == COLLEGE_ROLE and e.college_code is not None
    }


def sheet_names(archive: Path) -> dict[str, str]:
    """{stored name in the inbox: the name a CSV or Parquet file's one sheet goes by}: the file name the
    submitter gave it, without its extension, as the preview named it — not the derived stored name."""
    return {
        e.stored_name: Path(e.original_name).stem
        for e in read_log(archive)
        if e.stored_name and e.original_name and Path(e.original_name).stem
    }


def now_text() -> str:
    return dt.datetime.now().replace(microsecond=0).isoformat()


def load_log(con: duckdb.DuckDBPyConnection, archive: Path) -> None:
    """raw.submissions: the log as it is now (rebuilt on every run)."""
    con.execute("delete from raw.submissions")
    rows = [
        (
            e.submission_id,
            dt.datetime.fromisoformat(e.submitted_at),
            e.user_name,
            e.role,
            e.college_code,
            e.original_name,
            e.file_hash,
            e.stored_name,
            ",".join(e.kinds),
            ",".join(e.periods),
            e.rows_read,
            e.rows_ok,
            e.rows_rejected,
            e.refused,
        )
        for e in read_log(archive)
    ]
    if rows:
        con.executemany(f"insert into raw.submissions values ({', '.join('?' * 14)})", rows)
