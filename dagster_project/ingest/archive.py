"""The archive: every file ever ingested, by content hash, and an append-only history of the inbox.

`archive/<sha256><ext>` holds the bytes; `archive/index.jsonl` holds one JSON object per event —
`{"event": "added" | "changed" | "removed", "source_file", "sha256", "ext", "size", "loaded_at"}` —
in the order they happened (for "removed": the version that left, and when). Replaying the index
gives the inbox as last ingested, with each file's first load time, which is all the warehouse
depends on: `dangjian rebuild` restores that inbox from the archive and rebuilds identical marts.

`archive/crashes.jsonl` remembers each content that took a parse worker down (a native abort, the
memory or the time limit): `{"sha256", "parser_version", "reason", "at"}`. That content is not
parsed again by the same parser version — not by the next run, nor after the warehouse is rebuilt —
and stays one reject with the remembered reason. Deleting a line lets it be tried once more.
"""

import datetime as dt
import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from dagster_project.home import PRIVATE_DIR, PRIVATE_FILE

INDEX_NAME = "index.jsonl"
CRASHES_NAME = "crashes.jsonl"


@dataclass(frozen=True)
class ArchivedFile:
    source_file: str
    sha256: str
    ext: str
    size: int | None  # None only for a file gone from the inbox and the archive before the index existed
    loaded_at: dt.datetime

    def archived_name(self) -> str:
        return f"{self.sha256}{self.ext}"


def file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def archive_copy(path: Path, digest: str, archive: Path) -> Path:
    """Copy `path` to archive/<digest><ext> unless it is there already.

    Written under a temporary name and renamed: a copy cut short by a crash must never sit under
    the name that claims the full content (the next run would trust it and skip the copy).
    """
    archive.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    target = archive / f"{digest}{path.suffix.lower()}"
    if not target.exists():
        partial = target.with_name(target.name + ".partial")
        shutil.copy2(path, partial)
        os.chmod(partial, PRIVATE_FILE)  # copy2 copies the inbox file's mode; these hold ID numbers
        os.replace(partial, target)
    return target


def _append_line(path: Path, record: dict) -> None:
    """Append one JSON line, durably; a line cut short by a crash before it stays its own line."""
    line = json.dumps(record, ensure_ascii=False).encode("utf-8") + b"\n"
    path.parent.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    with path.open("a+b") as fh:
        os.fchmod(fh.fileno(), PRIVATE_FILE)
        if fh.seek(0, os.SEEK_END):
            fh.seek(-1, os.SEEK_END)
            if fh.read(1) != b"\n":
                line = b"\n" + line
        fh.write(line)
        fh.flush()
        os.fsync(fh.fileno())


def _read_lines(path: Path) -> list[dict]:
    if not path.exists():
        return []
    records = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            records.append(json.loads(line))
        except ValueError:  # a line cut short by a crash
            continue
    return records


class CrashLog:
    """archive/crashes.jsonl: contents that took a parse worker down, with the reason given."""

    def __init__(self, archive: Path):
        self.path = archive / CRASHES_NAME

    def known(self, parser_version: str) -> dict[str, str]:
        """sha256 → reason, for this parser version."""
        records = _read_lines(self.path)
        return {r["sha256"]: r["reason"] for r in records if r.get("parser_version") == parser_version}

    def record(self, sha256: str, parser_version: str, reason: str, at: dt.datetime) -> None:
        _append_line(
            self.path,
            {"sha256": sha256, "parser_version": parser_version, "reason": reason, "at": at.isoformat()},
        )


class ArchiveIndex:
    """archive/index.jsonl, read whole (it grows by one line per file change) and appended to."""

    def __init__(self, archive: Path):
        self.archive = archive
        self.path = archive / INDEX_NAME

    def events(self) -> list[dict]:
        # a line cut short by a crash is skipped: the next ingest re-records that file
        return _read_lines(self.path)

    def state(self) -> dict[str, ArchivedFile]:
        """The inbox as last ingested: source file → the version of it that is loaded."""
        files: dict[str, ArchivedFile] = {}
        for event in self.events():
            if event["event"] == "removed":
                files.pop(event["source_file"], None)
            else:
                files[event["source_file"]] = ArchivedFile(
                    event["source_file"],
                    event["sha256"],
                    event["ext"],
                    event["size"],
                    dt.datetime.fromisoformat(event["loaded_at"]),
                )
        return files

    def append(self, event: str, file: ArchivedFile) -> None:
        record = {
            "event": event,
            "source_file": file.source_file,
            "sha256": file.sha256,
            "ext": file.ext,
            "size": file.size,
            "loaded_at": file.loaded_at.isoformat(),
        }
        _append_line(self.path, record)


@dataclass
class RestorePlan:
    """What `restore_inbox` would do, or why it must not (conflicts: files it would overwrite)."""

    restore: list[ArchivedFile]
    present: list[str]
    missing: list[str]  # in the index, but not (intact) in the archive
    not_ingested: list[str]  # in the inbox, not as the index records them: newer than the warehouse


def plan_restore(archive: Path, inbox_files: dict[str, Path]) -> RestorePlan:
    """Compare the inbox (`inbox_files`: name → path) with the last ingested state of the index."""
    plan = RestorePlan([], [], [], [])
    state = ArchiveIndex(archive).state()
    for name, file in sorted(state.items()):
        stored = archive / file.archived_name()
        if not stored.is_file() or file_hash(stored) != file.sha256:
            plan.missing.append(name)
        elif name not in inbox_files:
            plan.restore.append(file)
        elif file_hash(inbox_files[name]) == file.sha256:
            plan.present.append(name)
        else:
            plan.not_ingested.append(name)
    plan.not_ingested += sorted(set(inbox_files) - set(state))
    return plan


def restore_inbox(archive: Path, inbox: Path, plan: RestorePlan) -> None:
    """Put each file of the plan back under its original name, with its archived bytes."""
    for file in plan.restore:
        target = inbox / file.source_file
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name("." + target.name + ".restoring")  # hidden: ingest skips it
        shutil.copy2(archive / file.archived_name(), partial)
        os.replace(partial, target)
