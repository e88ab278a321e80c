"""The process one 自助查询 runs in: `python -I dashboards/sql_worker.py`, started per query by
dashboards/sql_sandbox.py, which kills it at the time limit.

It first limits itself — address space (RLIMIT_AS: what DuckDB's own memory_limit does not count,
such as a `range()` list or a `repeat()` string, fails here instead of growing the server), CPU
seconds (it dies on its own if the server that started it is gone), the size of any file it writes,
no core dumps — then opens the snapshot read-only on an in-memory DuckDB with one thread, spill files
in the scratch folder it is given (capped by max_temp_directory_size), no file or network access and
its settings locked. It runs the query, keeps at most `limit` + 1 rows, and answers on stdout: one
JSON line, then (for a result) the rows as an Arrow IPC stream — or, past `result_bytes`, nothing.

Only the standard library, duckdb and pyarrow: it is started with `-I`, apart from the project.
"""

import json
import re
import resource
import sys
from typing import Any

MB = 1 << 20

# DuckDB types shown as they are; HUGEINT (e.g. sum of BIGINT) becomes DECIMAL(38,0); anything else
# (lists, structs, maps, intervals, UUID, BLOB, time zones, enums...) becomes its text, so the grid,
# CSV and Excel all take it.
NATIVE_TYPES = re.compile(
    r"BOOLEAN|TINYINT|SMALLINT|INTEGER|BIGINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE"
    r"|DECIMAL\(\d+,\s*\d+\)|VARCHAR|DATE|TIMESTAMP(_S|_MS|_NS)?|TIME"
)


def limit_process(address_space_mb: int, cpu_s: int, file_mb: int) -> None:
    for limit, value in (
        (resource.RLIMIT_AS, address_space_mb * MB),
        (resource.RLIMIT_CPU, cpu_s),
        (resource.RLIMIT_FSIZE, file_mb * MB),
        (resource.RLIMIT_CORE, 0),
    ):
        resource.setrlimit(limit, (value, value))


def sandbox_connection(
    snapshot: str, temp_dir: str, memory_mb: int, temp_mb: int, threads: int = 1
):  # -> duckdb.DuckDBPyConnection (not imported at module level: the limits come first)
    import duckdb

    con = duckdb.connect(
        ":memory:",
        config={
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
            "threads": threads,
            "memory_limit": f"{memory_mb}MB",
            "temp_directory": temp_dir,
            "max_temp_directory_size": f"{temp_mb}MB",
        },
    )
    try:
        con.execute("attach ? as snapshot (read_only)", [snapshot])
        con.execute("use snapshot")
        con.execute("set search_path = 'snapshot.marts'")  # `from branch_scores` means marts.branch_scores
        con.execute("set enable_external_access = false")
        con.execute("set lock_configuration = true")
    except BaseException:
        con.close()
        raise
    return con


def fetch(con, body: str, limit: int):  # -> pyarrow.Table of at most limit + 1 rows
    inner = f"select * from (\n{body}\n) as q"  # newlines: a trailing `--` comment cannot eat the `)`
    relation = con.sql(inner)
    columns = []
    for name, dtype in zip(relation.columns, relation.types, strict=True):
        ident = '"' + name.replace('"', '""') + '"'
        kind = str(dtype)
        if NATIVE_TYPES.fullmatch(kind):
            columns.append(ident)
        elif kind in ("HUGEINT", "UHUGEINT"):
            columns.append(f"{ident}::DECIMAL(38,0) as {ident}")
        else:
            columns.append(f"{ident}::VARCHAR as {ident}")
    return con.sql(f"select {', '.join(columns)} from (\n{inner}\n) as r limit {limit + 1}").to_arrow_table()


def ipc_bytes(table) -> bytes:
    import pyarrow as pa

    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def reply(header: dict[str, Any], payload: bytes = b"") -> None:
    out = sys.stdout.buffer
    out.write(json.dumps(header, ensure_ascii=False).encode("utf-8") + b"\n")
    out.write(payload)
    out.flush()


def main() -> None:
    request = json.loads(sys.stdin.buffer.read(1 * MB))
    limit_process(request["address_space_mb"], request["cpu_s"], request["temp_mb"] + 64)
    try:
        import duckdb
    except MemoryError:
        reply({"ok": False, "kind": "OutOfMemoryException", "message": ""})
        return
    try:
        con = sandbox_connection(
            request["snapshot"],
            request["temp_dir"],
            request["memory_mb"],
            request["temp_mb"],
            request["threads"],
        )
        payload = ipc_bytes(fetch(con, request["sql"], request["limit"]))
    except duckdb.Error as error:
        reply({"ok": False, "kind": type(error).__name__, "message": str(error)})
        return
    except MemoryError:
        reply({"ok": False, "kind": "OutOfMemoryException", "message": ""})
        return
    if len(payload) > request["result_bytes"]:
        reply({"ok": False, "kind": "too_big", "bytes": len(payload)})
        return
    reply({"ok": True, "bytes": len(payload)}, payload)


if __name__ == "__main__":
    main()
