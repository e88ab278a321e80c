"""Files that used to take an ingest run down, each built small on disk by the test that needs it.

Workbooks are written as raw OOXML (zipfile and sheet XML by hand) so that a test can put a cell
anywhere — XFD1048576 included — declare any <dimension>, and make a zip bomb without writing a
gigabyte: the bomb's deflate stream is one compressed megabyte repeated (a full flush makes every
repetition the same bytes), so a 1 GB sheet costs ~2.5 MB on disk and under a second to build.
"""

import csv
import os
import struct
import sys
import time
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

from tests.support import tiny_university as tu
from tests.support.tiny_university import MEMBER
from tests.support.workbooks import write_workbook

# the structure of tests/ingest/test_ingest.py
ORGS = tu.orgs(college_name="文学院", secretaries=False, elections={})

TRAINING_HEADER = ["工号/学号", "培训名称", "开始日期", "学时"]
MEMBER_KEYS = ("0001", "0002", "0003")
# what the good training file of every hostile inbox loads: (member, course, started, hours)
GOOD_TRAINING = [("0001", "党史学习", "2024-03-01", 4.0), ("0002", "党章学习", "2024-03-02", 2.0)]

Cells = list[tuple[int, object]]  # (0-based column, value) of one row

_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{_PKG}">'
    f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK_RELS = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{_PKG}">'
    f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)
SHEET_PART = "xl/worksheets/sheet1.xml"


def column_letters(index: int) -> str:
    """0 → A, 16383 → XFD."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _cell(row: int, column: int, value: object) -> str:
    ref = f"{column_letters(column)}{row + 1}"
    if isinstance(value, str):
        text = value.replace("&", "&amp;").replace("<", "&lt;")
        return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'
    return f'<c r="{ref}"><v>{value}</v></c>'


def _sheet_xml(rows: Iterable[tuple[int, Cells]], dimension: str | None) -> Iterator[bytes]:
    yield f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="{_NS}">'.encode()
    if dimension:
        yield f'<dimension ref="{dimension}"/>'.encode()
    yield b"<sheetData>"
    for r, cells in rows:
        yield (f'<row r="{r + 1}">' + "".join(_cell(r, c, v) for c, v in cells) + "</row>").encode()
    yield b"</sheetData></worksheet>"


def _workbook_xml(sheet: str) -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="{_NS}" xmlns:r="{_REL}">'
        f'<sheets><sheet name="{sheet}" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )


def _deflated(data: bytes) -> tuple[bytes, int, int]:
    """(raw deflate stream, CRC-32, size) of data."""
    packer = zlib.compressobj(6, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush(), zlib.crc32(data), len(data)


def _write_zip(path: Path, parts: list[tuple[str, bytes, int, int]]) -> Path:
    """A zip of already deflated parts (name, raw deflate stream, CRC-32, uncompressed size): what
    zipfile writes, minus its insistence on compressing the data itself."""
    local, central = bytearray(), bytearray()
    for name, stream, crc, size in parts:
        encoded = name.encode()
        fields = (20, 0, 8, 0, 0x21, crc, len(stream), size, len(encoded), 0)
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, *fields, 0, 0, 0, 0, len(local))
        central += encoded
        local += struct.pack("<IHHHHHIIIHH", 0x04034B50, *fields) + encoded + stream
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(parts), len(parts), len(central), len(local), 0)
    path.write_bytes(bytes(local + central + end))
    return path


def _package(sheet: str) -> list[tuple[str, bytes, int, int]]:
    return [
        (name, *_deflated(text.encode()))
        for name, text in (
            ("[Content_Types].xml", _CONTENT_TYPES),
            ("_rels/.rels", _ROOT_RELS),
            ("xl/workbook.xml", _workbook_xml(sheet)),
            ("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS),
        )
    ]


def raw_xlsx(
    path: Path, rows: Iterable[tuple[int, Cells]], dimension: str | None = None, sheet: str = "培训"
) -> Path:
    """One sheet of the given cells ((0-based row, [(0-based column, value)…]), rows in order)."""
    return _write_zip(
        path, [*_package(sheet), (SHEET_PART, *_deflated(b"".join(_sheet_xml(rows, dimension))))]
    )


def training_rows(courses: Iterable[str] = ("党史专题", "党章专题", "理论学习")) -> list[tuple[int, Cells]]:
    """A training sheet: the header on row 1, then one valid row per course for member 0003."""
    rows = [(0, list(enumerate(TRAINING_HEADER)))]
    for i, course in enumerate(courses, start=1):
        rows.append((i, list(enumerate(["0003", course, f"2024-04-{i % 28 + 1:02d}", 2]))))
    return rows


# --- the hostile files ---------------------------------------------------------------------------


def stray_cell_in_xfd1048576(path: Path) -> Path:
    """Three valid rows and an "x" typed into the sheet's very last cell; the dimension says so, as
    Excel writes it."""
    return raw_xlsx(path, [*training_rows(), (1_048_575, [(16_383, "x")])], dimension="A1:XFD1048576")


def lying_dimension(path: Path) -> Path:
    """The same stray cell under a <dimension> that claims A1:D4: nothing but reading every cell
    shows how far the sheet reaches. calamine sizes its range by the cells and aborts."""
    return raw_xlsx(path, [*training_rows(), (1_048_575, [(16_383, "x")])], dimension="A1:D4")


def note_in_column_xfd(path: Path, rows: int = 200) -> Path:
    """A header and rows - 1 valid rows, each row with a remark in column XFD."""
    cells = [(0, [*enumerate(TRAINING_HEADER), (16_383, "备注")])]
    for i in range(1, rows):
        values = ["0003", f"课程{i}", "2024-05-01", 1]
        cells.append((i, [*enumerate(values), (16_383, f"第{i}行的说明")]))
    return raw_xlsx(path, cells, dimension=f"A1:XFD{rows}")


def zip_bomb(path: Path, megabytes: int = 1000) -> Path:
    """A valid header and row, then `megabytes` MB of rows without cell references
    (<row><c><v>1</v></c></row>: calamine numbers them one by one, tens of millions of rows)."""
    head = b"".join(_sheet_xml(training_rows(["党史专题"]), None))
    head, tail = head[: -len(b"</sheetData></worksheet>")], b"</sheetData></worksheet>"
    filler = b"<row><c><v>1</v></c></row>" * 40_000  # 1.04 MB
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = packer.compress(head) + packer.flush(zlib.Z_FULL_FLUSH)
    repeated = packer.compress(filler) + packer.flush(zlib.Z_FULL_FLUSH)
    stream = first + repeated * megabytes + packer.compress(tail) + packer.flush()
    crc = zlib.crc32(head)
    for _ in range(megabytes):
        crc = zlib.crc32(filler, crc)
    crc = zlib.crc32(tail, crc)
    size = len(head) + len(filler) * megabytes + len(tail)
    return _write_zip(path, [*_package("培训"), (SHEET_PART, stream, crc, size)])


def training_csv(path: Path, rows: Iterable[Iterable[object]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(TRAINING_HEADER)
        writer.writerows(rows)
    return path


def copies_of_one_row(path: Path, copies: int) -> Path:
    """A sheet pasted `copies` times: the same training row over and over."""
    return training_csv(path, [("0001", "党史", "2024-03-01", 2)] * copies)


def one_long_line(path: Path, megabytes: int = 50, commas: bool = True) -> Path:
    """A CSV that is a single line of `megabytes` MB: commas (fifty million empty fields) or text."""
    path.write_bytes((b"," if commas else b"a") * (megabytes << 20))
    return path


def office_lock_file(path: Path) -> Path:
    """What Excel/WPS leave beside an open workbook: the owner's name, padded, 165 bytes."""
    owner = "张三".encode("utf-16-le")
    path.write_bytes(bytes([len("张三")]) + owner + b"\x20" * (165 - 1 - len(owner)))
    return path


# --- the rest of a hostile inbox --------------------------------------------------------------------


def good_files(inbox: Path) -> None:
    """组织架构, three members, and a training CSV of GOOD_TRAINING: what must load beside any hostile file."""
    inbox.mkdir(parents=True, exist_ok=True)
    write_workbook(inbox / "组织架构.xlsx", {"组织架构": ("orgs", ORGS)})
    write_workbook(
        inbox / "花名册.xlsx", {"花名册": ("members", [{**MEMBER, "member_key": k} for k in MEMBER_KEYS])}
    )
    training_csv(inbox / "培训.csv", GOOD_TRAINING)


# --- running and measuring ---------------------------------------------------------------------------


def run_measured(args: list[str], env: dict[str, str] | None = None, timeout: float = 600):
    """Run args in a child process: (exit code, stdout + stderr, peak resident set in bytes of the
    largest process of the run — the child or any process it waited for — and wall seconds)."""
    import subprocess
    import tempfile

    started = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, env=env)
        deadline = started + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.05)
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        output = out.read().decode("utf-8", "replace")
    return proc.returncode, output, usage.ru_maxrss * 1024, time.perf_counter() - started


def sync_in_child(
    root: Path, now: str = "2026-11-23T12:00:00", env: dict[str, str] | None = None, timeout: float = 180
):
    """store.sync_inbox over root/inbox into root/warehouse.duckdb in a child process (its memory
    measured alone): run_measured's figures, plus the IngestSummary as a dict (None if it failed)."""
    import json

    code, output, peak, seconds = run_measured(
        [sys.executable, "-m", "tests.support.hostile_sync", str(root), now],
        env={**os.environ, **(env or {})},
        timeout=timeout,
    )
    lines = [line for line in output.splitlines() if line.startswith("{")]
    summary = json.loads(lines[-1]) if code == 0 and lines else None
    return code, output, peak, seconds, summary
