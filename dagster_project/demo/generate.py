"""`generate_demo`: the demo university's files for every year, written one book at a time or by
worker processes, and what was written (DemoSummary)."""

from __future__ import annotations

import multiprocessing
import os
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from dagster_project.contracts import KINDS
from dagster_project.demo.college_book import college_book
from dagster_project.demo.messy import plant_messy
from dagster_project.demo.model import YEARS, MessyRow, University
from dagster_project.demo.org_book import org_book
from dagster_project.demo.submissions import SHORT_COLLEGE, plant_submissions, withhold
from dagster_project.demo.university import build_university
from dagster_project.demo.writers import write_book, write_table

COLLEGE_SHEETS = ("members", "training", "activities", "funding", "dues", "development")
ORG_SHEETS = ("orgs", "tasks", "evaluations", "adjustments", "checklist", "rectifications")
FORMATS = ("xlsx", "csv", "parquet")


@dataclass
class DemoSummary:
    """What `generate_demo` wrote, and where the planted problems are (for tests and the CLI)."""

    inbox: Path
    seed: int
    scale: float
    years: tuple[int, ...]
    files: list[Path]
    colleges: int  # 二级党组织 directly under the university 党委
    branches: int  # 党支部 (org_type 党支部; the 直属党支部 is counted as a college)
    members: dict[int, int]  # roster rows per year, messy extras not counted
    rows: dict[str, int]  # data rows written per sheet kind, all years, messy rows included
    messy: list[MessyRow]
    profiles: dict[str, str]  # college code -> diligent | average | lax | improving | declining
    diligence: dict[str, dict[int, float]]  # college code -> year -> level in 0..1
    veto: tuple[int, str]  # (year, college code) of the single 一票否决
    overdue_college: str  # college whose branches are all overdue for 换届 in every year
    oversized_branches: list[str]  # > 50 members, or 学生 branches > 30
    no_committee_branches: list[str]  # ≥ 7 正式党员 but no 支部委员会 records
    not_dual_leader_branch: str  # the one 教工 branch whose secretary is not 双带头人
    small_branches: list[str] = field(default_factory=list)  # < 7 正式党员: no 支委会 required
    fmt: str = "xlsx"  # xlsx | csv | parquet


# From this scale on the books are written by worker processes (each rebuilds the same university
# from the seed, about a second per 10× of scale); below it starting them costs more than it saves.
POOL_MIN_SCALE = 2.0


def generate_demo(
    inbox: Path, seed: int = 2026, scale: float = 1.0, fmt: str = "xlsx", workers: int | None = None
) -> DemoSummary:
    """Write the demo university's files for 2023–2025 into `inbox` and describe what was written.
    fmt: xlsx (one workbook per unit and year), csv or parquet (one file per workbook sheet).
    workers: processes writing books side by side (default: one per core, at most 2, from scale
    POOL_MIN_SCALE on); every book depends only on the seed, so the files are the same either way."""
    if scale <= 0:
        raise ValueError("scale must be > 0")
    if fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {FORMATS}")
    inbox = Path(inbox)
    inbox.mkdir(parents=True, exist_ok=True)
    uni = build_university(seed, scale)
    units = [(year, where) for year in YEARS for where in [*(c.code for c in uni.colleges), "org"]]
    if workers is None:
        workers = min(2, os.cpu_count() or 1) if scale >= POOL_MIN_SCALE else 1
    if workers > 1:
        with ProcessPoolExecutor(
            workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
            initargs=(seed, scale),
        ) as pool:
            years, wheres = zip(*units, strict=True)
            written = list(pool.map(partial(_write_unit_in_worker, inbox, fmt), years, wheres))
    else:  # one book at a time, so that memory stays bounded at large scales
        written = [_write_unit(uni, inbox, fmt, year, where) for year, where in units]
    rows: dict[str, int] = defaultdict(int)
    messy: list[MessyRow] = []
    files: list[Path] = []
    for unit_files, unit_messy, unit_rows in written:
        files += unit_files
        messy += unit_messy
        for kind, n in unit_rows.items():
            rows[kind] += n
    members = {year: sum(len(b.roster[year]) for c in uni.colleges for b in c.branches) for year in YEARS}
    plant_submissions(inbox, inbox.parent / "archive", files, max(YEARS))
    return DemoSummary(
        inbox=inbox,
        seed=seed,
        scale=scale,
        years=YEARS,
        files=files,
        colleges=len(uni.colleges),
        branches=sum(len(c.branches) for c in uni.colleges if c.kind != "direct"),
        members=members,
        rows=dict(rows),
        messy=messy,
        profiles={c.code: c.profile for c in uni.colleges},
        diligence={c.code: dict(c.diligence) for c in uni.colleges},
        veto=uni.veto,
        overdue_college=uni.overdue_college,
        oversized_branches=uni.oversized,
        no_committee_branches=uni.no_committee,
        not_dual_leader_branch=uni.not_dual_leader,
        small_branches=uni.small,
        fmt=fmt,
    )


_WORKER_UNIVERSITY: University | None = None


def _start_worker(seed: int, scale: float) -> None:
    global _WORKER_UNIVERSITY
    _WORKER_UNIVERSITY = build_university(seed, scale)


def _write_unit_in_worker(
    inbox: Path, fmt: str, year: int, where: str
) -> tuple[list[Path], list[MessyRow], dict[str, int]]:
    assert _WORKER_UNIVERSITY is not None
    return _write_unit(_WORKER_UNIVERSITY, inbox, fmt, year, where)


def _write_unit(
    uni: University, inbox: Path, fmt: str, year: int, where: str
) -> tuple[list[Path], list[MessyRow], dict[str, int]]:
    """The files of one unit (a college code, or "org" for the 组织部) for one year: the paths, the
    messy rows planted in them and the rows written per sheet kind."""
    if where == "org":
        book = org_book(uni, year)
    else:
        book = college_book(uni, next(c for c in uni.colleges if c.code == where), year)
    plant_messy(uni, year, where, book)
    if where == SHORT_COLLEGE and year == YEARS[-1]:
        withhold(book, year)
    rows: dict[str, int] = defaultdict(int)
    if fmt == "xlsx":
        path = inbox / book.file_name
        return [path], write_book(path, book, rows), dict(rows)
    paths, messy = [], []
    for sheet in book.sheets:
        path = inbox / f"{Path(book.file_name).stem}_{KINDS[sheet.kind].title}.{fmt}"
        paths.append(path)
        messy += write_table(path, sheet, book.seed_tag, rows)
    return paths, messy, dict(rows)
