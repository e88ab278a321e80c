"""The demo university as CSV or Parquet files, for scales whose sheets outgrow Excel: one file per
workbook sheet, read back by the project's reader into exactly the rows and rejects of the workbooks."""

import datetime as dt

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from typer.testing import CliRunner

from dagster_project.cli import app
from dagster_project.demo import COLLEGE_SHEETS, FORMATS, ORG_SHEETS, DemoSummary, generate_demo
from dagster_project.ingest.reader import parse_file

TODAY = dt.date(2026, 11, 23)
LINEAGE = ["_source_file", "_sheet", "_row_number"]


@pytest.fixture(scope="module")
def demos(tmp_path_factory) -> dict[str, DemoSummary]:
    return {fmt: generate_demo(tmp_path_factory.mktemp(fmt), seed=7, scale=0.1, fmt=fmt) for fmt in FORMATS}


def _read(summary: DemoSummary) -> tuple[dict[str, pl.DataFrame], pl.DataFrame]:
    """Loaded rows per kind without lineage, and the parse rejects, each in a stable order."""
    loaded: dict[str, list[pl.DataFrame]] = {}
    rejects = []
    for path in summary.files:
        result = parse_file(path, path.name, today=TODAY)
        for sheet in result.sheets:
            loaded.setdefault(sheet.kind, []).append(sheet.loaded.drop(LINEAGE))
        rejects.append(result.rejects)
    return (
        {kind: pl.concat(frames).sort(pl.all()) for kind, frames in loaded.items()},
        pl.concat(rejects).sort("source_file", "row_number", "column_name"),
    )


@pytest.fixture(scope="module")
def parsed(demos) -> dict[str, tuple[dict[str, pl.DataFrame], pl.DataFrame]]:
    return {fmt: _read(summary) for fmt, summary in demos.items()}


def test_one_file_per_workbook_sheet(demos):
    for fmt in ("csv", "parquet"):
        names = {p.name for p in demos[fmt].files}
        # 20 colleges' sheets and the 组织部's, for 3 years
        assert len(names) == 3 * (20 * len(COLLEGE_SHEETS) + len(ORG_SHEETS))
        assert f"2024_01_计算机学院党委_学习培训台账.{fmt}" in names
        assert f"2025_组织部_考核汇总_任务清单.{fmt}" in names
        assert all(p.exists() for p in demos[fmt].files)


def test_every_format_holds_the_same_university(demos, parsed):
    xlsx = demos["xlsx"]
    for fmt in ("csv", "parquet"):
        other = demos[fmt]
        assert (other.members, other.rows, other.branches) == (xlsx.members, xlsx.rows, xlsx.branches)
    (loaded, rejects), *others = (parsed[fmt] for fmt in FORMATS)
    assert sum(f.height for f in loaded.values()) > 10_000
    for other_loaded, other_rejects in others:
        assert other_loaded.keys() == loaded.keys()
        for kind, frame in loaded.items():
            assert_frame_equal(other_loaded[kind], frame)
        same = ["kind", "column_name", "raw_value", "reason"]
        assert_frame_equal(other_rejects.select(same).sort(same), rejects.select(same).sort(same))


def test_messy_rows_are_rejected_where_the_summary_says(demos, parsed):
    workbook_rows = {(m.file[:-5], m.column, m.reason): m.row for m in demos["xlsx"].messy}
    for fmt, first_data_row in (("csv", 4), ("parquet", 2)):
        summary = demos[fmt]
        assert len(summary.messy) == len(workbook_rows)
        _, rejects = parsed[fmt]
        rejected = set(rejects.select("source_file", "sheet", "row_number").iter_rows())
        for m in summary.messy:
            book = m.file.rsplit("_", 1)[0]
            assert m.row - first_data_row == workbook_rows[(book, m.column, m.reason)] - 4, m
            if m.column not in ("所在党支部编码", "组织编码"):  # those two fail only against 组织架构
                assert (m.file, m.sheet, m.row) in rejected, m


def test_same_seed_gives_byte_identical_files_with_or_without_worker_processes(tmp_path):
    for fmt, workers in (("csv", 1), ("parquet", 2), ("xlsx", 2)):
        a = generate_demo(tmp_path / f"a-{fmt}", seed=3, scale=0.05, fmt=fmt, workers=1)
        b = generate_demo(tmp_path / f"b-{fmt}", seed=3, scale=0.05, fmt=fmt, workers=workers)
        assert [p.name for p in a.files] == [p.name for p in b.files]
        assert [p.read_bytes() for p in a.files] == [p.read_bytes() for p in b.files]
        assert (a.messy, a.rows, a.members) == (b.messy, b.rows, b.members)


def test_cli_writes_the_chosen_format(tmp_path, monkeypatch):
    monkeypatch.setenv("DANGJIAN_HOME", str(tmp_path))
    result = CliRunner().invoke(app, ["demo", "--format", "csv", "--scale", "0.05", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert f"{3 * (20 * len(COLLEGE_SHEETS) + len(ORG_SHEETS))} 个文件" in result.output
    assert {p.suffix for p in (tmp_path / "inbox").iterdir()} == {".csv"}
    bad = CliRunner().invoke(app, ["demo", "--format", "xls"])
    assert bad.exit_code != 0
