"""Dagster's SQLite run history, made cheap to write to during a run.

A warm run records ≈ 560 events (a dbt node is 2–3: planned, output, materialization or check
result), and Dagster's SQLite storage opens a fresh connection for each write and closes it again.
Two SQLite costs came with every one of those writes:
- when the last connection to a WAL-mode database closes, SQLite checkpoints the WAL into the
  database file and fsyncs it. Holding one idle connection to each database for the length of the
  run means no close is the last one; SQLite checkpoints once per 1,000 pages instead;
- `synchronous = FULL` (the default) fsyncs the WAL at every commit. In WAL mode `NORMAL` is what
  SQLite recommends: the database cannot be corrupted, only the last commits before a power cut
  can be lost — here, the last log lines of a run the cut interrupted anyway (`dangjian run` marks
  such runs failed on its next start).
Together they took the run's own bookkeeping from ≈ 19 ms to ≈ 7 ms per event on this machine.

A third cost is Dagster's own: its SQLite event log builds a new SQLAlchemy engine (and runs its
dialect's first-connect queries) for every write. `HomeInstance`, the instance class every home's
dagster.yaml names — so `dangjian run`, the daemon and the run processes it launches all use it —
keeps one engine per database instead (measured on the demo's warm run: 944 writes, 7.1–8.5 s →
2.7–3.4 s).
"""

import contextlib
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Iterator
from pathlib import Path

from dagster import DagsterInstance
from dagster._core.instance.ref import InstanceRef
from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    SQLITE_BUSY_TIMEOUT_SECONDS,
    SqliteEventLogStorage,
)
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine

# the databases a process writes at once: the index and the run's own; more are read by a daemon
KEPT_ENGINES = 8


def _database_file(connection: sqlite3.Connection) -> Path | None:
    name = connection.execute("pragma database_list").fetchone()[2]
    return Path(name) if name else None


@contextlib.contextmanager
def databases_kept_open(folder: Path) -> Iterator[dict[Path, sqlite3.Connection]]:
    """While inside, every SQLite database under `folder` that SQLAlchemy connects to is written with
    `synchronous = NORMAL` (once it is in WAL mode) and stays open once more, by a connection of ours.

    Yields the held connections (for tests). The holder reads the schema on each new connection to its
    database so that it also holds the WAL index once Dagster has switched a new database to WAL.
    """
    folder = folder.resolve()
    held: dict[Path, sqlite3.Connection] = {}
    lock = threading.Lock()

    def hold(dbapi_connection, _record) -> None:
        if not isinstance(dbapi_connection, sqlite3.Connection):
            return
        path = _database_file(dbapi_connection)
        if path is None or not path.resolve().is_relative_to(folder):
            return
        # NORMAL is only safe in WAL mode; a new database is switched to WAL by its first connection
        if dbapi_connection.execute("pragma journal_mode").fetchone()[0] == "wal":
            dbapi_connection.execute("pragma synchronous = normal")
        with lock:
            holder = held.get(path)
            if holder is None:
                holder = held[path] = sqlite3.connect(path, check_same_thread=False)
            holder.execute("select count(*) from sqlite_master").fetchone()

    event.listen(Engine, "connect", hold)
    try:
        yield held
    finally:
        event.remove(Engine, "connect", hold)
        with lock:
            for holder in held.values():
                holder.close()
            held.clear()


class KeptEnginesEventLogStorage(SqliteEventLogStorage):
    """Dagster's SQLite event log (one database per run plus an index) with the engine of each of
    the last KEPT_ENGINES databases kept between writes instead of built for each one."""

    def __init__(self, base_dir: str, inst_data=None):
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        super().__init__(base_dir, inst_data=inst_data)

    @contextlib.contextmanager
    def _connect(self, shard: str) -> Iterator:
        with self._db_lock:
            engine = self._engines.pop(shard, None)
            if engine is None:
                engine = create_engine(
                    self.conn_string_for_shard(shard), connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS}
                )
            self._engines[shard] = engine
            while len(self._engines) > KEPT_ENGINES:
                self._engines.popitem(last=False)[1].dispose()
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    def _dispose_engines(self) -> None:
        with self._db_lock:
            for engine in self._engines.values():
                engine.dispose()
            self._engines.clear()

    def wipe(self) -> None:
        self._dispose_engines()  # no connection kept to a database file that is about to be deleted
        super().wipe()

    def upgrade(self) -> None:
        self._dispose_engines()
        super().upgrade()

    def dispose(self) -> None:
        self._dispose_engines()
        super().dispose()


class HomeInstance(DagsterInstance):
    """Dagster's instance with the SQLite event log above. Named in dagster.yaml by module and class
    only, so the home's folder is wherever that file is (a copied home is a home)."""

    @classmethod
    def config_schema(cls) -> dict:
        return {}  # nothing of its own to configure

    @staticmethod
    def config_defaults(base_dir: str):
        return InstanceRef.config_defaults(base_dir)  # Dagster's own layout of the folder

    def __init__(self, *args, event_storage, **kwargs):
        if type(event_storage) is SqliteEventLogStorage:
            # built by Dagster from the same yaml a moment ago, never used: same folder, same data
            event_storage = KeptEnginesEventLogStorage(
                event_storage._base_dir, inst_data=event_storage.inst_data
            )
        super().__init__(*args, event_storage=event_storage, **kwargs)
