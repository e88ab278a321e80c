"""The 报送 steps of `python -m bench` (issue 16's latency targets), each run by bench._children:

check  INBOX REPEAT   the preview of one college's yearly workbook (the latest year's file of college 01
                      that `change` edits), as the 数据报送 page computes it: `preview_files`, from the
                      file's bytes to its list of rejects, against the published snapshot; REPEAT times
                      in one process (the page's process is long-lived: imports are not counted).
submit INBOX ROUND    确认提交 of that workbook by a login of college 01, through `submit_files` with the
                      preview the user saw: archived, logged, put in the inbox. Even rounds submit it
                      with its largest sheet one row short, odd rounds as written; each replaces the
                      one before it in the inbox (a correction), so every round is a real change.
                      The run that follows is the `pipeline` step (the run driver the sensor launches).
unsubmit INBOX        puts the shared inbox back as it was generated.
"""

import hashlib
import shutil
import time
from pathlib import Path

COLLEGE = "01"


def _workbook(inbox: Path) -> Path:
    from bench._children import _changed_file

    return _changed_file(inbox)


def check(inbox: Path, serving: Path, repeat: int) -> dict:
    from dagster_project.submit.preview import preview_files

    path = _workbook(inbox)
    runs, previews = [], []
    for _ in range(repeat):
        started = time.perf_counter()
        previews = preview_files([(path, path.name)], COLLEGE, serving)
        runs.append(round(time.perf_counter() - started, 2))
    (preview,) = previews
    return {
        "check_runs_s": runs,
        "check_file": path.name,
        "check_rows_read": preview.rows_read,
        "check_rejects": len(preview.rejects),
        "check_refused": preview.refused,
    }


def _copies(inbox: Path) -> tuple[Path, Path, Path]:
    """(the workbook as generated, a copy one row short, where both are kept outside the inbox)."""
    from bench._children import _drop_last_row

    keep = inbox.parent / "submitted"
    kept = sorted((keep / "original").glob("*"))
    # once submitted, the generated file may have left the inbox (replaced by the correction)
    path = inbox / kept[0].name if kept else _workbook(inbox)
    original, short = keep / "original" / path.name, keep / "short" / path.name
    if not original.exists():
        original.parent.mkdir(parents=True, exist_ok=True)
        short.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, original)
        shutil.copy2(path, short)
        _drop_last_row(short)
    return path, original, short


def submit(inbox: Path, round_: int) -> dict:
    from dagster_project.home import Home
    from dagster_project.ingest.submissions import COLLEGE_ROLE, ORG_ROLE, Submission, append, read_log
    from dagster_project.submit.preview import preview_files
    from dagster_project.submit.submitting import Submitter, submit_files

    home = Home.from_env().ensure()
    path, original, short = _copies(inbox)
    chosen = short if round_ % 2 == 0 else original
    # the preview the user saw before 确认提交 (timed by `check`, not here)
    previews = preview_files([(chosen, path.name)], COLLEGE, home.serving)
    if not read_log(home.archive):
        # the generated file stands for the college's first submission, so that the correction
        # replaces it in the inbox instead of doubling every row
        (first,) = previews
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        append(
            home.archive,
            Submission(
                "bench-first", "2026-01-04T09:30:00", "bench", ORG_ROLE, COLLEGE, path.name, digest,
                path.relative_to(inbox).as_posix(), first.kind_ids, first.periods,
            ),
        )  # fmt: skip
    started = time.perf_counter()
    (done,) = submit_files(home, [(chosen, path.name)], Submitter("bench", COLLEGE_ROLE, COLLEGE), previews)
    seconds = time.perf_counter() - started
    if done.submission is None:
        raise SystemExit(f"bench: the submission was refused: {done.preview.refused}")
    return {
        "submit_s": round(seconds, 2),
        "stored_name": done.submission.stored_name,
        "rows_ok": done.preview.rows_ok,
        "rows_rejected": done.preview.rows_rejected,
    }


def unsubmit(inbox: Path) -> dict:
    path, original, _ = _copies(inbox)
    shutil.rmtree(inbox / "报送", ignore_errors=True)
    shutil.copy2(original, path)
    shutil.rmtree(inbox.parent / "submitted", ignore_errors=True)
    return {"restored": path.name}
