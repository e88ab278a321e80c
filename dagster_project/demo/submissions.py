"""The demo's submissions log: the latest year's college books as if each college had submitted them
through the 数据报送 page early in the next year, so the 报送进度 board has a history to show.

Every college submits its book on 4 January (on time for December's monthly sheets, due the 5th, and
for the fourth quarter's, due the 10th) except LATE_COLLEGE, which submits on 7 January (逾期补报:
2 days for December; the fourth quarter on time). The 组织部's own book stays a file dropped into the
inbox (submitted by 组织部（收件箱） when it is first loaded).

SHORT_COLLEGE's book leaves out two periods (`withhold`): its December training is dated in November
and its fourth quarter's funding in September, so that on the demo's day DEMO_AS_OF (8 January) its
December 学习培训台账 is 未报 (due the 5th) and its fourth-quarter 经费台账 未到期 (due the 10th; 未报
once a run's day is past it). Both stay in their year, and the training in its quarter, so the year's
and the fourth quarter's sums are those of the book as written; only the college's third-quarter
funding grows.

Every earlier period is due before the first submission and so is 不适用: the planted dates move no
C2 score (the C2 indicator counts only what was due by a period's end, and the first file arrives
after the year's end).
"""

import datetime as dt
import hashlib
from pathlib import Path

from dagster_project.demo.model import Book
from dagster_project.ingest.submissions import ORG_ROLE, Submission, append, log_path

LATE_COLLEGE = "02"
SHORT_COLLEGE = "12"
ON_TIME_DAY = (1, 4)
LATE_DAY = (1, 7)
# the demo's "today" for the submission calendar (DANGJIAN_AS_OF): after the late college's file, after
# December's due day, before the fourth quarter's
DEMO_AS_OF = (1, 8)


def demo_as_of(year: int) -> dt.date:
    """The day the demo of `year` (its latest year) is told as of: 8 January of the next year."""
    return dt.date(year + 1, *DEMO_AS_OF)


def withhold(book: Book, year: int) -> None:
    """SHORT_COLLEGE's book of its latest year without December training and fourth-quarter funding:
    those rows dated a month (training) or into September (funding) earlier, nothing dropped."""
    for sheet in book.sheets:
        if sheet.kind == "training":
            _move_out(
                sheet.rows,
                "started_on",
                12,
                lambda d: d.replace(month=11, day=min(d.day, 30)),
                ("member_key", "course"),
            )
        elif sheet.kind == "funding":
            _move_out(
                sheet.rows,
                "booked_on",
                10,
                lambda d: dt.date(year, 9, min(d.day, 30)),
                ("org_code", "funding_type", "category", "amount", "purpose"),
            )


def _move_out(rows: list, column: str, first_month: int, earlier, key: tuple[str, ...]) -> None:
    """Date each plain row of `first_month` or later earlier; a day taken by a row of the same key
    (the contract's key includes the date) steps back a day more, so that no row becomes a duplicate."""
    taken = {(*(r[k] for k in key), r[column]) for r in rows if isinstance(r, dict)}
    for r in rows:
        if not isinstance(r, dict) or not isinstance(r[column], dt.date) or r[column].month < first_month:
            continue
        day = earlier(r[column])
        while (*(r[k] for k in key), day) in taken:
            day -= dt.timedelta(days=1)
        taken.discard((*(r[k] for k in key), r[column]))
        taken.add((*(r[k] for k in key), day))
        shift = day - r[column]
        r[column] = day
        if r.get("ended_on") is not None:
            r["ended_on"] += shift


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
