"""Every file is parsed in a worker process under a memory and a time limit, so that nothing a file
does to the parser — a native abort in calamine, memory without end, a parse that never finishes —
can take the run down: the worker dies, the file becomes one reject naming what happened, and the
run goes on with a fresh worker.

The limits, per file:

* memory: the worker's address space (RLIMIT_AS) is at most PARSE_MEMORY_BYTES, 4 GiB
  ($DANGJIAN_PARSE_MEMORY_MB to change it). A million-row sheet of 14 columns needs about 2 GiB
  of address space; a Rust allocation past the limit aborts the worker, a Python one raises
  MemoryError in it, and either way the worker is replaced.
* time: PARSE_SECONDS_BASE + PARSE_SECONDS_PER_MIB per MiB of the file (300 s + 4 s/MiB; a
  million-row xlsx of 50 MB parses in about 30 s), or $DANGJIAN_PARSE_SECONDS for every file.

A worker is one `python -m dagster_project.ingest.worker` process, started before it is needed
(by `dangjian run` before Dagster sets the run up, else when the ingest step begins: its imports,
~0.3 s, overlap other work) and kept for the run's files: a warm run with one small changed file
pays one start, not one per file, and does not wait for it. From POOL_MIN_BYTES of changed
files on, more workers parse side by side (ingest_workers()); results come back in the files' order,
at most one waiting per worker, so memory stays bounded while the caller writes each result.
Requests and results travel as pickles over two pipes; the worker's stdout and stderr go to a file
whose last lines name the native error when it aborts.
"""

import atexit
import contextlib
import datetime as dt
import os
import pickle
import resource
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

from dagster_project.ingest.reader import FileResult, whole_file_result

PARSE_MEMORY_BYTES = 4 << 30
PARSE_SECONDS_BASE = 300.0
PARSE_SECONDS_PER_MIB = 4.0
# Below this many bytes to parse, a second worker (about a second of CPU to start) costs more than
# it saves.
POOL_MIN_BYTES = 4 << 20
_START_SECONDS = 120.0  # a worker that is not ready by then is a broken installation, not a bad file
_MEMORY_EXIT = 86  # the worker's exit status after a MemoryError


@dataclass(frozen=True)
class ParseLimits:
    memory_bytes: int = PARSE_MEMORY_BYTES
    seconds: float | None = None  # the same for every file; None: by size

    @classmethod
    def from_env(cls) -> "ParseLimits":
        memory = os.environ.get("DANGJIAN_PARSE_MEMORY_MB")
        seconds = os.environ.get("DANGJIAN_PARSE_SECONDS")
        return cls(
            int(memory) << 20 if memory else PARSE_MEMORY_BYTES,
            float(seconds) if seconds else None,
        )

    def seconds_for(self, size: int) -> float:
        if self.seconds is not None:
            return self.seconds
        return PARSE_SECONDS_BASE + PARSE_SECONDS_PER_MIB * size / (1 << 20)


def ingest_workers() -> int:
    """Processes that parse files side by side: $DANGJIAN_INGEST_WORKERS, else one per core, at most 2
    (the writer, DuckDB, is one process anyway)."""
    configured = os.environ.get("DANGJIAN_INGEST_WORKERS")
    return int(configured) if configured else min(2, os.cpu_count() or 1)


@dataclass(frozen=True)
class Parsed:
    result: FileResult
    crashed: bool  # the file took its worker down (killed, aborted, out of memory or time)


_CRASH_ADVICE = (
    "，已放弃读取；同一内容以后不再尝试读取。请检查表格下方和右侧远处是否有多余的单元格，"
    "或用 Excel 打开后另存为新文件再提交"
)


def crash_reason(detail: str) -> str:
    return f"读取该文件时解析进程异常终止（{detail}）{_CRASH_ADVICE}"


class _Worker:
    def __init__(self, limits: ParseLimits, threads: int | None):
        self.limits = limits
        requests_read, requests_write = os.pipe()
        results_read, results_write = os.pipe()
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 (closed in stop())
        env = {**os.environ, "RUST_BACKTRACE": "0"}
        if threads:
            env["POLARS_MAX_THREADS"] = str(threads)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "dagster_project.ingest.worker"]
            + [str(requests_read), str(results_write), str(limits.memory_bytes)],
            pass_fds=(requests_read, results_write),
            stdin=subprocess.DEVNULL,
            stdout=self.log,
            stderr=self.log,
            env=env,
            start_new_session=True,  # a Ctrl-C at the terminal stops the run, not the file it reads
        )
        os.close(requests_read)
        os.close(results_write)
        self.requests = Connection(requests_write, readable=False)
        self.results = Connection(results_read, writable=False)
        self.ready = False
        self.deadline = 0.0
        self.limit = 0.0

    def _wait_ready(self) -> None:
        if self.ready:
            return
        if not self.results.poll(_START_SECONDS) or self.results.recv() != "ready":
            raise RuntimeError(f"解析进程未能启动：{self._log_tail()}")
        self.ready = True

    def submit(self, path: Path, source_file: str, today: dt.date, sheet_name: str | None = None) -> None:
        self._wait_ready()
        self.limit = self.limits.seconds_for(path.stat().st_size)
        self.requests.send((str(path), source_file, today, sheet_name))
        self.deadline = time.monotonic() + self.limit

    def result(self, source_file: str) -> Parsed:
        """The result of the file submitted last; a reject when the worker dies or runs out of time."""
        if self.results.poll(max(0.0, self.deadline - time.monotonic())):
            try:
                status, payload = self.results.recv()
            except (EOFError, OSError, pickle.UnpicklingError):
                status, payload = "died", None
        else:
            status, payload = "timeout", None
        if status == "ok":
            return Parsed(payload, crashed=False)
        if status == "error":  # a bug in the reader, not a crash: reported, and tried again next time
            print(payload, file=sys.stderr)
            reason = f"读取该文件时程序出错（{payload.strip().splitlines()[-1]}），请把文件发给系统管理员"
            return Parsed(whole_file_result(source_file, reason), crashed=False)
        self.process.kill()  # gone already, or out of time
        self.process.wait()
        reason = crash_reason(self._what_happened(status))
        self.stop()
        return Parsed(whole_file_result(source_file, reason), crashed=True)

    def _what_happened(self, status: str) -> str:
        if status == "timeout":
            return f"超过时间上限 {self.limit:g} 秒"
        code = self.process.returncode
        if code == _MEMORY_EXIT:
            return f"内存用量超过上限 {self.limits.memory_bytes >> 20:,} MiB"
        if "memory allocation" in self._log_tail():
            return "内存分配失败"
        if code is not None and code < 0:
            return f"被信号 {signal.Signals(-code).name} 终止"
        return f"退出码 {code}"

    def _log_tail(self) -> str:
        self.log.seek(0, os.SEEK_END)
        self.log.seek(max(0, self.log.tell() - 4096))
        return self.log.read().decode("utf-8", "replace")

    def stop(self) -> None:
        """Ends the worker. Killed, not asked: an idle worker has nothing to finish, and a Python
        process with polars loaded takes a tenth of a second to shut down by itself."""
        if self.log.closed:
            return
        if self.process.returncode is None:
            self.process.kill()
            self.process.wait()  # waited for, so that its peak memory counts as the run's
        for end in (self.requests, self.results):
            end.close()
        self.log.close()


_EARLY: list[_Worker] = []  # a worker started by start_early(), for the next ParsePool to take


def start_early() -> None:
    """Start the first parse worker of this process now. `dangjian run` calls it before Dagster sets
    the run up, so that the worker's start (~0.3 s) is over when the ingest step needs it; the
    step's ParsePool takes it. Killed at exit if nothing took it (the inbox was unchanged)."""
    if not _EARLY:
        _EARLY.append(_Worker(ParseLimits.from_env(), threads=None))
        atexit.register(_stop_early)


def _stop_early() -> None:
    while _EARLY:
        _EARLY.pop().stop()


class ParsePool:
    """Parse workers for one run: one starts at once (see the module's docstring), more on demand."""

    def __init__(self, limits: ParseLimits | None = None):
        self.limits = limits or ParseLimits.from_env()
        early = _EARLY.pop() if _EARLY and _EARLY[-1].limits == self.limits else None
        if early is not None and early.process.poll() is not None:  # gone meanwhile: start afresh
            early.stop()
            early = None
        self.idle: list[_Worker] = [early or _Worker(self.limits, threads=None)]
        self.started = list(self.idle)
        self.size = 1

    def _start(self, threads: int | None) -> _Worker:
        worker = _Worker(self.limits, threads)
        self.started.append(worker)
        return worker

    def parse(
        self,
        files: Sequence[tuple],
        workers: int | None = None,
        min_bytes: int = POOL_MIN_BYTES,
    ) -> Iterator[Parsed]:
        """Results of (path, source file name, the day its rules use[, a CSV/Parquet file's sheet name]),
        in the same order."""
        workers = ingest_workers() if workers is None else workers
        if len(files) > 1 and sum(f[0].stat().st_size for f in files) >= min_bytes:
            self.size = max(1, workers)
        busy: deque[tuple[_Worker, str]] = deque()
        for path, source_file, today, *sheet_name in files:
            if not self.idle and len(busy) + len(self.idle) < self.size:
                # one polars thread per worker when several share the cores
                self.idle.append(self._start(threads=1))
            if not self.idle:
                yield self._finish(*busy.popleft())
            worker = self.idle.pop()
            worker.submit(path, source_file, today, *sheet_name)
            busy.append((worker, source_file))
        while busy:
            yield self._finish(*busy.popleft())

    def _finish(self, worker: _Worker, source_file: str) -> Parsed:
        parsed = worker.result(source_file)
        if parsed.crashed:
            worker = self._start(threads=1 if self.size > 1 else None)
        self.idle.append(worker)
        return parsed

    def close(self) -> None:
        for worker in self.started:
            worker.stop()
        self.idle.clear()
        self.started.clear()

    def __enter__(self) -> "ParsePool":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def parse_files(
    files: Sequence[tuple],
    workers: int | None = None,
    min_bytes: int = POOL_MIN_BYTES,
    limits: ParseLimits | None = None,
) -> Iterator[Parsed]:
    """ParsePool.parse with a pool of its own."""
    with ParsePool(limits) as pool:
        yield from pool.parse(files, workers, min_bytes)


# --- the worker process ------------------------------------------------------------------------------------


def _serve(requests: Connection, results: Connection) -> None:
    from dagster_project.ingest.reader import parse_file

    results.send("ready")
    while True:
        try:
            request = requests.recv()
        except EOFError:  # the run is gone
            return
        if request is None:
            return
        path, source_file, today, sheet_name = request
        try:
            results.send(("ok", parse_file(Path(path), source_file, today, sheet_name)))
        except MemoryError:
            os._exit(_MEMORY_EXIT)  # nothing in this process can be trusted to work any more
        except Exception:
            results.send(("error", traceback.format_exc()))


def main(argv: list[str]) -> None:
    requests_fd, results_fd, memory = (int(a) for a in argv)
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    requests = Connection(requests_fd, writable=False)
    results = Connection(results_fd, readable=False)
    with contextlib.suppress(BrokenPipeError, EOFError):  # the run ended while a file was parsed
        _serve(requests, results)


if __name__ == "__main__":
    main(sys.argv[1:])
