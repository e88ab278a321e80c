"""完成时限 as task lists write it: a date, or words as the 任务清单 of 辽宁科技学院's
《…“基层党建制度落实年”活动的实施方案》 (附件2) has them — "2020年5月底前", "12月底前",
"2020年6月-9月", "11月中旬前", "常态化推进", "长期坚持", and compounds such as "12月底前，长期坚持"
— plus the vague ones lists use elsewhere: "2024年底前", "上半年", "第三季度", "每学期".

A text is read part by part (parts separated by ，,；;、). The deadline is the first date any part
names; the task is `ongoing` when any part says it goes on (常态化推进, 长期坚持, 每学期 …). A text
is understood only when every part is; a text without a year takes the list's 年度.
"""

import calendar
import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Sequence
from typing import NamedTuple

import polars as pl


class Deadline(NamedTuple):
    on: dt.date | None  # the date the text names first (None: no single deadline)
    ongoing: bool  # the task goes on past, or without, a deadline
    understood: bool


NOT_UNDERSTOOD = Deadline(None, False, False)

# Work that goes on: no deadline of its own.
ONGOING_PREFIXES = ("常态化", "长期", "持续推进", "持续开展", "经常性")
# Work that recurs (每学期, 每季度 …): ongoing, no single deadline.
_RECURRING = re.compile(r"每(个)?(学期|学年|年度|年|半年|季度|季|月|周)")
_SEPARATORS = re.compile(r"[,;、]")
_BEFORE = r"(?:前|以前|之前|内|完成)?"
_YEAR = r"(?:(\d{4})年)?"
_TO = r"(?:-|—|–|~|至)"
_QUARTERS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}


def parse_deadline(text: str | None, year: int | None) -> tuple[dt.date | None, bool]:
    """A 完成时限 → (deadline, understood); texts without a date are understood with none."""
    on, _, understood = read_deadlines([text], [year])[0]
    return on, understood


def read_deadlines(
    texts: Sequence[str | None],
    years: Sequence[int | None],
    to_dates: Callable[[list[str]], list[dt.date | None]] | None = None,
) -> list[Deadline]:
    """Each text read against its list's year. `to_dates` turns texts into dates the way a date
    column is read (Excel serials, 2024.07.01, 2024年7月1日 …), a whole list at once."""
    if to_dates is None:
        to_dates = _column_dates
    parts = [_parts(t) for t in texts]
    flat = [p for ps in parts for p in ps]
    dates = dict(zip(flat, to_dates(flat), strict=True)) if flat else {}
    return [_combine(ps, dates, y) if ps else NOT_UNDERSTOOD for ps, y in zip(parts, years, strict=True)]


def _column_dates(texts: list[str]) -> list[dt.date | None]:
    from dagster_project.ingest.typed import dates_of  # imported here: the demo needs no polars typing

    return dates_of(texts)


def deadline_columns(frame: pl.DataFrame, column: str, year: str) -> list[pl.Series]:
    """The date, `ongoing` and `understood` of deadline column `column` of a typed sheet frame (names
    from `deadline_names`), each text read once per distinct (text, year); `year` is the typed
    column a deadline without a year falls in."""
    pairs = pl.DataFrame({"text": frame[column], "year": frame[year]})
    distinct = pairs.unique(maintain_order=True)
    years = [int(y) if y is not None and 1 <= y <= 9999 else None for y in distinct["year"].to_list()]
    read = read_deadlines(distinct["text"].to_list(), years, _column_dates)
    on, ongoing, understood = deadline_names(column)
    distinct = distinct.with_columns(
        pl.Series(on, [d.on for d in read], dtype=pl.Date),
        pl.Series(ongoing, [d.ongoing for d in read], dtype=pl.Boolean),
        pl.Series(understood, [d.understood for d in read], dtype=pl.Boolean),
    )
    joined = pairs.join(distinct, on=["text", "year"], how="left", nulls_equal=True, maintain_order="left")
    return [joined[on], joined[ongoing], joined[understood]]


def deadline_names(column: str) -> tuple[str, str, str]:
    """The frame columns `deadline_columns` adds for `column`: its date, ongoing and understood."""
    return f"__deadline_{column}", f"__ongoing_{column}", f"__understood_{column}"


def _parts(text: str | None) -> list[str]:
    if text is None:
        return []
    cleaned = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    return [p for p in _SEPARATORS.split(cleaned) if p]


def _combine(parts: list[str], dates: dict[str, dt.date | None], year: int | None) -> Deadline:
    first, ongoing = None, False
    for part in parts:
        on, goes_on, understood = _one_part(part, dates.get(part), year)
        if not understood:
            return NOT_UNDERSTOOD
        first = first or on
        ongoing = ongoing or goes_on
    return Deadline(first, ongoing, True)


def _one_part(part: str, as_date: dt.date | None, year: int | None) -> Deadline:
    if part.startswith(ONGOING_PREFIXES) or _RECURRING.match(part):
        return Deadline(None, True, True)
    if as_date is not None:
        return Deadline(as_date, False, True)
    on = _in_words(part, year)
    return Deadline(on, False, True) if on is not None else NOT_UNDERSTOOD


def _in_words(t: str, year: int | None) -> dt.date | None:
    m = re.fullmatch(rf"{_YEAR}(\d{{1,2}})月{_TO}(?:(\d{{4}})年)?(\d{{1,2}})月(?:底|末)?{_BEFORE}", t)
    if m:
        return _month_end(m.group(3) or m.group(1) or year, m.group(4))
    m = re.fullmatch(rf"{_YEAR}(\d{{1,2}})月(底|末|上旬|中旬|下旬)?{_BEFORE}", t)
    if m:
        end = _month_end(m.group(1) or year, m.group(2))
        if end is None or m.group(3) not in ("上旬", "中旬"):
            return end
        return end.replace(day=10 if m.group(3) == "上旬" else 20)
    m = re.fullmatch(rf"(?:(\d{{4}})年)?(?:年)?(?:底|末|内|全年){_BEFORE}", t) if "年" in t else None
    if m:
        return _month_end(m.group(1) or year, 12)
    m = re.fullmatch(rf"{_YEAR}(上|下)半年(?:底|末)?{_BEFORE}", t)
    if m:
        return _month_end(m.group(1) or year, 6 if m.group(2) == "上" else 12)
    m = re.fullmatch(rf"{_YEAR}第?([一二三四1-4])季度(?:末|底)?{_BEFORE}", t)
    if m:
        return _month_end(m.group(1) or year, 3 * _QUARTERS[m.group(2)])
    return None


def _month_end(year: str | int | None, month: str | int) -> dt.date | None:
    y, m = int(year or 0), int(month)
    if not (1 <= y <= 9999 and 1 <= m <= 12):
        return None
    return dt.date(y, m, calendar.monthrange(y, m)[1])
