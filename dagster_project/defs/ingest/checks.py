import dagster as dg
import duckdb
from dagster_duckdb import DuckDBResource

from dagster_project.contracts import SHEET_KINDS


@dg.asset_check(asset=dg.AssetKey(["raw", "rejects"]), pool="duckdb")
def rejects_per_file(warehouse: DuckDBResource) -> dg.AssetCheckResult:
    """Warns when rows were rejected, with the count per file (the list to send back is
    `dangjian rejects`)."""
    with warehouse.get_connection() as con:
        rows = con.execute(
            "select source_file, count(distinct (sheet, row_number)) filter (where row_number is not null), "
            "count(*) filter (where row_number is null) from raw.rejects group by 1 order by 2 desc, 1"
        ).fetchall()
    table = "\n".join(f"| {f} | {n} | {'是' if whole else ''} |" for f, n, whole in rows)
    return dg.AssetCheckResult(
        passed=not rows,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "files_with_rejects": len(rows),
            "rejected_rows": sum(n for _, n, _ in rows),
            "unreadable_files": sum(1 for _, _, whole in rows if whole),
            "per_file": dg.MetadataValue.md(
                "| 文件 | 拒收行数 | 整个文件无法读取 |\n|---|---|---|\n" + table
            ),
        },
    )


@dg.asset_check(asset=dg.AssetKey(["raw", "files"]), blocking=True, pool="duckdb")
def warehouse_state_consistent(warehouse: DuckDBResource) -> dg.AssetCheckResult:
    """Fails when schema raw cannot be read or holds rows of a file it has no record of (or of an
    older version of it): then scores would not trace back to the inbox."""
    problems: dict[str, int] = {}
    try:
        with warehouse.get_connection() as con:
            for kind in SHEET_KINDS:
                (orphans,) = con.execute(
                    f"select count(*) from raw.{kind.table} as t where not exists ("
                    "select 1 from raw.files as f where f.source_file = t._source_file "
                    "and f.file_hash = t._file_hash)"
                ).fetchone()
                if orphans:
                    problems[kind.table] = orphans
    except duckdb.Error as exc:
        return dg.AssetCheckResult(passed=False, metadata={"error": str(exc)})
    return dg.AssetCheckResult(passed=not problems, metadata={"orphan_rows": dg.MetadataValue.json(problems)})
