"""Where each pipeline run's dbt invocation keeps its artifacts, and dbt's parse cache between runs.

dagster-dbt gives every invocation a fresh target folder and seeds it with the project's
`target/partial_parse.msgpack`. That file comes from `dbt parse` (project.ensure_manifest), whose profile
points at whatever DANGJIAN_HOME was set then, so dbt refused it ("profile has changed") and parsed
the whole project again on every run (≈ 3.5 s of a warm run). The cache now lives in the home that
wrote it, keyed by the project's folder (seeds record their absolute path), and each run writes back
the one it produced. Run folders live in the home too (≈ 3 MB each) and only the newest are kept.

Seeds (the rulebook) and views (staging) do not change when data does, and a warm run skipped
rebuilding them saves about a second: the warehouse records the fingerprint of the project that
last built it completely (`meta.dbt_build`), and when the project is the same, dbt leaves seeds and
views out — their tests still run, on the new data, except those that read the seeds alone
(`rulebook_only_tests`). A build that may change them first forgets the
fingerprint, so a crash midway never leaves a stale one.
"""

import hashlib
import importlib.metadata
import os
import shutil
from pathlib import Path

import duckdb

from dagster_project.home import DBT_DIR, REPO_ROOT, Home

PARTIAL_PARSE = "partial_parse.msgpack"
RUNS_KEPT = 5


def runs_folder(home: Home) -> Path:
    return home.root / "dbt"


def parse_cache(home: Home, project_dir: Path = DBT_DIR) -> Path:
    key = hashlib.sha256(str(project_dir.resolve()).encode()).hexdigest()[:12]
    return runs_folder(home) / f"partial_parse-{key}.msgpack"


def run_target(home: Home, run_id: str) -> Path:
    """A new folder for this run's dbt output (compiled SQL, dbt.log), seeded with the parse cache."""
    target = runs_folder(home) / f"run-{run_id}"
    target.mkdir(parents=True, exist_ok=True)
    # a new home starts from the one `dbt parse` left in the project (usable when its profile matches)
    for cache in (parse_cache(home), DBT_DIR / "target" / PARTIAL_PARSE):
        if cache.exists():
            shutil.copyfile(cache, target / PARTIAL_PARSE)
            break
    return target


def keep_parse_cache(home: Home, target: Path) -> None:
    """Make the parse state this run's dbt wrote the one the next run starts from (atomically)."""
    produced = target / PARTIAL_PARSE
    if not produced.exists():
        return
    cache = parse_cache(home)
    staging = cache.with_name(cache.name + ".tmp")
    shutil.copyfile(produced, staging)
    os.replace(staging, cache)


def prune_runs(home: Home, keep: int = RUNS_KEPT) -> list[Path]:
    """Delete all but the `keep` newest run folders; returns what was deleted."""
    runs = sorted(runs_folder(home).glob("run-*"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
    old = runs[keep:]
    for folder in old:
        shutil.rmtree(folder, ignore_errors=True)
    return old


# What a seed or a view depends on: the project's files, the rulebook CSVs, the settings dbt renders
# into SQL, the dbt that renders them and (warehouse_fingerprint) the columns of raw. Not the data:
# views select from raw whatever it holds.
FINGERPRINT_ENV = ("DANGJIAN_HOME",)
FINGERPRINT_PACKAGES = ("dbt-core", "dbt-duckdb")
UNCHANGED_BY_DATA = "resource_type:seed config.materialized:view"


def rulebook_only_tests(manifest: dict) -> list[str]:
    """The data tests that read nothing but seeds, by name: the rulebook's own tests and those of the
    tables published from it alone (marts.rulebook_*, marts.indicator_sources). Like the seeds, what
    they test cannot change while the project's fingerprint holds, so a warm run leaves them: ~50 of
    the ~300 nodes of a build. The tables themselves are rebuilt: the snapshot is published only
    after every mart of the run, and a mart left out would leave it unpublished. A model counts as
    reading the seeds alone only when it calls no macro, which could read a file or a variable."""
    nodes = manifest["nodes"]
    memo: dict[str, bool] = {}

    def seeds_only(key: str) -> bool:
        if key not in memo:
            node = nodes.get(key)  # None: a source (raw data) or a node of another kind
            if node is None:
                memo[key] = False
            elif node["resource_type"] == "seed":
                memo[key] = True
            else:
                parents = node["depends_on"]["nodes"]
                own_sql_only = node["resource_type"] != "model" or not node["depends_on"]["macros"]
                memo[key] = bool(parents) and own_sql_only and all(seeds_only(p) for p in parents)
        return memo[key]

    return sorted(
        node["name"] for key, node in nodes.items() if node["resource_type"] == "test" and seeds_only(key)
    )


def dbt_inputs(project_dir: Path = DBT_DIR, seeds_dir: Path = REPO_ROOT / "seeds") -> list[tuple[str, Path]]:
    """Every file dbt reads, as (name inside the project, path): the dbt project without its output
    (target/, logs/) and dbt's own .user.yml, and the rulebook CSVs."""
    inputs = []
    for root, dirs, names in os.walk(project_dir):
        if Path(root) == project_dir:
            dirs[:] = [d for d in dirs if d not in ("target", "logs")]
        for name in names:
            if not name.startswith("."):
                path = Path(root) / name
                inputs.append((f"dbt/{path.relative_to(project_dir).as_posix()}", path))
    inputs += [(f"seeds/{p.name}", p) for p in seeds_dir.glob("*") if p.is_file()]
    return sorted(inputs)


def project_fingerprint(project_dir: Path = DBT_DIR, seeds_dir: Path = REPO_ROOT / "seeds") -> str:
    digest = hashlib.sha256()
    for name, path in dbt_inputs(project_dir, seeds_dir):
        digest.update(f"{name}\0".encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    for name in FINGERPRINT_ENV:
        digest.update(f"{name}={os.environ.get(name)}\0".encode())
    for package in FINGERPRINT_PACKAGES:
        digest.update(f"{package}=={importlib.metadata.version(package)}\0".encode())
    return digest.hexdigest()


def warehouse_fingerprint(warehouse: duckdb.DuckDBPyConnection | None, project: str) -> str:
    """The project's fingerprint with the column types of schema raw, which the views select from
    (the ingest code defines them; DuckDB refuses a view whose columns changed type under it).
    `warehouse`: a connection to it, None when there is no warehouse yet."""
    columns = []
    if warehouse is not None:
        columns = warehouse.execute(
            "select table_name, column_name, data_type from duckdb_columns() "
            "where schema_name = 'raw' order by all"
        ).fetchall()
    return hashlib.sha256(f"{project}\0{columns}".encode()).hexdigest()


def built_fingerprint(warehouse: duckdb.DuckDBPyConnection) -> str | None:
    """The fingerprint of the last dbt build that completed over this warehouse, if any."""
    found = warehouse.execute(
        "select 1 from duckdb_tables() where schema_name = 'meta' and table_name = 'dbt_build'"
    ).fetchone()
    if not found:
        return None
    row = warehouse.execute("select fingerprint from meta.dbt_build").fetchone()
    return row[0] if row else None


def record_build(warehouse: duckdb.DuckDBPyConnection, fingerprint: str | None) -> None:
    """Note (or, with None, forget) which project built this warehouse's seeds and views."""
    warehouse.execute("create schema if not exists meta")
    warehouse.execute("create table if not exists meta.dbt_build (fingerprint varchar, built_at timestamp)")
    warehouse.execute("delete from meta.dbt_build")
    if fingerprint is not None:
        warehouse.execute("insert into meta.dbt_build values (?, current_localtimestamp())", [fingerprint])
