"""What is in the inbox, and a copy of each changed file taken once.

Only regular files are read. A symbolic link is never followed — not to a file, not to a folder,
inside the inbox or out of it — and hidden files, Office lock files (`~$…`), hidden folders and
anything that is not a regular file (a pipe would block the run) are not read either; each is
reported in the load summary with the reason, instead of being passed over in silence.

A changed file is copied once into the archive, and hashed as it is copied; that copy is what is
archived, recorded and parsed, so the archive and the warehouse always hold the same bytes. A file
that changes while it is copied (a college still saving it) is not read this run: the copy is
retried a few times, then the file is reported and left for the next run. A file modified in the
last RECENT_SECONDS is looked at once more SETTLE_SECONDS after its copy, so that a writer between
two writes is caught too.
"""

import hashlib
import os
import stat
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from dagster_project.home import PRIVATE_DIR, PRIVATE_FILE

LINK = "这是一个符号链接（快捷方式），为安全起见不读取它指向的内容：请把文件本身放入收件箱"
HIDDEN = "隐藏文件（文件名以“.”开头），未读取：如需提交，请去掉文件名开头的“.”"
HIDDEN_FOLDER = "隐藏文件夹（名称以“.”开头），其中的文件未读取：如需提交，请把文件移出该文件夹"
LOCK = (
    "临时文件（文件名以“~$”开头，是 Excel/WPS 打开表格时生成的锁定文件），未读取："
    "关闭表格后它会自动消失；如这是要提交的文件，请去掉文件名开头的“~$”"
)
SPECIAL = "不是普通文件（如管道或设备文件），未读取"
BEING_WRITTEN = "文件在读取过程中被修改（可能仍在保存或复制中），本次未读取，下次运行时再读取"

COPY_TRIES = 3
COPY_PAUSE_SECONDS = 0.5
RECENT_SECONDS = 2.0
SETTLE_SECONDS = 0.1
_BLOCK = 1 << 20


@dataclass
class InboxScan:
    files: dict[str, Path] = field(default_factory=dict)  # name relative to the inbox → regular file
    skipped: dict[str, str] = field(default_factory=dict)  # name → why it is not read


def scan_inbox(inbox: Path) -> InboxScan:
    """The inbox's entries by name relative to it, sorted; nothing below a link or a hidden folder."""
    scan = InboxScan()
    if not inbox.is_dir():
        return scan
    for folder, folders, names in os.walk(inbox, followlinks=False):
        base = Path(folder)
        kept = []
        for name in sorted(folders):
            relative = (base / name).relative_to(inbox).as_posix()
            if (base / name).is_symlink():
                scan.skipped[relative] = LINK
            elif name.startswith("."):
                scan.skipped[relative] = HIDDEN_FOLDER
            else:
                kept.append(name)
        folders[:] = kept
        for name in names:
            path = base / name
            relative = path.relative_to(inbox).as_posix()
            try:
                mode = path.lstat().st_mode
            except FileNotFoundError:  # removed while we looked
                continue
            if stat.S_ISLNK(mode):
                scan.skipped[relative] = LINK
            elif name.startswith("~$"):
                scan.skipped[relative] = LOCK
            elif name.startswith("."):
                scan.skipped[relative] = HIDDEN
            elif not stat.S_ISREG(mode):
                scan.skipped[relative] = SPECIAL
            else:
                scan.files[relative] = path
    scan.files = dict(sorted(scan.files.items()))
    scan.skipped = dict(sorted(scan.skipped.items()))
    return scan


def _open(path: Path) -> int:
    """A read-only descriptor of a regular file, refusing a link put in its place since the scan."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0))
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise OSError(f"not a regular file: {path}")
    return fd


def hash_in_place(path: Path) -> str | None:
    """The content hash of an inbox file as it is now; None when it is gone or no longer a file."""
    try:
        fd = _open(path)
    except OSError:
        return None
    digest = hashlib.sha256()
    with os.fdopen(fd, "rb") as fh:
        for block in iter(lambda: fh.read(_BLOCK), b""):
            digest.update(block)
    return digest.hexdigest()


def _signature(info: os.stat_result) -> tuple[int, int, int, int]:
    return info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns


def _copy_once(path: Path, staging: Path) -> str | None:
    """Copy and hash in one pass; the hash when the file did not change while it was read."""
    try:
        fd = _open(path)
    except OSError:
        return None
    digest, copied = hashlib.sha256(), 0
    with os.fdopen(fd, "rb") as source, staging.open("wb") as target:
        before = os.fstat(source.fileno())
        for block in iter(lambda: source.read(_BLOCK), b""):
            digest.update(block)
            target.write(block)
            copied += len(block)
        after = os.fstat(source.fileno())
    if time.time() - after.st_mtime < RECENT_SECONDS:
        time.sleep(SETTLE_SECONDS)
    try:
        now = os.stat(path, follow_symlinks=False)
    except OSError:
        return None
    same = _signature(before) == _signature(after) == _signature(now)
    return digest.hexdigest() if same and copied == before.st_size else None


def copy_to_archive(path: Path, archive: Path) -> tuple[Path, str] | None:
    """Copy an inbox file into archive/<sha256><ext> (if that content is not there yet) and return
    (the archived file, its hash); None when the file kept changing while it was copied."""
    archive.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    staging = archive / f".incoming-{uuid.uuid4().hex}.partial"
    try:
        for attempt in range(COPY_TRIES):
            if attempt:
                time.sleep(COPY_PAUSE_SECONDS)
            digest = _copy_once(path, staging)
            if digest is None:
                continue
            target = archive / f"{digest}{path.suffix.lower()}"
            if not target.exists():  # the same bytes archived before stay as they are
                os.chmod(staging, PRIVATE_FILE)  # archived files hold ID-card numbers, whatever the umask
                os.replace(staging, target)
            return target, digest
        return None
    finally:
        staging.unlink(missing_ok=True)
