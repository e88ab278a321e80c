"""自助查询 under attack: what a query may read and call, and what it may cost the server.

Through the page (Streamlit's AppTest, as an analyst types it): file-reading and settings functions
and system tables are refused by name, and no server path is shown. Through the worker itself
(dashboards/sql_sandbox.run_in_worker, no policy check in front — the process must hold even for a
query the policy let through): `len(range(0,150000000))` and `repeat('x', 2000000000)` leave this
process's memory where it was and the worker is gone within the time limit + 1 s; spill files go
under the home and are removed; results are capped; one query per user at a time.

The snapshot is serving_fixture.py's (marts.branch_scores: 8 rows).
"""

import os
import threading
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboards import auth, sql_sandbox
from dashboards.sql_policy import ALLOWED_FUNCTIONS, FUNCTION_GROUPS, QueryError
from dashboards.sql_sandbox import SqlLimits, hide_paths, run_in_worker
from tests.support.serving_fixture import build_serving_db

APP = Path(__file__).resolve().parents[2] / "dashboards" / "app.py"
SQL = "pages/sql_query.py"


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("sql_home")
    build_serving_db(home / "serving.duckdb")
    return home


@pytest.fixture
def snapshot(home, monkeypatch) -> Path:
    monkeypatch.setenv("DANGJIAN_SERVING_DB", str(home / "serving.duckdb"))
    monkeypatch.setenv("DANGJIAN_HOME", str(home))
    return home / "serving.duckdb"


def run_on_page(sql: str) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    at.switch_page(SQL).run()
    at.catalog_tables = len(at.dataframe)  # the page's data catalog
    at.text_area(key="sql_text").input(sql)
    next(b for b in at.button if b.label == "运行查询").click().run()
    assert not at.exception, at.exception
    return at


def page_text(at: AppTest) -> str:
    shown = [e.value for e in at.error] + [m.value for m in at.markdown] + [c.value for c in at.caption]
    for frame in at.dataframe:
        shown.append(frame.value.to_csv())
    return "\n".join(str(s) for s in shown)


# ---- what a query may read and call (through the page) -------------------------------------------

FILE_QUERIES = [
    "select * from read_blob('{snapshot}')",
    "select content from read_text('{snapshot}')",
    "select * from read_csv('/etc/passwd')",
    "select * from read_csv_auto('/etc/passwd')",
    "select * from read_parquet('{home}/x.parquet')",
    "select * from read_json('{home}/users.json')",
    "select * from read_json_auto('{home}/users.json')",
    "select * from read_duckdb('{snapshot}', table_name => 'branch_scores')",
    "select * from glob('{home}/*')",
    "select * from parquet_metadata('{home}/x.parquet')",
    "select * from sniff_csv('/etc/passwd')",
    "select * from query('select 1')",
]
SETTINGS_QUERIES = [
    "select * from duckdb_settings()",
    "select path from duckdb_databases()",
    "select * from duckdb_extensions()",
    "select current_setting('temp_directory') as t",
    "select * from duckdb_tables()",
    "select getenv('HOME') as h",
]
SYSTEM_TABLES = [
    "select path from duckdb_databases",  # the system view, without ()
    "select * from pg_catalog.pg_settings",
    "select * from information_schema.tables",
    "select * from sqlite_master",
    "select * from meta.snapshot",
    "select * from raw.members",
    "select * from '{snapshot}'",
    "select * from (with duckdb_databases as (select 1 as x) select * from duckdb_databases), duckdb_databases",
]
BOUNDLESS = ["select len(range(0,150000000)) as n", "select repeat('x', 2000000000) as s"]


@pytest.mark.parametrize(
    ("sql", "refusal"),
    [(q, "不允许读取文件") for q in FILE_QUERIES]
    + [(q, "不允许查看数据库设置或系统信息") for q in SETTINGS_QUERIES]
    + [(q, "找不到表") for q in SYSTEM_TABLES]
    + [(q, "不支持函数") for q in BOUNDLESS],
)
def test_the_page_refuses_by_name_and_shows_no_path(snapshot, home, sql, refusal):
    at = run_on_page(sql.format(snapshot=snapshot, home=home))
    assert len(at.error) == 1 and refusal in at.error[0].value
    assert len(at.dataframe) == at.catalog_tables and not at.get("download_button")
    shown = page_text(at)
    assert str(home) not in shown and "/tmp" not in shown and ".duckdb" not in shown


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        (
            "with t as (select college_code, avg(total) as a from branch_scores where period = '2024Q4' "
            "group by all) select college_code, round(a, 2) as a from t order by a desc",
            [("C01", 81.43), ("C02", 83.54)][::-1],
        ),
        (
            "select branch_code, rank() over (partition by college_code order by total desc) as r "
            "from marts.branch_scores where period = '2024Q3' order by branch_code",
            [("C01B01", 1), ("C01B02", 2), ("C02B01", 1), ("C02B02", 2)],
        ),
        (
            "select string_agg(branch_code, ',' order by branch_code) as s, count(*) as n "
            "from snapshot.marts.branch_scores where period like '2024Q_' and upper(college_code) = 'C02'",
            [("C02B01,C02B01,C02B02,C02B02", 4)],
        ),
    ],
)
def test_what_analysts_write_still_runs(snapshot, sql, expected):
    frame, truncated = sql_sandbox.run_readonly_sql(sql)
    assert [tuple(r) for r in frame.rows()] == expected and not truncated


def test_the_allowed_functions_are_a_short_documented_list():
    assert len(ALLOWED_FUNCTIONS) < 200
    assert {name for names in FUNCTION_GROUPS.values() for name in names} == ALLOWED_FUNCTIONS
    assert (
        not {"range", "repeat", "read_blob", "glob", "current_setting", "getenv", "lpad"} & ALLOWED_FUNCTIONS
    )


def test_no_path_in_an_error(snapshot, home):
    with pytest.raises(QueryError) as refused:
        run_in_worker("select * from read_csv('/etc/passwd')", 10, snapshot)  # the sandbox's own refusal
    assert "不允许读取文件" in str(refusal := refused.value) and "/etc" not in str(refusal)
    hidden = [str(snapshot), str(home)]
    assert hide_paths(f"IO Error: Could not open {snapshot}.wal and /var/lib/x.db", hidden) == (
        "IO Error: Could not open ….wal and …"
    )
    assert hide_paths("工号/学号 a/b 1/2", hidden) == "工号/学号 a/b 1/2"


# ---- what a query may cost (the worker, no policy in front) ---------------------------------------


def rss_mb(pid: int | str = "self") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def workers() -> list[int]:
    """Worker processes of this process still alive (zombies count: not yet reaped)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == os.getpid() and b"sql_worker.py" in cmdline:
            found.append(int(entry.name))
    return found


class Peak:
    """The largest RSS of this process while the block runs (sampled every 20 ms)."""

    def __enter__(self) -> "Peak":
        self.before = self.peak = rss_mb()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()
        return self

    def _watch(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, rss_mb())

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


@pytest.mark.parametrize("sql", BOUNDLESS)
def test_a_boundless_query_costs_the_server_nothing_and_is_killed_in_time(snapshot, sql):
    """Within the worker's 3 GB the 1.2 GB list may even be built (then it answers); either way it is
    over by the time limit + 1 s and this process has not grown."""
    limits = SqlLimits()
    started = time.monotonic()
    with Peak() as peak:
        try:
            frame, _ = run_in_worker(sql, 10, snapshot, limits)
            outcome = str(frame.row(0)[0])
        except QueryError as error:
            outcome = str(error)
    took = time.monotonic() - started
    stopped = ("查询超时", "内存超过上限", "查询结果太大")
    assert outcome == "150000000" or any(s in outcome for s in stopped), outcome[:200]
    assert took <= limits.timeout_s + 1.0, took
    assert workers() == []
    assert peak.peak - peak.before < 100, (peak.before, peak.peak)  # MB: the worker's memory is its own


def test_the_worker_address_space_is_the_memory_limit(snapshot):
    """With room for the interpreter only, the range() list fails at once instead of growing."""
    limits = SqlLimits(memory_mb=256, address_space_mb=1536)
    started = time.monotonic()
    with pytest.raises(QueryError, match="内存超过上限（256 MB）"):
        run_in_worker(BOUNDLESS[0], 10, snapshot, limits)
    assert time.monotonic() - started < limits.timeout_s
    assert workers() == []


def test_spill_files_go_under_the_home_and_are_removed(snapshot, home, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    left = home / "tmp" / "sql-left-by-a-killed-server"  # an hour old: no query runs that long
    (left / "spill").mkdir(parents=True)
    os.utime(left, (time.time() - 3700, time.time() - 3700))
    frame, _ = run_in_worker(
        "select current_setting('temp_directory') as t, current_setting('max_temp_directory_size') as m",
        10,
        snapshot,
    )
    temp, size = frame.row(0)
    assert not left.exists()
    assert Path(temp).parent == home / "tmp" and Path(temp).name.startswith("sql-")
    assert size == "976.5 MiB"  # 1024 MB
    assert (home / "tmp").stat().st_mode & 0o777 == 0o700

    seen: set[str] = set()
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            for path in (home / "tmp").rglob("*"):
                if path.is_file():
                    seen.add(str(path.relative_to(home / "tmp")))
            time.sleep(0.02)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        frame, _ = run_in_worker(
            "select count(*) as n from (select range, md5(range::VARCHAR) as m from range(3000000) order by m)",
            10,
            snapshot,
            SqlLimits(memory_mb=64),
        )
    finally:
        done.set()
        watcher.join()
    assert frame["n"].to_list() == [3_000_000]
    assert seen, "the sort did not spill"
    assert all(name.startswith("sql-") for name in seen)
    assert list((home / "tmp").iterdir()) == []  # removed with the worker
    assert not (tmp_path / ".tmp").exists()  # DuckDB's default: the working directory


def test_result_bytes_are_capped(snapshot):
    big = "select a.branch_code || b.branch_code || c.branch_code as s from branch_scores a, branch_scores b, branch_scores c"
    frame, _ = run_in_worker(big, 10_000, snapshot)
    assert frame.height == 512
    with pytest.raises(QueryError, match="查询结果太大"):
        run_in_worker(big, 10_000, snapshot, SqlLimits(result_bytes=4_000))


SLOW = "select count(*) as n from " + ", ".join(f"branch_scores t{i}" for i in range(12))


def test_one_query_per_user_at_a_time(snapshot, monkeypatch):
    who = {"name": "zzb"}
    monkeypatch.setattr(auth, "viewer", lambda: who["name"])
    outcome: list = []

    def slow() -> None:
        try:
            sql_sandbox.run_readonly_sql(SLOW, timeout_s=4)
        except QueryError as error:
            outcome.append(str(error))

    first = threading.Thread(target=slow)
    first.start()
    time.sleep(1.0)
    try:
        with pytest.raises(QueryError, match="你的上一条查询还在运行"):
            sql_sandbox.run_readonly_sql("select 1 as x")
        who["name"] = "zzb2"  # another 组织部 user is not held up
        frame, _ = sql_sandbox.run_readonly_sql("select 1 as x")
        assert frame["x"].to_list() == [1]
    finally:
        first.join(15)
    assert outcome and "查询超时" in outcome[0]
    who["name"] = "zzb"
    assert sql_sandbox.run_readonly_sql("select 2 as x")[0]["x"].to_list() == [2]  # free again


def test_at_most_two_workers_on_the_server(snapshot, monkeypatch):
    names = iter(["a", "b", "c"])
    local = threading.local()
    monkeypatch.setattr(auth, "viewer", lambda: local.name)
    errors: list = []

    def slow() -> None:
        local.name = next(names)
        try:
            sql_sandbox.run_readonly_sql(SLOW, timeout_s=3)
        except QueryError as error:
            errors.append(str(error))

    threads = [threading.Thread(target=slow) for _ in range(2)]
    for t in threads:
        t.start()
    time.sleep(1.0)
    local.name = next(names)
    try:
        with pytest.raises(QueryError, match="同时运行的查询已达上限（2 条）"):
            sql_sandbox.run_readonly_sql("select 1 as x")
    finally:
        for t in threads:
            t.join(15)
    assert len(errors) == 2 and all("查询超时" in e for e in errors)
