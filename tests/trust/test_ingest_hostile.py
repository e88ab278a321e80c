"""Files that used to take a run down (issue 14): each is built small on disk, dropped into an inbox
beside good files, and ingested in a child process whose peak memory is measured. Whatever the file,
the run ends normally, the file ends as its reject (or, for what lies outside the table, loads
without it), every other file loads, the run stays under MEMORY_BOUND, and the next run does not
read the file again.
"""

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from tests.support import hostile_files as hf

MEMORY_BOUND = 2 << 30  # 2 GiB: the largest process of a run, parse workers included
NOW = "2026-11-23T12:00:00"


def _home(tmp_path: Path) -> Path:
    root = tmp_path / "home"
    hf.good_files(root / "inbox")
    return root


def _query(root: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(root / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def _file_reasons(root: Path, name: str) -> list[str]:
    """The whole-file rejects of one inbox file (no sheet, no row)."""
    return [
        r
        for (r,) in _query(
            root, "select reason from raw.rejects where source_file = ? and row_number is null", [name]
        )
    ]


def _good_files_loaded(root: Path) -> None:
    assert (
        _query(
            root,
            "select member_key, course, cast(started_on as varchar), hours from raw.training "
            "where _source_file = '培训.csv' order by 1",
        )
        == hf.GOOD_TRAINING
    )
    assert _query(root, "select member_key from raw.members order by 1") == [(k,) for k in hf.MEMBER_KEYS]
    assert _query(root, "select count(*) from raw.orgs") == [(4,)]
    assert _query(
        root,
        "select count(*) from raw.rejects where source_file in ('培训.csv', '花名册.xlsx', '组织架构.xlsx')",
    ) == [(0,)]


def _first_run(root: Path, **env: str) -> dict:
    code, output, peak, seconds, summary = hf.sync_in_child(root, NOW, env)
    assert code == 0, output[-3000:]
    assert peak < MEMORY_BOUND, f"peak {peak / 2**30:.2f} GiB"
    _good_files_loaded(root)
    return summary | {"_seconds": seconds}


def _second_run_reads_nothing(root: Path, name: str) -> None:
    """The next run leaves the file alone: nothing parsed, its rejects unchanged."""
    before = _query(root, "select * from raw.rejects where source_file = ? order by all", [name])
    code, output, peak, _, summary = hf.sync_in_child(root, NOW)
    assert code == 0, output[-3000:]
    assert summary["parsed"] == []
    assert peak < MEMORY_BOUND
    assert _query(root, "select * from raw.rejects where source_file = ? order by all", [name]) == before


# --- files that are one reject ------------------------------------------------------------------------


WHOLE_FILE_CASES = {
    "zip bomb": ("炸弹.xlsx", hf.zip_bomb, "文件解压后过大或压缩比异常：「xl/worksheets/sheet1.xml」"),
    "one 50 MB line of commas": (
        "长行.csv",
        hf.one_long_line,
        "CSV 文件第 1 行超过每行上限 1,048,576 字节（1.0 MiB）",
    ),
    "one 50 MB line of text": (
        "长行无逗号.csv",
        lambda p: hf.one_long_line(p, commas=False),
        "CSV 文件第 1 行超过每行上限 1,048,576 字节（1.0 MiB）",
    ),
}


@pytest.mark.parametrize("case", list(WHOLE_FILE_CASES))
def test_hostile_file_is_one_reject_and_everything_else_loads(tmp_path, case):
    name, build, reason_start = WHOLE_FILE_CASES[case]
    root = _home(tmp_path)
    build(root / "inbox" / name)
    summary = _first_run(root)
    (reason,) = _file_reasons(root, name)
    assert reason.startswith(reason_start), reason
    assert "Excel 文件" not in reason or name.endswith(".xlsx")
    assert _query(root, "select count(*) from raw.training where _source_file = ?", [name]) == [(0,)]
    assert name in summary["parsed"]
    _second_run_reads_nothing(root, name)


def test_a_native_abort_in_the_parser_is_one_reject_and_never_parsed_again(tmp_path):
    # the stray cell hides behind a <dimension> that claims A1:D4: calamine allocates 512 GiB for
    # its range and aborts the process (SIGABRT) — only the parse worker goes down
    root = _home(tmp_path)
    hf.lying_dimension(root / "inbox" / "末格.xlsx")
    summary = _first_run(root)
    (reason,) = _file_reasons(root, "末格.xlsx")
    assert reason.startswith("读取该文件时解析进程异常终止（内存分配失败）"), reason
    assert summary["crashed"] == ["末格.xlsx"]
    _second_run_reads_nothing(root, "末格.xlsx")
    # a new warehouse (a new parser version, or `dangjian rebuild`) parses every file again — but
    # not this content: the archive remembers that it took the parser down
    for name in ("warehouse.duckdb", "warehouse.duckdb.wal"):
        (root / name).unlink(missing_ok=True)
    code, output, _, _, again = hf.sync_in_child(root, NOW)
    assert code == 0, output[-3000:]
    assert again["remembered"] == ["末格.xlsx"] and again["crashed"] == []
    assert _file_reasons(root, "末格.xlsx") == [reason]
    _good_files_loaded(root)


def test_a_parse_past_the_time_limit_is_one_reject(tmp_path):
    root = _home(tmp_path)
    _first_run(root)  # the good files, under the normal limits
    hf.training_csv(
        root / "inbox" / "很长.csv", (("0001", f"课程{i}", "2024-03-01", 1) for i in range(300_000))
    )
    code, output, _, _, summary = hf.sync_in_child(root, NOW, {"DANGJIAN_PARSE_SECONDS": "0.2"})
    assert code == 0, output[-3000:]
    (reason,) = _file_reasons(root, "很长.csv")
    assert reason.startswith("读取该文件时解析进程异常终止（超过时间上限 0.2 秒）"), reason
    assert summary["parsed"] == ["很长.csv"] and summary["crashed"] == ["很长.csv"]
    _good_files_loaded(root)
    _second_run_reads_nothing(root, "很长.csv")


# --- what lies outside the table costs nothing -------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "build", "courses"),
    [
        ("末格有字.xlsx", hf.stray_cell_in_xfd1048576, ["党史专题", "党章专题", "理论学习"]),
        ("备注在XFD列.xlsx", hf.note_in_column_xfd, [f"课程{i}" for i in range(1, 200)]),
    ],
)
def test_cells_far_right_of_the_header_are_not_read(tmp_path, name, build, courses):
    root = _home(tmp_path)
    build(root / "inbox" / name)
    summary = _first_run(root)
    assert summary["_seconds"] < 60
    assert _query(
        root, "select course from raw.training where _source_file = ? order by _row_number", [name]
    ) == [(c,) for c in courses]
    assert _query(root, "select count(*) from raw.rejects where source_file = ?", [name]) == [(0,)]
    assert _query(root, "select rows_read from raw.files where source_file = ?", [name]) == [(len(courses),)]
    _second_run_reads_nothing(root, name)


def test_a_header_four_thousand_columns_wide_is_read_in_linear_time(tmp_path):
    from dagster_project.ingest.reader import parse_file

    header = [(0, "工号/学号"), (1, "培训名称"), (2, "开始日期"), (3_999, "学时")]
    rows = [(0, header)] + [
        (i, [(0, "0001"), (1, f"课程{i}"), (2, "2024-03-01"), (3_999, 2)]) for i in range(1, 51)
    ]
    path = hf.raw_xlsx(tmp_path / "宽表.xlsx", rows)
    started = time.perf_counter()
    result = parse_file(path, "宽表.xlsx")
    assert time.perf_counter() - started < 10
    (sheet,) = result.sheets
    assert sheet.loaded["hours"].to_list() == [2.0] * 50


# --- duplicates: one reject per copy, naming the key, the count and the first rows -------------------------


@pytest.mark.parametrize("copies", [5_000, 20_000])
def test_a_row_pasted_thousands_of_times(tmp_path, copies):
    root = _home(tmp_path)
    hf.copies_of_one_row(root / "inbox" / "重复.csv", copies)
    _first_run(root)
    reason = (
        f"重复：工号/学号、培训名称、开始日期为「0001、党史、2024-03-01」的行共 {copies} 行"
        "（「重复.csv」重复第2行、「重复.csv」重复第3行、「重复.csv」重复第4行等），均未入库，请只保留一行"
    )
    rejects = _query(
        root,
        "select row_number, column_name, raw_value, reason from raw.rejects where source_file = '重复.csv'",
    )
    assert sorted(rejects) == [(row, "开始日期", "2024-03-01", reason) for row in range(2, copies + 2)]
    assert _query(root, "select count(*) from raw.training where _source_file = '重复.csv'") == [(copies,)]
    loaded = _query(
        root,
        "select count(*) from raw.training as t where _source_file = '重复.csv' and not exists ("
        "select 1 from raw.rejects as r where r.source_file = t._source_file and r.row_number = t._row_number)",
    )
    assert loaded == [(0,)]


# --- the inbox itself: rewritten files, links, hidden and temporary files -----------------------------------


_WRITER = """
import sys, time
path, stop = sys.argv[1], sys.argv[2]
import os
with open(path, "w", encoding="utf-8") as fh:
    fh.write("工号/学号,培训名称,开始日期,学时\\n")
    i = 0
    while not os.path.exists(stop):
        for _ in range(200):
            i += 1
            fh.write(f"0001,课程{i},2024-03-01,1\\n")
        fh.flush()
        time.sleep(0.002)
print(i)
"""


def test_a_file_rewritten_while_the_run_reads_it_is_not_loaded_half_written(tmp_path):
    root = _home(tmp_path)
    path, stop = root / "inbox" / "正在保存.csv", tmp_path / "stop"
    writer = subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(path), str(stop)], stdout=subprocess.PIPE, text=True
    )
    try:
        while not path.exists() or path.stat().st_size < (1 << 20):
            time.sleep(0.05)
        summary = _first_run(root)
    finally:
        stop.touch()
        written = int(writer.communicate(timeout=60)[0])
    assert _query(root, "select count(*) from raw.training where _source_file = '正在保存.csv'") == [(0,)]
    assert _file_reasons(root, "正在保存.csv") == [
        "文件在读取过程中被修改（可能仍在保存或复制中），本次未读取，下次运行时再读取"
    ]
    assert summary["skipped"] == ["正在保存.csv"]
    index = (root / "archive" / "index.jsonl").read_text(encoding="utf-8")
    assert "正在保存.csv" not in index
    # the writer is done: the next run loads every row, and the archive holds exactly those bytes
    code, output, _, _, summary = hf.sync_in_child(root, NOW)
    assert code == 0, output[-3000:]
    assert summary["parsed"] == ["正在保存.csv"] and summary["skipped"] == []
    assert _query(root, "select count(*) from raw.training where _source_file = '正在保存.csv'") == [
        (written,)
    ]
    ((digest,),) = _query(root, "select file_hash from raw.files where source_file = '正在保存.csv'")
    assert digest == hashlib.sha256(path.read_bytes()).hexdigest()
    assert hashlib.sha256((root / "archive" / f"{digest}.csv").read_bytes()).hexdigest() == digest
    assert _file_reasons(root, "正在保存.csv") == []


def test_links_hidden_and_temporary_files_are_reported_not_read(tmp_path):
    root = _home(tmp_path)
    inbox, outside = root / "inbox", tmp_path / "outside"
    outside.mkdir()
    hf.training_csv(outside / "secret.csv", [("0001", "机密课程", "2024-03-01", 1)])
    (inbox / "链接.csv").symlink_to(outside / "secret.csv")
    (inbox / "外部目录").symlink_to(outside, target_is_directory=True)
    hf.training_csv(inbox / ".hidden.csv", [("0001", "隐藏课程", "2024-03-01", 1)])
    hf.office_lock_file(inbox / "~$locked.xlsx")
    summary = _first_run(root)
    assert _query(root, "select count(*) from raw.training where course in ('机密课程', '隐藏课程')") == [
        (0,)
    ]
    for archived in (root / "archive").iterdir():
        data = archived.read_bytes()
        assert "机密课程".encode() not in data and "隐藏课程".encode() not in data, archived.name
    names = [".hidden.csv", "~$locked.xlsx", "外部目录", "链接.csv"]
    reasons = {name: _file_reasons(root, name) for name in names}
    link = "这是一个符号链接（快捷方式），为安全起见不读取它指向的内容：请把文件本身放入收件箱"
    assert reasons == {
        "链接.csv": [link],
        "外部目录": [link],
        ".hidden.csv": ["隐藏文件（文件名以“.”开头），未读取：如需提交，请去掉文件名开头的“.”"],
        "~$locked.xlsx": [
            "临时文件（文件名以“~$”开头，是 Excel/WPS 打开表格时生成的锁定文件），未读取："
            "关闭表格后它会自动消失；如这是要提交的文件，请去掉文件名开头的“~$”"
        ],
    }
    assert sorted(summary["skipped"]) == sorted(names)
    # listed in the load summary as files with nothing read
    assert _query(
        root, "select source_file, file_hash, rows_read from raw.files where file_hash is null order by 1"
    ) == sorted((name, None, 0) for name in names)
    # the next run reports them again, once each, and reads nothing
    code, output, _, _, again = hf.sync_in_child(root, NOW)
    assert code == 0, output[-3000:]
    assert again["parsed"] == [] and sorted(again["skipped"]) == sorted(summary["skipped"])
    assert {name: _file_reasons(root, name) for name in summary["skipped"]} == reasons
    # once removed they leave the summary
    (inbox / ".hidden.csv").unlink()
    code, output, _, _, again = hf.sync_in_child(root, NOW)
    assert code == 0, output[-3000:]
    assert _query(root, "select count(*) from raw.files where source_file = '.hidden.csv'") == [(0,)]
    assert _file_reasons(root, ".hidden.csv") == []


# --- a legitimately large file ----------------------------------------------------------------------------


def test_a_million_row_csv_loads_in_bounded_memory(tmp_path):
    root = _home(tmp_path)
    rows = (
        (hf.MEMBER_KEYS[i % 3], f"课程{i}", f"2024-{1 + i % 12:02d}-01", 1 + i % 8) for i in range(1_000_000)
    )
    hf.training_csv(root / "inbox" / "百万行.csv", rows)
    _first_run(root)
    assert _query(
        root, "select count(*), sum(hours) from raw.training where _source_file = '百万行.csv'"
    ) == [(1_000_000, float(sum(1 + i % 8 for i in range(1_000_000))))]
    assert _query(root, "select count(*) from raw.rejects where source_file = '百万行.csv'") == [(0,)]


# --- the whole pipeline: `dangjian run` ------------------------------------------------------------------


def _run(home: Path) -> tuple[int, str, int]:
    from tests.support.trust_home import DANGJIAN

    env = {k: v for k, v in os.environ.items() if k not in ("DANGJIAN_FAULT", "DAGSTER_HOME")}
    env |= {"DANGJIAN_HOME": str(home), "DO_NOT_TRACK": "1", "DAGSTER_DISABLE_TELEMETRY": "1"}
    code, output, peak, _ = hf.run_measured([DANGJIAN, "run"], env=env, timeout=900)
    return code, output, peak


def _files_parsed_by_last_run(home: Path) -> int:
    from dagster import DagsterEventType, DagsterInstance

    with DagsterInstance.from_config(str(home / "dagster")) as instance:
        run = instance.get_runs(limit=1)[0]
        records = instance.get_records_for_run(
            run.run_id, of_type=DagsterEventType.ASSET_MATERIALIZATION, limit=1000
        ).records
    (parsed,) = {
        r.event_log_entry.dagster_event.materialization.metadata["files_parsed"].value
        for r in records
        if r.event_log_entry.dagster_event.asset_key.path == ["raw", "files"]
    }
    return parsed


def test_dangjian_run_with_every_hostile_file_in_the_inbox(trust_home, tmp_path):
    from tests.support.trust_home import training_hours

    home = tmp_path / "home"
    shutil.copytree(trust_home, home)
    expected_hours = training_hours(home / "serving.duckdb")
    inbox, outside = home / "inbox", tmp_path / "outside"
    outside.mkdir()
    hf.stray_cell_in_xfd1048576(inbox / "末格有字.xlsx")
    hf.lying_dimension(inbox / "末格.xlsx")
    hf.note_in_column_xfd(inbox / "备注在XFD列.xlsx")
    hf.zip_bomb(inbox / "炸弹.xlsx")
    hf.copies_of_one_row(inbox / "重复.csv", 5_000)
    hf.one_long_line(inbox / "长行.csv")
    hf.training_csv(outside / "secret.csv", [("T001", "机密课程", "2024-03-01", 1)])
    (inbox / "链接.csv").symlink_to(outside / "secret.csv")
    hf.training_csv(inbox / ".hidden.csv", [("T001", "隐藏课程", "2024-03-01", 1)])
    hf.office_lock_file(inbox / "~$locked.xlsx")

    code, output, peak = _run(home)
    assert code == 0, output[-3000:]
    assert peak < MEMORY_BOUND, f"peak {peak / 2**30:.2f} GiB"
    assert training_hours(home / "serving.duckdb") == expected_hours  # the college's own files still count
    with duckdb.connect(str(home / "serving.duckdb"), read_only=True) as con:
        rows = con.execute("select source_file, rows_read, problem from marts.load_summary").fetchall()
    read = {name: n for name, n, _ in rows}
    problems = {name: problem for name, _, problem in rows}
    for name in ("末格有字.xlsx", "备注在XFD列.xlsx", "重复.csv"):
        assert problems[name] is None, name
    assert (read["末格有字.xlsx"], read["备注在XFD列.xlsx"], read["重复.csv"]) == (3, 199, 5_000)
    assert problems["炸弹.xlsx"].startswith("文件解压后过大或压缩比异常")
    assert problems["长行.csv"].startswith("CSV 文件第 1 行超过每行上限")
    assert problems["末格.xlsx"].startswith("读取该文件时解析进程异常终止")
    assert problems["链接.csv"].startswith("这是一个符号链接")
    assert problems[".hidden.csv"].startswith("隐藏文件")
    assert problems["~$locked.xlsx"].startswith("临时文件")
    assert "无法读取的文件 6 个" in output.replace("\n", "")

    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        files_before = con.execute("select * exclude (loaded_at) from raw.files order by all").fetchall()
    code, output, peak = _run(home)
    assert code == 0, output[-3000:]
    assert peak < MEMORY_BOUND
    assert _files_parsed_by_last_run(home) == 0
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        # the same files, hashes and counts (the notices about skipped entries are dated anew)
        assert (
            con.execute("select * exclude (loaded_at) from raw.files order by all").fetchall() == files_before
        )
    index = [json.loads(line) for line in (home / "archive" / "index.jsonl").read_text().splitlines()]
    assert not {".hidden.csv", "~$locked.xlsx", "链接.csv"} & {e["source_file"] for e in index}


# --- the far cells are cut out of the XML exactly --------------------------------------------------------


def _with_stray_cells(source: Path, target: Path) -> Path:
    """source with an "x" in XFD1048576 of every sheet, the dimension saying so, as Excel writes it."""
    import re
    import zipfile

    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", info.filename):
                data = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', data)
                stray = b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
                data = data.replace(b"</sheetData>", stray + b"</sheetData>").replace(
                    b"<sheetData/>", b"<sheetData>" + stray + b"</sheetData>"
                )
            zout.writestr(info, data)
    return target


@pytest.fixture(scope="module")
def real_books(tmp_path_factory) -> list[Path]:
    """The demo university's workbooks (xlsxwriter: shared strings, dates, several sheets), plus a
    header in rich text with a phonetic guide over a table that starts in column C."""
    from dagster_project.demo import generate_demo
    from tests.support.workbooks import write_cells

    root = tmp_path_factory.mktemp("books")
    generate_demo(root / "demo", seed=7, scale=0.05)
    rich = write_cells(
        root / "rich.xlsx",
        {
            "培训": [
                [],
                [],
                [None, None, "工号/学号", "培训名称", "开始日期", "学时"],
                [None, None, "0001", "党史", "2024-03-01", 2],
            ]
        },
    )
    _rich_header(rich)
    return [*sorted((root / "demo").glob("*.xlsx")), rich]


@pytest.mark.parametrize("block", [None, 997])
def test_cutting_stray_cells_out_of_real_workbooks_changes_nothing_else(
    tmp_path, monkeypatch, real_books, block
):
    """Each workbook read as it is and with a stray cell in XFD1048576 of every sheet: the same
    rows, rejects and counts. Read again in blocks of 997 bytes (a third of the books), so that
    blocks end inside tags, rows and shared strings."""
    from polars.testing import assert_frame_equal

    from dagster_project.ingest.reader import parse_file

    books = real_books
    if block:
        from dagster_project.ingest import sheetxml

        monkeypatch.setattr(sheetxml, "BLOCK", block)
        books = books[::3]
    assert len(books) > 20
    for book in books:
        plain = parse_file(book, book.name, hf_today())
        cut = parse_file(_with_stray_cells(book, tmp_path / f"cut-{book.name}"), book.name, hf_today())
        assert [s.kind for s in cut.sheets] == [s.kind for s in plain.sheets] != [], book.name
        assert (cut.rows_read, cut.rows_loaded, cut.rows_rejected) == (
            plain.rows_read,
            plain.rows_loaded,
            plain.rows_rejected,
        )
        for a, b in zip(plain.sheets, cut.sheets, strict=True):
            assert_frame_equal(a.loaded, b.loaded)
            assert_frame_equal(a.rejects, b.rejects)


def hf_today():
    import datetime as dt

    return dt.date(2026, 11, 23)


def _rich_header(path: Path) -> None:
    """Rewrite the shared string of 工号/学号 as two runs with a phonetic guide, as Excel keeps text
    typed with an IME and partly formatted."""
    import zipfile

    with zipfile.ZipFile(path) as zin:
        parts = {info.filename: zin.read(info) for info in zin.infolist()}
    plain = "<si><t>工号/学号</t></si>".encode()
    rich = '<si><r><t>工号</t></r><r><rPr><b/></rPr><t>/学号</t></r><rPh sb="0" eb="2"><t>ゴウ</t></rPh></si>'.encode()
    assert plain in parts["xl/sharedStrings.xml"]
    parts["xl/sharedStrings.xml"] = parts["xl/sharedStrings.xml"].replace(plain, rich)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in parts.items():
            zout.writestr(name, data)
