"""Which sheet kind a sheet is, and where its table is: the header row, found by the contract's
column names among a sheet's first rows (title rows above it, aliases, full-width characters and
stray spaces are fine)."""

import re
import unicodedata
from dataclasses import dataclass

from dagster_project.contracts import SHEET_KINDS, SheetKind

HEADER_SCAN_ROWS = 30
FOOTER_PREFIXES = ("合计", "总计", "小计", "填表人", "审核人", "制表人", "填报人", "负责人签字")


def normalize_header(value: object) -> str:
    """Headers match after NFKC (full-width → half-width), dropping whitespace and required-markers."""
    text = unicodedata.normalize("NFKC", str(value or ""))
    return re.sub(r"[\s*＊]", "", text)


@dataclass
class HeaderMatch:
    kind: SheetKind
    row_index: int  # 0-based; Excel row = row_index + 1
    columns: dict[str, int]  # canonical column name -> position in the row

    @property
    def width(self) -> int:
        """Columns the table spans: one past its rightmost recognised header. Nothing to the right
        of it is ever read into a column of the contract."""
        return max(self.columns.values()) + 1


def match_header(row: list[str | None]) -> HeaderMatch | None:
    """The sheet kind whose required headers all appear in this row (most matched headers wins)."""
    normalized = [normalize_header(v) for v in row]
    best: HeaderMatch | None = None
    best_score = 0
    for kind in SHEET_KINDS:
        found: dict[str, int] = {}
        for column in kind.columns:
            for key, headers in ((column.name, column.headers), (column.name_column, column.name_headers)):
                wanted = {normalize_header(h) for h in headers}
                position = next(
                    (i for i, text in enumerate(normalized) if text in wanted and i not in found.values()),
                    None,
                )
                if position is not None:
                    found[key] = position
                    break
        if all(c.name in found or c.name_column in found for c in kind.required) and len(found) > best_score:
            best, best_score = HeaderMatch(kind, -1, found), len(found)
    return best


def find_header(rows: list[list[str | None]]) -> HeaderMatch | None:
    """The first of the first HEADER_SCAN_ROWS rows that is a header. Only a row's non-blank cells
    are compared, so a row reaching column XFD costs what its filled cells cost."""
    for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        filled = [(j, v) for j, v in enumerate(row) if v]
        if len(filled) < 2:
            continue
        match = match_header([v for _, v in filled])
        if match is not None:
            match.row_index = i
            match.columns = {name: filled[j][0] for name, j in match.columns.items()}
            return match
    return None
