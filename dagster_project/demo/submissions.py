"""The demo's submissions log: the latest year's college books as if each college had submitted them
through the 数据报送 page early in the next year, so the 报送进度 board has a history to show.

Every college submits its book on 4 January (on time for December's monthly sheets, due the 5th, and
for the fourth quarter's, due the 10th) except LATE_COLLEGE, which submits on 12 January (逾期补报:
7 days for December, 2 for the fourth quarter). The 组织部's own book stays a file dropped into the
inbox (submitted by 组织部（收件箱） when it is first loaded).

No period is 未报 or 未到期: every college's book carries rows of every month, and the demo has no
组织架构 of the current year; removing rows to plant one would move the scores.

Every earlier period is due before the first submission and so is 不适用: the planted dates move no
score (the C2 indicator leaves out a period where nothing was due).
"""

import datetime as dt
import hashlib
from pathlib import Path

from dagster_project.ingest.submissions import ORG_ROLE, Submission, append, log_path

LATE_COLLEGE = "02"
ON_TIME_DAY = (1, 4)
LATE_DAY = (1, 12)


def plant_submissions(inbox: Path, archive: Path, files: list[Path], year: int) -> list[Submission]:
    """Log the college books of `year` found among `files` (named <year>_<college code>_…)."""
    if log_path(archive).exists():  # a demo written into a home that already has a history
        return []
    planted = []
    for path in sorted(files):
        parts = path.relative_to(inbox).as_posix().split("_")
        if len(parts) < 3 or parts[0] != str(year) or not parts[1].isdigit():
            continue
        college = parts[1]
        month, day = LATE_DAY if college == LATE_COLLEGE else ON_TIME_DAY
        at = dt.datetime(year + 1, month, day, 9, 30)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        entry = Submission(
            submission_id=f"demo-{college}-{digest[:8]}",
            submitted_at=at.isoformat(),
            user_name=f"demo{college}",
            role=ORG_ROLE,  # submitted for the college; the book's rows are all the college's own
            college_code=college,
            original_name=path.name,
            file_hash=digest,
            stored_name=path.relative_to(inbox).as_posix(),
        )
        append(archive, entry)
        planted.append(entry)
    return planted
