"""自助查询: one read-only SELECT over the published `marts`, run where it can be stopped and bounded.

What a query may say is decided in dashboards/sql_policy.py. Where it runs is decided here: never in
the dashboard's own process (a DuckDB query there can neither be bounded in memory — `range()`
lists and `repeat()` strings are not counted by memory_limit — nor always be stopped: an interrupt
between two steps is lost), but in a worker process per query (dashboards/sql_worker.py) that
- limits its own address space (SQL_ADDRESS_SPACE_MB) besides DuckDB's memory_limit, runs one
  DuckDB thread, and spills to `<home>/tmp/sql-…/` (removed afterwards) up to SQL_TEMP_MB;
- is killed (SIGKILL) when SQL_TIMEOUT_S is up, whatever it is doing;
- returns at most `limit` + 1 rows and at most SQL_RESULT_BYTES of them.
One query per user runs at a time, and at most SQL_MAX_WORKERS over the whole server. Error texts
shown to the user never carry a path of the server.
"""

import contextlib
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from dashboards import auth, snapshot, sql_errors
from dashboards.sql_policy import QueryError, error_text, hide_paths, statement_body

SQL_DEFAULT_LIMIT = 1_000
SQL_MAX_LIMIT = 10_000
SQL_TIMEOUT_S = 10.0
SQL_MEMORY_MB = 1024  # DuckDB's memory_limit in the worker
SQL_ADDRESS_SPACE_MB = 3072  # the worker's whole address space (Python, DuckDB and pyarrow take ≈ 1 GB)
SQL_TEMP_MB = 1024  # spill files
SQL_RESULT_BYTES = 50 * (1 << 20)
SQL_THREADS = 1  # leave the other core to the dashboard
SQL_MAX_WORKERS = 2
WORKER = Path(__file__).resolve().with_name("sql_worker.py")

SQL_FORBIDDEN_MESSAGE = "无权限：自助查询只对组织部用户开放。"
SQL_TIMEOUT_MESSAGE = (
    "查询超时（超过 {seconds:g} 秒），已停止。请加上筛选条件、减少连接的表，或先用 count(*) 看看数据量。"
)
SQL_MEMORY_MESSAGE = "查询需要的内存超过上限（{mb:,} MB），已停止。请加上筛选条件、减少连接的表或返回的列。"
SQL_TOO_BIG_MESSAGE = "查询结果太大（超过 {mb:g} MB），请减少返回的行或列。"
SQL_BUSY_MESSAGE = "你的上一条查询还在运行，请等它结束后再运行新的查询。"
SQL_FULL_MESSAGE = "服务器上同时运行的查询已达上限（{workers} 条），请稍后再试。"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SqlLimits:
    timeout_s: float = SQL_TIMEOUT_S
    memory_mb: int = SQL_MEMORY_MB
    address_space_mb: int = SQL_ADDRESS_SPACE_MB
    temp_mb: int = SQL_TEMP_MB
    result_bytes: int = SQL_RESULT_BYTES
    threads: int = SQL_THREADS


_RUNNING: set[str] = set()  # users with a query running
_RUNNING_LOCK = threading.Lock()
_WORKERS = threading.BoundedSemaphore(SQL_MAX_WORKERS)


def check_readonly_sql(sql: str, tables: Collection[str] | None = None) -> str | None:
    """None if the page may run `sql`, else the Chinese reason (see dashboards/sql_policy.py)."""
    try:
        statement_body(sql, tables)
    except QueryError as error:
        return str(error)
    return None


def marts_tables(path: str | Path) -> list[str]:
    frame = snapshot.run_query(
        path,
        "select table_name from duckdb_tables() where database_name = current_database() "
        "and schema_name = 'marts' order by 1",
    )
    return frame["table_name"].to_list()


def run_readonly_sql(
    sql: str,
    limit: int = SQL_DEFAULT_LIMIT,
    timeout_s: float = SQL_TIMEOUT_S,
    path: str | Path | None = None,
    limits: SqlLimits | None = None,
) -> tuple[pl.DataFrame, bool]:
    """Run one read-only SELECT on the snapshot; return (at most `limit` rows, whether there were more).

    Refused statements, errors and the limits raise QueryError with a Chinese message.
    """
    if snapshot.current_scope() is not None:
        raise QueryError(SQL_FORBIDDEN_MESSAGE)
    path = Path(path) if path is not None else snapshot.serving_path()
    if not path.is_file():
        raise QueryError(snapshot.NO_SNAPSHOT_MESSAGE)
    body = statement_body(sql, marts_tables(path))
    limits = limits or SqlLimits(timeout_s=timeout_s)
    user = auth.viewer()
    with _RUNNING_LOCK:
        if user in _RUNNING:
            raise QueryError(SQL_BUSY_MESSAGE)
        _RUNNING.add(user)
    try:
        if not _WORKERS.acquire(blocking=False):
            raise QueryError(SQL_FULL_MESSAGE.format(workers=SQL_MAX_WORKERS))
        try:
            return run_in_worker(body, limit, path, limits)
        finally:
            _WORKERS.release()
    finally:
        with _RUNNING_LOCK:
            _RUNNING.discard(user)


STALE_SCRATCH_S = 3600  # a scratch folder this old belongs to no running query (they end in seconds)


def temp_root(path: Path) -> Path:
    """`<home>/tmp`: the snapshot lives in the home, and so do the spill files, owner-only. Scratch
    folders a killed server left behind are removed here."""
    root = path.resolve().parent / "tmp"
    root.mkdir(mode=0o700, exist_ok=True)
    now = time.time()
    for old in root.glob("sql-*"):
        with contextlib.suppress(OSError):
            if now - old.stat().st_mtime > STALE_SCRATCH_S:
                shutil.rmtree(old, ignore_errors=True)
    return root


def run_in_worker(
    body: str, limit: int, path: str | Path, limits: SqlLimits = SqlLimits()
) -> tuple[pl.DataFrame, bool]:
    """Run `body` (already checked, or not: the worker is the fence either way) in a worker process."""
    limit = max(1, min(int(limit), SQL_MAX_LIMIT))
    path = Path(path)
    scratch = tempfile.mkdtemp(prefix="sql-", dir=temp_root(path))
    request = {
        "snapshot": str(path.resolve()),
        "sql": body,
        "limit": limit,
        "temp_dir": scratch,
        "memory_mb": limits.memory_mb,
        "address_space_mb": limits.address_space_mb,
        "temp_mb": limits.temp_mb,
        "threads": limits.threads,
        "result_bytes": limits.result_bytes,
        "cpu_s": int(limits.timeout_s) + 2,  # its own end, should the dashboard be gone
    }
    hidden = [str(path.resolve()), str(path), scratch, str(path.resolve().parent), str(WORKER.parent.parent)]
    try:
        output, problem = _run(request, scratch, limits.timeout_s)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if problem is not None:
        raise QueryError(problem)
    header, _, payload = output.partition(b"\n")
    try:
        answer = json.loads(header)
    except ValueError:
        answer = None
    if not isinstance(answer, dict):  # killed by a limit before it could answer
        raise QueryError(SQL_MEMORY_MESSAGE.format(mb=limits.memory_mb))
    if not answer.get("ok"):
        detail = hide_paths(error_text(answer.get("message", "")), hidden)
        raise QueryError(_message(answer, limits, hidden), detail=detail)
    if len(payload) != answer.get("bytes") or len(payload) > limits.result_bytes:
        raise QueryError(SQL_TOO_BIG_MESSAGE.format(mb=limits.result_bytes / (1 << 20)))
    frame = pl.read_ipc_stream(payload)
    return frame.head(limit), frame.height > limit


def _run(request: dict, scratch: str, timeout_s: float) -> tuple[bytes, str | None]:
    """(stdout, None) of a worker that ended on its own, or (b"", message) when it was killed."""
    proc = subprocess.Popen(
        [sys.executable, "-I", str(WORKER)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=scratch,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8", "HOME": scratch},
    )  # in the server's process group: stopping the server (Ctrl-C, kill of the group) stops it too
    try:
        output, errors = proc.communicate(json.dumps(request).encode("utf-8"), timeout=timeout_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        return b"", SQL_TIMEOUT_MESSAGE.format(seconds=timeout_s)
    finally:
        if proc.poll() is None:  # an exception of our own (the page was left): never leave it running
            proc.kill()
            proc.wait()
    if proc.returncode != 0:
        log.warning(
            "自助查询 worker ended with %s: %s", proc.returncode, errors[-2000:].decode(errors="replace")
        )
    return output, None


def _message(answer: dict, limits: SqlLimits, hidden: Collection[str]) -> str:
    kind = answer.get("kind")
    detail = hide_paths(error_text(answer.get("message", "")), hidden)
    if kind == "too_big":
        return SQL_TOO_BIG_MESSAGE.format(mb=limits.result_bytes / (1 << 20))
    if kind == "OutOfMemoryException" or "Out of Memory" in detail:
        return SQL_MEMORY_MESSAGE.format(mb=limits.memory_mb)
    if kind == "PermissionException":
        return "不允许读取文件或访问外部资源：自助查询只能查询已发布数据中 marts 的表。"
    if kind == "InterruptException":
        return "查询被中断。"
    if kind == "IOException":
        return "无法读取数据快照，请稍后再试。"
    translated = sql_errors.translate(detail)
    if translated is not None:  # the English original is kept in QueryError.detail, folded on the page
        return translated
    if kind == "CatalogException":
        return f"找不到表、列或函数（可在「数据目录」中查看 marts 的表和列）：{detail}"
    if kind == "ParserException":
        return f"SQL 语法错误：{detail}"
    return f"查询出错：{detail}"
