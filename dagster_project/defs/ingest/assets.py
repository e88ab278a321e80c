from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource

from dagster_project.contracts import SHEET_KINDS
from dagster_project.defs.resources import HomeResource
from dagster_project.home import private
from dagster_project.ingest.store import sync_inbox
from dagster_project.ingest.task_owners import OWNERS_TABLE
from dagster_project.ingest.worker import ParsePool

RAW_TABLES = [kind.table for kind in SHEET_KINDS] + ["rejects", OWNERS_TABLE, "files", "submissions"]


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            ["raw", table],
            group_name="ingest",
            kinds={"duckdb", "excel"},
            description=f"Schema raw, table {table}: rows of the inbox's workbooks with lineage columns.",
        )
        for table in RAW_TABLES
    ],
    pool="duckdb",
)
def inbox_workbooks(context: dg.AssetExecutionContext, home: HomeResource, warehouse: DuckDBResource):
    """Reads every changed file of $DANGJIAN_HOME/inbox into schema `raw` (unchanged files are skipped,
    removed files take their rows with them) and quarantines what cannot be loaded in raw.rejects.
    Each file is parsed in a worker process under memory and time limits (ingest/worker.py)."""
    folders = home.home.ensure()
    # the parse worker starts first: its imports overlap opening the warehouse and hashing the inbox
    with ParsePool() as pool, warehouse.get_connection() as con:
        private(Path(warehouse.database))  # raw holds ID-card numbers in clear, whatever the umask
        summary = sync_inbox(con, folders.inbox, folders.archive, pool=pool)
        counts = dict(
            con.execute(
                " union all ".join(f"select '{t}', count(*) from raw.{t}" for t in RAW_TABLES)
            ).fetchall()
        )
    context.log.info(
        f"inbox: {len(summary.parsed)} parsed, {len(summary.unchanged)} unchanged, "
        f"{len(summary.removed)} removed, {len(summary.skipped)} not read"
    )
    if summary.crashed or summary.remembered:
        context.log.warning(
            "以下文件使解析进程异常终止，各记为一条整文件拒收，同一内容不再解析："
            + "、".join(summary.crashed + summary.remembered)
        )
    for table in RAW_TABLES:
        yield dg.MaterializeResult(
            asset_key=["raw", table],
            metadata={"dagster/row_count": int(counts[table]), **summary.as_metadata()},
        )
