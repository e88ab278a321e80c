"""An .xlsx sheet's XML, read before calamine reads it, so that calamine only ever sees the table.

calamine sizes a sheet by its farthest cell and allocates every cell of that rectangle: one "x" in
XFD1048576 asks for 512 GiB and aborts the process. So each sheet whose declared <dimension> is
larger than the limits allow (or missing) is streamed once, in blocks: its first rows give the
header (shared strings resolved only as far as those rows need), and the rest is searched for cells
right of the header's width. If there are any, the workbook is copied with those cells left out
(a second streaming pass), and calamine reads the copy. A sheet with no header keeps the width of
its first rows (capped at TRUSTED_COLUMNS); the reader reads nothing of it anyway.

A sheet whose <dimension> is small is taken at its word: Excel and WPS write it exactly. A file that
lies about it is contained by the parse worker's limits (worker.py).

Everything here works on bytes with compiled regular expressions (no per-cell Python on the whole
sheet), and memory stays at a few blocks whatever the sheet's size.
"""

import contextlib
import html
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from dagster_project.ingest.guard import EXCEL_COLUMNS, MAX_SHEET_CELLS, Rejected, check_area
from dagster_project.ingest.header import HEADER_SCAN_ROWS, find_header

BLOCK = 1 << 20
# A sheet declared at most this wide (and within MAX_SHEET_CELLS) is read as it is: reading a few
# hundred columns costs little. A wider one is checked cell by cell.
TRUSTED_COLUMNS = 256
MAX_HEAD_BYTES = 64 << 20  # the XML of a sheet's first HEADER_SCAN_ROWS rows
MAX_META_BYTES = 16 << 20  # workbook.xml and its relationships

_TAG = rb"<(?:\w+:)?"
_CELL = re.compile(_TAG + rb"c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_CELL_REF = re.compile(_TAG + rb'c\b[^>]*?\br="([A-Z]{1,3})([0-9]{1,7})"')
_ROW = re.compile(_TAG + rb"row\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?row>)", re.S)
_ROW_END = re.compile(rb"</(?:\w+:)?row>|" + _TAG + rb"row\b[^>]*/>")
_R = re.compile(rb'\br="([A-Z]*)([0-9]+)"')
_T = re.compile(rb'\bt="(\w+)"')
_V = re.compile(_TAG + rb"v>(.*?)</", re.S)
_TEXT = re.compile(_TAG + rb"t\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?t>)", re.S)
_PHONETIC = re.compile(_TAG + rb"rPh\b.*?</(?:\w+:)?rPh>", re.S)
_SI_END = re.compile(rb"</(?:\w+:)?si>")
_SI_EMPTY = re.compile(_TAG + rb"si\b[^>]*/>")
_SI = re.compile(_TAG + rb"si\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?si>)", re.S)
_DIMENSION = re.compile(_TAG + rb'dimension\b[^>]*?\bref="([A-Z0-9:$]+)"')
_SHEET_DATA = re.compile(_TAG + rb"sheetData\b[^>]*?(/?)>")
_SHEET_DATA_END = re.compile(rb"</(?:\w+:)?sheetData>")
_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")


def column_index(letters: str) -> int:
    """A → 0, XFD → 16383."""
    index = 0
    for ch in letters:
        index = index * 26 + ord(ch) - 64
    return index - 1


def column_letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _columns_from(index: int) -> bytes:
    """A pattern for the letters of every column at or right of `index` (0-based)."""
    first = column_letters(index)
    n = len(first)
    choices = [f"[A-Z]{{{n + 1},3}}"] if n < 3 else []
    for i, ch in enumerate(first):
        if i == n - 1:
            choices.append(f"{first[:i]}[{ch}-Z]")
        elif ch < "Z":
            choices.append(f"{first[:i]}[{chr(ord(ch) + 1)}-Z][A-Z]{{{n - i - 1}}}")
    return ("(?:" + "|".join(choices) + ")").encode()


def _far_cells(width: int) -> re.Pattern[bytes]:
    """Whole cell elements at or right of column `width`."""
    return re.compile(
        _TAG + rb'c\b[^>]*?\br="' + _columns_from(width) + rb'[0-9]+"[^>]*?(?:/>|>.*?</(?:\w+:)?c>)', re.S
    )


def _text(xml: bytes) -> str:
    """The text of a shared or inline string: its runs joined, phonetic guides left out."""
    runs = _TEXT.findall(_PHONETIC.sub(b"", xml))
    text = html.unescape(b"".join(runs).decode("utf-8", "replace"))
    return _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), text)


# --- the package: which part is which sheet ------------------------------------------------------------


def _read_capped(archive: zipfile.ZipFile, name: str) -> bytes:
    try:
        if archive.getinfo(name).file_size > MAX_META_BYTES:
            return b""
        return archive.read(name)
    except KeyError:
        return b""


def _target(base: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    parts: list[str] = []
    for piece in (PurePosixPath(base).parent / target).parts:
        if piece == "..":
            if parts:
                parts.pop()
        elif piece != ".":
            parts.append(piece)
    return "/".join(parts)


def _relationships(archive: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """Id → (type, part name) of a part's relationships."""
    rels = PurePosixPath(part).parent / "_rels" / (PurePosixPath(part).name + ".rels")
    found = {}
    for attrs in re.findall(rb"<(?:\w+:)?Relationship\b([^>]*)>", _read_capped(archive, str(rels))):
        values = dict(re.findall(rb'(\w+)="([^"]*)"', attrs))
        if b"Id" in values and b"Target" in values:
            target = html.unescape(values[b"Target"].decode("utf-8", "replace"))
            found[values[b"Id"].decode()] = (values.get(b"Type", b"").decode(), _target(part, target))
    return found


@dataclass(frozen=True)
class _Package:
    sheets: list[tuple[str, str]]  # (sheet name, part name), in workbook order
    shared_strings: str | None


def _package(archive: zipfile.ZipFile) -> _Package:
    workbook = "xl/workbook.xml"
    for _, (kind, target) in _relationships(archive, "").items():
        if kind.endswith("/officeDocument"):
            workbook = target
    rels = _relationships(archive, workbook)
    sheets = []
    for attrs in re.findall(rb"<(?:\w+:)?sheet\b([^>]*)>", _read_capped(archive, workbook)):
        name = re.search(rb'\bname="([^"]*)"', attrs)
        rid = re.search(rb'\b(?:\w+:)?id="([^"]*)"', attrs)
        if name and rid and rid.group(1).decode() in rels:
            kind, part = rels[rid.group(1).decode()]
            if kind.endswith("/worksheet") and part in archive.NameToInfo:
                sheets.append((html.unescape(name.group(1).decode("utf-8", "replace")), part))
    if not sheets:  # no readable workbook.xml: every worksheet part, under its own name
        sheets = [(n, n) for n in archive.namelist() if re.fullmatch(r"xl/worksheets/[^/]+\.xml", n)]
    strings = next((p for k, p in rels.values() if k.endswith("/sharedStrings")), None)
    return _Package(sheets, strings if strings in archive.NameToInfo else None)


# --- one sheet part -------------------------------------------------------------------------------------


def _declared_size(archive: zipfile.ZipFile, part: str) -> tuple[int, int] | None:
    """(rows, columns) from A1 to the end of the sheet's <dimension>, or None when it has none."""
    with archive.open(part) as fh:
        head = b""
        while len(head) < (64 << 10) and not _SHEET_DATA.search(head):
            block = fh.read(8 << 10)
            if not block:
                break
            head += block
    found = _DIMENSION.search(head)
    if not found:
        return None
    end = found.group(1).decode().replace("$", "").split(":")[-1]
    ref = re.fullmatch(r"([A-Z]{1,3})([0-9]{1,7})", end)
    return (int(ref.group(2)), column_index(ref.group(1)) + 1) if ref else None


def _blocks(fh) -> Iterator[bytes]:
    while block := fh.read(BLOCK):
        yield block


def _last_end(buffer: bytes, end_tag: re.Pattern[bytes], since: int = 0) -> int:
    """Where the last complete end tag in buffer[since:] ends, or -1. (Callers pass where the block
    just read begins: what came before it has been searched already.)"""
    found = None
    for found in end_tag.finditer(buffer, max(0, since - 64)):  # noqa: B007
        pass
    return found.end() if found is not None else -1


def _pieces(archive: zipfile.ZipFile, part: str) -> Iterator[tuple[str, bytes]]:
    """The part as ("head", up to and including <sheetData>), ("rows", whole <row> elements)…,
    ("tail", from </sheetData> on)…, a few blocks at a time."""
    with archive.open(part) as fh:
        buffer, state = b"", "head"
        for block in _blocks(fh):
            fresh = len(buffer)  # where the new block starts
            buffer += block
            if state == "head":
                found = _SHEET_DATA.search(buffer)
                if not found:
                    if len(buffer) > MAX_HEAD_BYTES:
                        raise Rejected(f"工作表「{part}」的结构无法识别（找不到 sheetData）")
                    continue
                yield "head", buffer[: found.end()]
                buffer, state, fresh = buffer[found.end() :], ("tail" if found.group(1) else "rows"), 0
            if state == "rows":
                end = _SHEET_DATA_END.search(buffer, max(0, fresh - 64))
                if end:
                    yield "rows", buffer[: end.start()]
                    buffer, state = buffer[end.start() :], "tail"
                else:
                    cut = _last_end(buffer, _ROW_END, fresh)
                    if cut > 0:
                        yield "rows", buffer[:cut]
                        buffer = buffer[cut:]
                    elif len(buffer) > MAX_HEAD_BYTES:
                        raise Rejected(f"工作表「{part}」中有一行超过 {MAX_HEAD_BYTES >> 20} MiB，无法读取")
            if state == "tail":
                yield "tail", buffer
                buffer = b""
        if buffer:
            yield state, buffer


def _last_cell_row(rows: bytes) -> int:
    end = len(rows)
    while end > 0:
        start = max(0, end - (64 << 10))
        found = list(_CELL_REF.finditer(rows, max(0, start - 256), end))
        if found:
            return int(found[-1].group(2))
        end = start
    return 0


@dataclass
class _Head:
    """A sheet's first HEADER_SCAN_ROWS rows: cells as (column, type, value XML)."""

    rows: dict[int, list[tuple[int, bytes, bytes]]]
    positional: bool = False  # some cell or row has no reference: positions cannot be searched for


def _head_rows(pieces: Iterator[tuple[str, bytes]]) -> _Head:
    with contextlib.closing(pieces):  # type: ignore[arg-type]
        return _read_head(pieces)


def _read_head(pieces: Iterator[tuple[str, bytes]]) -> _Head:
    head, row_number, size = _Head({}), 0, 0
    for state, xml in pieces:
        if state != "rows":
            continue
        size += len(xml)
        for row in _ROW.finditer(xml):
            ref = _R.search(row.group(1))
            row_number = int(ref.group(2)) if ref else row_number + 1
            head.positional |= ref is None
            if not 1 <= row_number <= HEADER_SCAN_ROWS:
                return head
            column, cells = -1, []
            for cell in _CELL.finditer(row.group(2) or b""):
                ref = _R.search(cell.group(1))
                column = column_index(ref.group(1).decode()) if ref and ref.group(1) else column + 1
                head.positional |= ref is None or not ref.group(1)
                kind = _T.search(cell.group(1))
                cells.append((column, kind.group(1) if kind else b"n", cell.group(2) or b""))
            head.rows[row_number] = cells
        if size > MAX_HEAD_BYTES:
            raise Rejected(f"工作表前 {HEADER_SCAN_ROWS} 行超过 {MAX_HEAD_BYTES >> 20} MiB，无法读取")
    return head


def _shared_strings(archive: zipfile.ZipFile, part: str | None, wanted: set[int]) -> dict[int, str]:
    """The shared strings at the `wanted` indices, read only as far as the largest of them."""
    found: dict[int, str] = {}
    if part is None or not wanted:
        return found
    last, index, buffer = max(wanted), 0, b""
    with archive.open(part) as fh:
        for block in _blocks(fh):
            fresh = len(buffer)
            buffer += block
            cut = max(_last_end(buffer, _SI_END, fresh), _last_end(buffer, _SI_EMPTY, fresh))
            if cut < 0:
                continue
            for item in _SI.finditer(buffer, 0, cut):
                if index in wanted:
                    found[index] = _text(item.group(1) or b"")
                index += 1
                if index > last:
                    return found
            buffer = buffer[cut:]
    return found


def _header_texts(archive: zipfile.ZipFile, strings: str | None, head: _Head) -> list[list[str | None]]:
    shared = {
        int(v.group(1))
        for cells in head.rows.values()
        for _, kind, xml in cells
        if kind == b"s" and (v := _V.search(xml)) and v.group(1).strip().isdigit()
    }
    table = _shared_strings(archive, strings, shared)
    rows: list[list[str | None]] = [[] for _ in range(HEADER_SCAN_ROWS)]
    for number, cells in head.rows.items():
        row: list[str | None] = []
        for column, kind, xml in cells:
            if column >= EXCEL_COLUMNS:
                continue
            if kind == b"s":
                v = _V.search(xml)
                text = table.get(int(v.group(1))) if v and v.group(1).strip().isdigit() else None
            elif kind == b"inlineStr":
                text = _text(xml)
            else:
                v = _V.search(xml)
                text = html.unescape(v.group(1).decode("utf-8", "replace")) if v else None
            if column >= len(row):
                row += [None] * (column - len(row) + 1)
            row[column] = (text or "").strip() or None
        rows[number - 1] = row
    return rows


def _plan_sheet(archive: zipfile.ZipFile, strings: str | None, sheet: str, part: str) -> int | None:
    """The width to cut the sheet at, or None when nothing needs to be left out."""
    head = _head_rows(_pieces(archive, part))
    if head.positional:
        return None  # no references to search by: calamine numbers the cells, the worker's limits bound it
    texts = _header_texts(archive, strings, head)
    match = find_header(texts)
    # Without a header the sheet is not read, but its first rows' width is kept: were the header
    # there after all, it would be within them.
    width = match.width if match else max(1, min(max(map(len, texts)), TRUSTED_COLUMNS))
    far, found, last_row = _far_cells(width), False, 0
    for state, xml in _pieces(archive, part):
        if state == "rows":
            found = found or bool(far.search(xml))
            last_row = max(last_row, _last_cell_row(xml))
    if not found:
        check_area(sheet, last_row, width)
        return None
    return width


def _write_cut(archive: zipfile.ZipFile, part: str, width: int, out: zipfile.ZipFile, sheet: str) -> None:
    far, last_row = _far_cells(width), 0
    with out.open(part, "w", force_zip64=True) as target:
        for state, xml in _pieces(archive, part):
            if state == "rows":
                xml = far.sub(b"", xml)
                last_row = max(last_row, _last_cell_row(xml))
                check_area(sheet, last_row, width)
            target.write(xml)


def prepare_workbook(path: Path, workdir: Path) -> Path:
    """The file calamine should read for `path`: the file itself, or a copy in `workdir` without
    the cells outside its tables. Raises Rejected when a sheet's table is past the limits."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        return path  # not a zip: the reader reports it
    with archive:
        package = _package(archive)
        cuts = {}
        for sheet, part in package.sheets:
            declared = _declared_size(archive, part)
            rows, columns = declared or (0, 0)
            if declared and columns <= TRUSTED_COLUMNS and rows * columns <= MAX_SHEET_CELLS:
                continue  # Excel's own account of the sheet, small enough to read as it is
            width = _plan_sheet(archive, package.shared_strings, sheet, part)
            if width is not None:
                cuts[part] = (sheet, width)
        if not cuts:
            return path
        trimmed = workdir / f"trimmed{path.suffix.lower()}"
        with zipfile.ZipFile(trimmed, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as out:
            for info in archive.infolist():
                if info.filename in cuts:
                    sheet, width = cuts[info.filename]
                    _write_cut(archive, info.filename, width, out, sheet)
                    continue
                with archive.open(info) as source, out.open(info.filename, "w", force_zip64=True) as target:
                    for block in _blocks(source):
                        target.write(block)
    return trimmed
