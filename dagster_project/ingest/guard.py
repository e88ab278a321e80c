"""What a file may cost before it is parsed: the limits, and the cheap checks that turn a file past
them into one reject with a reason in Chinese instead of gigabytes of memory or hours of parsing.

The limits are far above what a college's real sheets need (the largest sheet Excel can hold, a
million rows of some twenty columns, passes every one) and far below what a careless or hostile
file would cost:

* Only a table is read: its header is found among a sheet's first rows, and then only the header's
  width — one past its rightmost recognised column — is read, from row 1 to the last row with a
  cell in it. A note in column XFD, or a stray cell in XFD1048576, is never read; a sheet with no
  header is read no further than its first rows. (EXCEL_COLUMNS: a CSV record's fields past
  Excel's 16,384th are not looked at for the header.)
* MAX_SHEET_CELLS — rows × columns of the part of a sheet that is read (the header's width, from
  row 1 to the last row with a cell in it): 32 Mi cells, a full-height sheet of 32 columns.
* MAX_PART_BYTES, MAX_COMPRESSION_RATIO, MAX_ZIP_PARTS — an .xlsx is a zip: no part may unpack to
  more than 2 GiB, or to more than 100 times its compressed size once past 1 MiB (sheets that Excel,
  WPS or xlsxwriter write compress 5–20 times; a zip bomb, a thousand times), and a workbook has at
  most 10,000 parts.
* MAX_CSV_LINE_BYTES — one line of a CSV file at most 1 MiB (a record of a few hundred fields of
  text is a few kilobytes); a file that is one 50 MB line is not a table.

What the checks cannot see — a workbook that lies about itself — is contained by the parse worker's
own memory and time limits (see worker.py).
"""

import zipfile
from pathlib import Path

EXCEL_COLUMNS = 16_384
MAX_SHEET_CELLS = 32 << 20
MAX_PART_BYTES = 2 << 30
MAX_COMPRESSION_RATIO = 100
RATIO_FROM_BYTES = 1 << 20
MAX_ZIP_PARTS = 10_000
MAX_CSV_LINE_BYTES = 1 << 20


class Rejected(Exception):
    """The whole file is refused; the message is the reject's reason."""


def _mib(size: int) -> str:
    return f"{size / (1 << 20):,.1f} MiB"


def check_zip(path: Path) -> None:
    """Part count, unpacked sizes and compression ratios of an .xlsx/.xlsm, from its central
    directory (nothing is unpacked). A file that is not a zip is left to the reader's own error."""
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError):
        return
    if len(parts) > MAX_ZIP_PARTS:
        raise Rejected(
            f"文件结构异常：包含 {len(parts):,} 个内部部件，超过上限 {MAX_ZIP_PARTS:,} 个；"
            "可能是损坏或恶意构造的文件，请用 Excel 重新保存后提交"
        )
    for part in parts:
        ratio = part.file_size / max(part.compress_size, 1)
        too_big = part.file_size > MAX_PART_BYTES
        if too_big or (part.file_size > RATIO_FROM_BYTES and ratio > MAX_COMPRESSION_RATIO):
            raise Rejected(
                f"文件解压后过大或压缩比异常：「{part.filename}」压缩后 {_mib(part.compress_size)}，"
                f"解压后 {_mib(part.file_size)}（{ratio:,.0f} 倍）；上限为解压后 {_mib(MAX_PART_BYTES)}、"
                f"压缩比 {MAX_COMPRESSION_RATIO} 倍。可能是损坏或恶意构造的文件（“压缩炸弹”），"
                "请用 Excel 重新保存后提交"
            )


def check_csv_lines(path: Path) -> None:
    """Every line of a CSV file at most MAX_CSV_LINE_BYTES (read in blocks; stops at the first
    line past the limit)."""
    lines, current = 1, 0  # lines seen so far; bytes of the line being read
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 22), b""):
            pieces = block.split(b"\n")
            longest = current + len(pieces[0])
            if len(pieces) > 1:
                longest = max(longest, *map(len, pieces[1:]))
            if longest > MAX_CSV_LINE_BYTES:
                lengths = [current + len(pieces[0]), *map(len, pieces[1:])]
                lines += next(i for i, n in enumerate(lengths) if n > MAX_CSV_LINE_BYTES)
                raise Rejected(
                    f"CSV 文件第 {lines:,} 行超过每行上限 {MAX_CSV_LINE_BYTES:,} 字节"
                    f"（{_mib(MAX_CSV_LINE_BYTES)}）："
                    "文件可能缺少换行，或不是按行保存的表格，请检查后重新导出 CSV"
                )
            current = len(pieces[-1]) if len(pieces) > 1 else longest
            lines += len(pieces) - 1


def check_area(sheet: str, rows: int, columns: int) -> None:
    """The part of a sheet that will be read: rows × columns at most MAX_SHEET_CELLS."""
    if rows * columns > MAX_SHEET_CELLS:
        raise Rejected(
            f"工作表「{sheet}」的数据区域过大：{rows:,} 行 × {columns:,} 列，"
            f"超过上限 {MAX_SHEET_CELLS:,} 个单元格；"
            "如表格下方或右侧远处的单元格留有内容，请删除这些行列后重新提交，或把数据拆成几个文件"
        )
