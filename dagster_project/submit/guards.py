"""What an uploaded (or checked) file must be before it is parsed at all: a size under the limit, one of
the types the reader supports (by its name and its first bytes), a workbook that does not expand past
the limits of ingest/guard.py. Each refusal is one Chinese sentence naming the file.

The user's file name is only ever shown: `display_name` keeps its last component, without control
characters, and the stored name is derived elsewhere (log.py).
"""

import contextlib
import os
import re
import shutil
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterator
from pathlib import Path, PureWindowsPath

from dagster_project.ingest.guard import Rejected, check_csv_lines, check_zip

# .xlsm is readable but carries macros: a college has no reason to send one, so it is refused
UPLOAD_SUFFIXES = (".xlsx", ".xls", ".csv", ".parquet")
MAX_UPLOAD_MB = 20.0  # $DANGJIAN_UPLOAD_MAX_MB to change it
# All parts of a workbook unpacked together (guard.py limits each part and its ratio)
MAX_UNPACKED_BYTES = 1 << 30
UPLOAD_PARSE_SECONDS = 120.0  # $DANGJIAN_UPLOAD_PARSE_SECONDS to change it
_MAGIC = {
    ".xlsx": (b"PK\x03\x04",),
    ".xls": (bytes.fromhex("D0CF11E0A1B11AE1"),),
    ".parquet": (b"PAR1",),
}
_NAME_MAX = 120


def max_upload_bytes() -> int:
    configured = os.environ.get("DANGJIAN_UPLOAD_MAX_MB")
    return int(float(configured) * (1 << 20)) if configured else int(MAX_UPLOAD_MB * (1 << 20))


def upload_parse_seconds() -> float:
    configured = os.environ.get("DANGJIAN_UPLOAD_PARSE_SECONDS")
    return float(configured) if configured else UPLOAD_PARSE_SECONDS


def display_name(name: str) -> str:
    """The last component of a user's file name (either slash), without control characters."""
    last = PureWindowsPath(name.replace("/", "\\")).name
    cleaned = "".join(ch for ch in last if unicodedata.category(ch)[0] != "C").strip().lstrip(".")
    return (cleaned or "未命名文件")[-_NAME_MAX:]


def suffix_of(name: str) -> str:
    return Path(display_name(name)).suffix.lower()


def _mib(size: int) -> str:
    return f"{size / (1 << 20):,.1f} MiB"


def upload_refusal(path: Path, name: str) -> str | None:
    """Why the file `path` (named `name` by the user) is refused before parsing; None when it may be
    parsed."""
    shown = display_name(name)
    suffix = suffix_of(name)
    if suffix == ".xlsm":
        return f"「{shown}」是启用宏的工作簿（.xlsm），不予接收：请在 Excel 中另存为 .xlsx 后提交"
    if suffix not in UPLOAD_SUFFIXES:
        return f"「{shown}」的文件类型不受支持：请提交 .xlsx、.xls、.csv 或 .parquet 文件"
    size = path.stat().st_size
    if size == 0:
        return f"「{shown}」是空文件（0 字节）"
    limit = max_upload_bytes()
    if size > limit:
        return (
            f"「{shown}」大小为 {_mib(size)}，超过上限 {_mib(limit)}："
            "请删去不需要的工作表、图片，或按年度拆成几个文件后提交"
        )
    if suffix in _MAGIC:
        with path.open("rb") as fh:
            head = fh.read(8)
        if not head.startswith(_MAGIC[suffix]):
            return (
                f"「{shown}」的内容与扩展名 {suffix} 不符（不是真正的 {suffix} 文件），"
                "请用 Excel 重新保存后提交"
            )
    try:
        if suffix == ".xlsx":
            check_zip(path)
            _check_unpacked(path)
        elif suffix == ".csv":
            check_csv_lines(path)
    except Rejected as exc:
        return f"「{shown}」：{exc}"
    return None


def _check_unpacked(path: Path) -> None:
    with zipfile.ZipFile(path) as archive:
        total = sum(part.file_size for part in archive.infolist())
        names = [part.filename for part in archive.infolist()]
    if total > MAX_UNPACKED_BYTES:
        raise Rejected(
            f"工作簿解压后共 {_mib(total)}，超过上限 {_mib(MAX_UNPACKED_BYTES)}："
            "可能是损坏或恶意构造的文件，请用 Excel 重新保存后提交"
        )
    if any(re.search(r"vbaProject|macrosheets", n, re.IGNORECASE) for n in names):
        raise Rejected("工作簿中含有宏，不予接收：请在 Excel 中另存为不含宏的 .xlsx 后提交")


@contextlib.contextmanager
def with_their_suffix(files: list[tuple[Path, str]]) -> Iterator[list[tuple[Path, str]]]:
    """The files, each at a path ending as its user's name does (an upload arrives as a temporary file
    of any name; the reader and the archive go by the suffix). Copies live until the block ends."""
    with tempfile.TemporaryDirectory(prefix="dangjian-upload-") as scratch:
        named = []
        for i, (path, name) in enumerate(files):
            suffix = suffix_of(name)
            if path.suffix.lower() != suffix and path.is_file():
                copy = Path(scratch) / f"{i}{suffix}"
                shutil.copyfile(path, copy)
                path = copy
            named.append((path, name))
        yield named
