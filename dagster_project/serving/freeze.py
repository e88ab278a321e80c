"""Freezing a year's published results (`dangjian freeze --year Y`).

Once the organization department has published a year's assessment, files that arrive later or an
edited rulebook must not change it. `freeze_year` copies the year's rows of the result tables from
the published snapshot (`serving.duckdb`, what the dashboards showed and `dangjian export` wrote)
into `$DANGJIAN_HOME/frozen/<Y>/<table>.parquet`, then writes `manifest.json`: when, from which
snapshot, how many rows, and the inbox files and rulebook files (names and content hashes) the year
was computed from.

The folder sits outside the warehouse, so deleting and rebuilding the warehouse keeps it. On every
build dbt reads it back (dbt/macros/frozen.sql): each result mart takes the stored rows for frozen
years and this run's computed rows for the others, and `marts.frozen_diff` lists what would differ
if a frozen year were computed now, naming the files that changed since the freeze.

A year is written to `frozen/.staging/<Y>/` first and renamed into place only when complete; dbt
only reads year folders holding a manifest, so a freeze that stops half-way is never seen.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

# The result tables a freeze stores, with their Chinese names. dbt has one `int_<table>_frozen` and
# one `int_<table>_computed` model per table (tests/cli/test_freeze.py checks that they match).
FROZEN_TABLES: dict[str, str] = {
    "college_scores": "二级党组织得分",
    "branch_scores": "党支部得分",
    "college_indicators": "二级党组织指标",
    "branch_indicators": "党支部指标",
    "weak_branches": "软弱涣散预警",
    # a frozen year keeps the problems it was judged on (ids, texts, severities): its 整改台账 and the
    # next year's 整改销号率 refer to them
    "problems": "问题清单",
}
MANIFEST = "manifest.json"
STAGING = ".staging"


class AlreadyFrozenError(ValueError):
    """The year is frozen already and `force` was not given; `str(error)` is the Chinese message."""


@dataclass(frozen=True)
class FrozenYear:
    """What `freeze_year` stored."""

    year: int
    path: Path
    frozen_at: dt.datetime
    published_at: dt.datetime | None
    rows: dict[str, int]
    source_files: int
    replaced: bool


def year_folder(frozen_root: Path, year: int) -> Path:
    return Path(frozen_root) / str(int(year))


def read_manifest(frozen_root: Path, year: int) -> dict[str, Any] | None:
    """The manifest of a frozen year, or None when the year is not frozen."""
    path = year_folder(frozen_root, year) / MANIFEST
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None


def freeze_year(
    serving_db: Path,
    frozen_root: Path,
    year: int,
    *,
    force: bool = False,
    warehouse_db: Path | None = None,
    now: dt.datetime | None = None,
) -> FrozenYear:
    """Store the results of `year` under `frozen_root/<year>/` and return what was stored.

    A year that is not frozen is stored as published: from the snapshot `serving_db`. A frozen year
    already shows its frozen rows in the snapshot, so re-freezing it (`force`) stores what the last
    run computed for it instead (the "current" side of marts.frozen_diff), read from the warehouse's
    `intermediate.int_<table>_computed` models.

    Raises FileNotFoundError without a snapshot (or warehouse), AlreadyFrozenError when the year is
    frozen and `force` is False, and ValueError (Chinese message) when there are no year-end (Q4)
    results for `year`, a result table is missing, or a run holds the warehouse.
    """
    serving_db, frozen_root, year = Path(serving_db), Path(frozen_root), int(year)
    existing = read_manifest(frozen_root, year)
    if existing is not None and not force:
        raise AlreadyFrozenError(
            f"{year} 年度的结果已于 {_shown(existing['frozen_at'])} 冻结，本次没有改动。"
            "冻结后若重新计算会有不同，差异见看板上该年度页面的冻结提示或 marts.frozen_diff。"
            f"如确需改用最近一次运行的计算结果重新冻结（已公布或导出的 {year} 年度结果会随之改变），"
            f"请加 --force：dangjian freeze --year {year} --force"
        )
    if existing is None:
        source, relation = serving_db, "marts.{table}"
        if not source.is_file():
            raise FileNotFoundError(f"未找到已发布的数据快照：{source}（请先运行 dangjian run）")
    else:
        source, relation = Path(warehouse_db or ""), "intermediate.int_{table}_computed"
        if warehouse_db is None or not source.is_file():
            raise FileNotFoundError(f"未找到数据仓库：{source}（请先运行 dangjian run）")
    frozen_at = (now or dt.datetime.now()).replace(microsecond=0)
    staging = frozen_root / STAGING / str(year)
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        with _open_read_only(source) as con:
            tables = {table: relation.format(table=table) for table in FROZEN_TABLES}
            _check_year(con, tables, year)
            rows = {t: _copy_year(con, r, year, staging / f"{t}.parquet") for t, r in tables.items()}
            published_at = _published_at(con) if existing is None else None
            manifest = {
                "year": year,
                "frozen_at": frozen_at.isoformat(),
                "published_at": published_at.isoformat() if published_at else None,
                "source": "published_snapshot" if existing is None else "last_run_computed",
                "tables": [{"table_name": t, "row_count": n} for t, n in rows.items()],
                "source_files": _source_files(con, year),
                "rulebook_files": _rulebook_files(con),
            }
        (staging / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
        _swap_into_place(staging, year_folder(frozen_root, year))
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        with contextlib.suppress(OSError):  # only when empty: another freeze may be staging too
            staging.parent.rmdir()
    return FrozenYear(
        year=year,
        path=year_folder(frozen_root, year),
        frozen_at=frozen_at,
        published_at=published_at,
        rows=rows,
        source_files=len(manifest["source_files"]),
        replaced=existing is not None,
    )


# --- reading the snapshot (or the warehouse) --------------------------------------------------


def _has_table(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    (found,) = con.execute(
        "select count(*) from duckdb_tables() where schema_name = ? and table_name = ?", [schema, table]
    ).fetchone()
    return bool(found)


def _has_column(con: duckdb.DuckDBPyConnection, schema: str, table: str, column: str) -> bool:
    (found,) = con.execute(
        "select count(*) from duckdb_columns() where schema_name = ? and table_name = ? and column_name = ?",
        [schema, table, column],
    ).fetchone()
    return bool(found)


def _years_listed(years: list[int]) -> str:
    return "、".join(str(y) for y in sorted(years)) if years else "（暂无）"


def _open_read_only(path: Path) -> duckdb.DuckDBPyConnection:
    try:
        return duckdb.connect(str(path), read_only=True)
    except duckdb.IOException as exc:  # the pipeline is writing the warehouse right now
        raise ValueError(f"{path.name} 正被运行中的流程占用，请等本次运行结束后再试。") from exc


def _check_year(con: duckdb.DuckDBPyConnection, tables: dict[str, str], year: int) -> None:
    missing = [t for t, relation in tables.items() if not _has_table(con, *relation.split("."))]
    if missing:
        raise ValueError(f"缺少结果表 {'、'.join(missing)}，无法冻结。请先运行 dangjian run 重新计算并发布。")
    scored = {
        int(y): bool(q4)
        for y, q4 in con.execute(
            "select year, bool_or(quarter = 4) from ("
            f"select year, quarter from {tables['college_scores']} union all "
            f"select year, quarter from {tables['branch_scores']}) group by year"
        ).fetchall()
    }
    if year not in scored:
        raise ValueError(
            f"没有 {year} 年度的考核结果，无法冻结。已有考核结果的年度：{_years_listed(list(scored))}"
        )
    if not scored[year]:
        raise ValueError(
            f"{year} 年度还没有年终（第四季度）考核结果，不能冻结："
            "冻结后该年度不再重新计算，年终结果将无法产生。"
            f"已有年终考核结果的年度：{_years_listed([y for y, q4 in scored.items() if q4])}"
        )


def _copy_year(con: duckdb.DuckDBPyConnection, relation: str, year: int, out: Path) -> int:
    # COPY takes no parameters: `year` is an int and `out` a path we built, quoted as a SQL string.
    target = str(out).replace("'", "''")
    rows_of_year = f"select * from {relation} where year = {int(year)} order by all"
    con.execute(f"copy ({rows_of_year}) to '{target}' (format parquet)")
    (rows,) = con.execute(f"select count(*) from {relation} where year = ?", [year]).fetchone()
    return int(rows)


def _published_at(con: duckdb.DuckDBPyConnection) -> dt.datetime | None:
    if not _has_table(con, "meta", "snapshot"):
        return None
    (stamp,) = con.execute("select max(published_at) from meta.snapshot").fetchone()
    return stamp


def _source_files(con: duckdb.DuckDBPyConnection, year: int) -> list[dict[str, str]]:
    """The inbox files holding rows of `year` (every file, for a snapshot older than load_summary.years)."""
    if not _has_table(con, "marts", "load_summary"):
        return []
    where = "where list_contains(years, ?)" if _has_column(con, "marts", "load_summary", "years") else ""
    rows = con.execute(
        f"select source_file, file_hash from marts.load_summary {where} order by source_file",
        [year] if where else [],
    ).fetchall()
    return [{"source_file": f, "file_hash": h} for f, h in rows]


def _rulebook_files(con: duckdb.DuckDBPyConnection) -> list[dict[str, str]]:
    if not _has_table(con, "marts", "rulebook_files"):
        return []
    rows = con.execute(
        "select file_name, content_hash from marts.rulebook_files order by file_name"
    ).fetchall()
    return [{"file_name": f, "content_hash": h} for f, h in rows]


# --- writing -----------------------------------------------------------------------------------


def _swap_into_place(staging: Path, target: Path) -> None:
    """Rename the finished `staging` folder to `target`; a previous freeze (--force) goes only after."""
    old = staging.with_name(staging.name + ".replaced")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        os.replace(target, old)
    os.replace(staging, target)
    shutil.rmtree(old, ignore_errors=True)


def _shown(stamp: str) -> str:
    try:
        return dt.datetime.fromisoformat(stamp).strftime("%Y-%m-%d %H:%M")
    except (TypeError, ValueError):
        return str(stamp)
