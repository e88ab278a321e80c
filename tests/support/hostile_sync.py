"""`python -m tests.support.hostile_sync ROOT NOW`: store.sync_inbox over ROOT/inbox into
ROOT/warehouse.duckdb at NOW, alone in this process so that its peak memory can be measured; prints
the IngestSummary as JSON on its last line."""

import dataclasses
import datetime as dt
import json
import sys
from pathlib import Path

import duckdb

from dagster_project.ingest.store import sync_inbox


def main(root: Path, now: dt.datetime) -> None:
    with duckdb.connect(str(root / "warehouse.duckdb")) as con:
        summary = sync_inbox(con, root / "inbox", root / "archive", now=now)
    print(json.dumps(dataclasses.asdict(summary), ensure_ascii=False))


if __name__ == "__main__":
    main(Path(sys.argv[1]), dt.datetime.fromisoformat(sys.argv[2]))
