"""确认提交: a previewed file is archived by content hash, recorded in the submissions log and put in the
inbox under a derived name; the next run (the inbox sensor, or `dangjian run`) loads it.

Order matters: the log line is written before the file appears in the inbox, so a run that sees the
file already knows its submitter (and a college login's scope). The file enters the inbox by a rename
from beside the archive, so a run never reads half of it.

A correction replaces what it corrects: an earlier submission of the same college, kinds and periods
leaves the inbox when the new one enters it (it stays in the archive and in the log), so a corrected
file does not collide with its own first version as a duplicate of every row.
"""

import datetime as dt
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

from dagster_project.access.users import COLLEGE_CODE
from dagster_project.home import Home
from dagster_project.ingest.inbox import copy_to_archive
from dagster_project.ingest.submissions import (
    COLLEGE_ROLE,
    Submission,
    append,
    now_text,
    read_log,
)
from dagster_project.submit.guards import with_their_suffix
from dagster_project.submit.preview import FilePreview, preview_files

SUBMITTED_FOLDER = "报送"
ORG_FOLDER = "组织部"


@dataclass(frozen=True)
class Submitter:
    user: str
    role: str  # org / college
    college: str | None  # a college login's college; for the 组织部, the college it submits for (or None)

    def __post_init__(self) -> None:
        # the college names a folder of the inbox: never a path
        if self.college is not None and not COLLEGE_CODE.fullmatch(self.college):
            raise ValueError(f"学院编码「{self.college}」不合规：只能包含字母、数字、下划线和连字符")

    @property
    def scope(self) -> str | None:
        """The college whose rows alone the file may carry (None: any)."""
        return self.college if self.role == COLLEGE_ROLE else None


@dataclass
class Submitted:
    preview: FilePreview
    submission: Submission | None  # None: refused, nothing stored


def stored_name(submitter: Submitter, preview: FilePreview, digest: str, at: dt.datetime, suffix: str) -> str:
    """报送/<college or 组织部>/<kinds>-<time>-<hash>.<ext>: nothing of the user's name."""
    folder = submitter.college or ORG_FOLDER
    kinds = "+".join(preview.kind_ids) or "file"
    return f"{SUBMITTED_FOLDER}/{folder}/{kinds}-{at:%Y%m%d-%H%M%S}-{digest[:12]}{suffix}"


def _superseded(home: Home, entry: Submission) -> list[str]:
    """Stored names of earlier accepted submissions with the same college, kinds and periods."""
    return [
        e.stored_name
        for e in read_log(home.archive)
        if e.refused is None
        and e.stored_name != entry.stored_name
        and (e.college_code, e.kinds, e.periods) == (entry.college_code, entry.kinds, entry.periods)
    ]


def submit_files(
    home: Home, files: list[tuple[Path, str]], submitter: Submitter, previews: list[FilePreview] | None = None
) -> list[Submitted]:
    """Archive, log and put in the inbox every file the preview does not refuse. `previews`: the
    preview the user saw (the page's), else computed here."""
    previews = previews or preview_files(files, submitter.scope, home.serving)
    with with_their_suffix(files) as named:
        return _submit(home, named, submitter, previews)


def _submit(
    home: Home, files: list[tuple[Path, str]], submitter: Submitter, previews: list[FilePreview]
) -> list[Submitted]:
    done = []
    for (path, _), preview in zip(files, previews, strict=True):
        at = dt.datetime.now().replace(microsecond=0)
        if preview.refused:
            entry = Submission(
                uuid.uuid4().hex[:12], now_text(), submitter.user, submitter.role, submitter.college,
                preview.file, "", "", refused=preview.refused,
            )  # fmt: skip
            append(home.archive, entry)
            done.append(Submitted(preview, None))
            continue
        archived, digest = copy_to_archive(path, home.archive) or (None, "")
        if archived is None:
            raise OSError(f"「{preview.file}」在复制过程中被修改，未提交，请重试")
        name = stored_name(submitter, preview, digest, at, archived.suffix)
        entry = Submission(
            uuid.uuid4().hex[:12],
            at.isoformat(),
            submitter.user,
            submitter.role,
            submitter.college,
            preview.file,
            digest,
            name,
            preview.kind_ids,
            preview.periods,
            preview.rows_read,
            preview.rows_ok,
            preview.rows_rejected,
        )
        append(home.archive, entry)
        target = home.inbox / name
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = home.archive / f".submit-{uuid.uuid4().hex}.partial"
        staging.write_bytes(archived.read_bytes())
        os.replace(staging, target)
        for old in _superseded(home, entry):
            (home.inbox / old).unlink(missing_ok=True)
        done.append(Submitted(preview, entry))
    return done
