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
2.7–3.4 s). Its connections are NORMAL too, so the runs the daemon launches (outside
`databases_kept_open`) skip the fsync per commit as well.

A fourth is the planned events: creating a run writes one per asset and per check (≈ 375) before
the run starts, each in one or two transactions of its own. Dagster can hand them to the storage as
one batch; HomeInstance turns that on, and the storage writes a batch in one transaction per
database.
"""

import contextlib
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from dagster import DagsterInstance
from dagster._core.instance.ref import InstanceRef
from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    SQLITE_BUSY_TIMEOUT_SECONDS,
    SqliteEventLogStorage,
)
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine

# the databases a process writes at once: the index and the run's own; more are read by a daemon
KEPT_ENGINES = 8
# more than a run plans (≈ 375 assets and checks): its planned events are stored in one batch
PLANNED_EVENTS_BATCH = 1000


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


def _normal_sync_once_in_wal(dbapi_connection, record, _proxy) -> None:
    """`synchronous = NORMAL` on a kept engine's connection once its database is in WAL mode (see
    above); checked at checkout because a new database is switched to WAL after its first connect."""
    if record.info.get("normal_sync") or not isinstance(dbapi_connection, sqlite3.Connection):
        return
    if dbapi_connection.execute("pragma journal_mode").fetchone()[0] == "wal":
        dbapi_connection.execute("pragma synchronous = normal")
        record.info["normal_sync"] = True


@dataclass
class _Batch:
    owner: int  # the thread storing it
    connections: dict[str, Connection] = field(default_factory=dict)


class KeptEnginesEventLogStorage(SqliteEventLogStorage):
    """Dagster's SQLite event log (one database per run plus an index) with the engine of each of
    the last KEPT_ENGINES databases kept between writes instead of built for each one."""

    def __init__(self, base_dir: str, inst_data=None):
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        self._batch: _Batch | None = None
        super().__init__(base_dir, inst_data=inst_data)

    @contextlib.contextmanager
    def _connect(self, shard: str) -> Iterator:
        batch = self._batch
        if batch is not None and batch.owner == threading.get_ident():
            # inside store_event_batch, which holds the lock: every write of the batch to this
            # database goes into one transaction, committed when the batch ends
            if shard not in batch.connections:
                conn = self._engine(shard).connect()
                conn.begin()
                batch.connections[shard] = conn
            yield batch.connections[shard]
            return
        with self._db_lock, self._engine(shard).connect() as conn, conn.begin():
            yield conn

    def _engine(self, shard: str) -> Engine:
        """This database's kept engine (made, and the database created, on first use); the caller
        holds the lock."""
        engine = self._engines.pop(shard, None)
        if engine is None:
            engine = create_engine(
                self.conn_string_for_shard(shard), connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS}
            )
            event.listen(engine, "checkout", _normal_sync_once_in_wal)
        self._engines[shard] = engine
        while len(self._engines) > KEPT_ENGINES:
            self._engines.popitem(last=False)[1].dispose()
        if shard not in self._initialized_dbs:
            self._initdb(engine)
            self._initialized_dbs.add(shard)
        return engine

    def store_event_batch(self, events) -> None:
        """Dagster's own handling of each event (super().store_event), with one transaction per
        database for the whole batch instead of one or two per event. Dagster sends a batch only
        when the instance enables batch writing (HomeInstance does): the planned events a run's
        creation writes, one per asset and check (≈ 375 at every run). If an event fails, nothing of
        the batch is committed and Dagster stores the events one by one (a commit that fails after
        the run's database committed — a full disk — would leave those planned events twice)."""
        with self._db_lock:
            self._batch = _Batch(threading.get_ident())
            try:
                for stored in events:
                    super().store_event(stored)
                for conn in self._batch.connections.values():
                    conn.commit()
            finally:
                for conn in self._batch.connections.values():
                    conn.close()  # rolls back what was not committed
                self._batch = None

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

    def _get_event_batch_size(self) -> int:
        # Dagster's switch for batch writing (DAGSTER_EVENT_BATCH_SIZE, off by default): on, the
        # planned events of a run's creation reach store_event_batch above in batches of this size
        return PLANNED_EVENTS_BATCH
