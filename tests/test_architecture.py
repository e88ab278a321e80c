"""The shape of dagster_project/ that the docs describe (docs/architecture.md), held by tests:

- importing the code location does nothing; loading it is what prepares the home and dbt's manifest;
- the Dagster assets and the sensor take the home and the warehouse as resources, and nothing under
  defs/ (nor the dbt runs, nor publishing) reads the environment or opens the warehouse by itself;
- the dashboards import only the small surface made for them: access, serving, reports and submit
  (the 数据报送 page calls the one preview and submission of `dangjian check` / `submit`);
- no private Dagster API (one exception, named with its reason), no product file past ~500 lines, no citation of the old spec files.
"""

import ast
import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import duckdb
from dagster_duckdb import DuckDBResource

from dagster_project.defs.ingest.assets import inbox_workbooks
from dagster_project.defs.resources import HomeResource
from dagster_project.defs.serve.publish import serving_snapshot
from dagster_project.home import REPO_ROOT
from tests.support.workbooks import write_cells

PRODUCT = REPO_ROOT / "dagster_project"
DASHBOARDS = REPO_ROOT / "dashboards"
PAGES = [
    DASHBOARDS / "app.py",
    DASHBOARDS / "frozen.py",
    DASHBOARDS / "charts.py",
    *(DASHBOARDS / "pages").glob("*.py"),
]
MAX_LINES = 500


def _python_files(*roots: Path) -> list[Path]:
    return sorted(p for root in roots for p in root.rglob("*.py"))


def _imports(path: Path) -> list[str]:
    """Every module `path` imports (for `from a import b`, both a and a.b)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.append(node.module)
            found += [f"{node.module}.{alias.name}" for alias in node.names]
    return found


def test_importing_the_code_location_changes_nothing(tmp_path):
    """No environment exported, no dbt parse started: those happen when the code location loads."""
    probe = (
        "import os, subprocess, sys\n"
        "before = dict(os.environ)\n"
        "run, popen = subprocess.run, subprocess.Popen\n"
        "def watch(start):\n"
        "    def started(args, *a, **k):\n"
        "        if 'dbt' in ' '.join(map(str, args if isinstance(args, list) else [args])):\n"
        "            raise SystemExit('dbt was started at import: ' + repr(args))\n"
        "        return start(args, *a, **k)\n"
        "    return started\n"
        "subprocess.run, subprocess.Popen = watch(run), watch(popen)\n"
        "import dagster_project.definitions\n"
        "changed = sorted(k for k in set(before) | set(os.environ) if before.get(k) != os.environ.get(k))\n"
        "print(changed)\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("DAGSTER_HOME", "DANGJIAN_HOME")}
    env["DANGJIAN_HOME"] = "relative-home"
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "[]"
    assert not (tmp_path / "relative-home").exists()


def test_the_ingest_asset_works_in_the_home_resource_not_the_environment(tmp_path, monkeypatch):
    given, elsewhere = tmp_path / "given", tmp_path / "elsewhere"
    monkeypatch.setenv("DANGJIAN_HOME", str(elsewhere))
    (given / "inbox").mkdir(parents=True)
    write_cells(
        given / "inbox" / "orgs.xlsx",
        {"组织架构": [["年度", "组织编码", "组织名称", "组织类型"], [2024, "00", "华章大学党委", "党委"]]},
    )
    result = dg.materialize(
        [inbox_workbooks],
        resources={
            "home": HomeResource(root=str(given)),
            "warehouse": DuckDBResource(database=str(given / "warehouse.duckdb")),
        },
    )
    assert result.success
    with duckdb.connect(str(given / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("select org_code, org_name from raw.orgs").fetchall() == [("00", "华章大学党委")]
    assert [p.suffix for p in (given / "archive").iterdir() if p.suffix == ".xlsx"] == [".xlsx"]
    assert not elsewhere.exists()


def test_the_publish_asset_copies_the_resource_s_warehouse_into_the_resource_s_home(tmp_path, monkeypatch):
    given, elsewhere = tmp_path / "given", tmp_path / "elsewhere"
    monkeypatch.setenv("DANGJIAN_HOME", str(elsewhere))
    given.mkdir()
    with duckdb.connect(str(given / "warehouse.duckdb")) as con:
        con.execute("create schema marts")
        con.execute("create table marts.branch_scores as select '0101' as branch_code, 80.5 as total")
    result = dg.materialize(
        [serving_snapshot],
        resources={
            "home": HomeResource(root=str(given)),
            "warehouse": DuckDBResource(database=str(given / "warehouse.duckdb")),
        },
    )
    assert result.success
    with duckdb.connect(str(given / "serving.duckdb"), read_only=True) as con:
        assert con.execute("select * from marts.branch_scores").fetchall() == [("0101", 80.5)]
        (build_id,) = con.execute("select build_id from meta.snapshot").fetchone()
    assert build_id == result.run_id
    assert not elsewhere.exists()


def test_nothing_under_defs_reads_the_environment_or_opens_the_warehouse_itself():
    # dbt's runs and publishing get the warehouse's connection from the asset (the resource's); the
    # dbt fingerprint does read DANGJIAN_HOME: it is what dbt itself renders into its SQL.
    watched = {
        path: ("Home.from_env", "os.environ", "duckdb.connect(") for path in _python_files(PRODUCT / "defs")
    }
    watched[PRODUCT / "transform" / "runs.py"] = ("Home.from_env", "duckdb.connect(")
    watched[PRODUCT / "serving" / "publish.py"] = ("Home.from_env", "os.environ", "duckdb.connect(")
    offenders = [
        f"{path.relative_to(REPO_ROOT)}: {needle}"
        for path, needles in watched.items()
        for needle in needles
        if needle in path.read_text(encoding="utf-8")
    ]
    assert not offenders


def test_the_dashboards_import_only_access_serving_and_reports():
    allowed = (
        "dagster_project.access",
        "dagster_project.serving",
        "dagster_project.reports",
        "dagster_project.submit",
    )
    offenders = []
    for path in _python_files(DASHBOARDS):
        for module in _imports(path):
            if module == "dagster_project" or not module.startswith("dagster_project"):
                continue
            if not module.startswith(allowed) or module.startswith("dagster_project.serving.publish"):
                offenders.append(f"{path.relative_to(REPO_ROOT)}: {module}")
    assert not offenders


# The exceptions, and why. Dagster's SQLite event log builds an engine per write and has no public
# class to extend; the home's instance keeps the engines (pipeline/event_log.py). A run launcher is
# Dagster's documented extension point, but its base class and the run's arguments live in private
# modules (pipeline/launcher.py; run_process.py runs a run as `dagster api execute_run`); the sensor
# daemon's loop is a private constant (pipeline/daemon.py). Dagster is pinned by uv.lock, and
# tests/cli/test_run_overhead.py, test_launcher.py and test_sensor.py fail if any stops working.
PRIVATE_DAGSTER_ALLOWED = {
    "dagster_project/pipeline/launcher.py": {
        "dagster._core.launcher",
        "dagster._core.launcher.CheckRunHealthResult",
        "dagster._core.launcher.LaunchRunContext",
        "dagster._core.launcher.RunLauncher",
        "dagster._core.launcher.WorkerStatus",
        "dagster._grpc.types",
        "dagster._grpc.types.ExecuteRunArgs",
        "dagster._serdes",
        "dagster._serdes.ConfigurableClass",
        "dagster._serdes.ConfigurableClassData",
    },
    "dagster_project/pipeline/run_process.py": {"dagster._cli", "dagster._cli.main"},
    "dagster_project/pipeline/daemon.py": {
        "dagster._daemon",
        "dagster._daemon.sensor",
        "dagster._daemon.cli",
        "dagster._daemon.cli.main",
    },
    "dagster_project/pipeline/event_log.py": {
        "dagster._core.instance.ref",
        "dagster._core.instance.ref.InstanceRef",
        "dagster._core.storage.event_log.sqlite.sqlite_event_log",
        "dagster._core.storage.event_log.sqlite.sqlite_event_log.SQLITE_BUSY_TIMEOUT_SECONDS",
        "dagster._core.storage.event_log.sqlite.sqlite_event_log.SqliteEventLogStorage",
    },
}


def test_no_private_dagster_api():
    offenders = [
        f"{path.relative_to(REPO_ROOT)}: {module}"
        for path in _python_files(PRODUCT)
        for module in _imports(path)
        if module.startswith(("dagster._", "dagster_dbt._", "dagster_duckdb._"))
        and module not in PRIVATE_DAGSTER_ALLOWED.get(str(path.relative_to(REPO_ROOT)), set())
    ]
    assert not offenders


def test_no_product_file_is_longer_than_one_sitting():
    long = [
        f"{path.relative_to(REPO_ROOT)}: {n} lines"
        for path in _python_files(PRODUCT, DASHBOARDS)
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    ]
    assert not long


def test_the_product_cites_its_own_docs_not_the_old_spec_files():
    needles = ("SPEC §", "SPEC.md", "stack.md", "domain.md", "probe.md", "reference/")
    texts = [
        p
        for root in ("dbt/models", "dbt/macros", "dbt/tests", "seeds", "docs")
        for p in (REPO_ROOT / root).rglob("*.*")
        if p.suffix in {".sql", ".yml", ".md", ".csv"}
    ]
    offenders = [
        f"{path.relative_to(REPO_ROOT)}:{i}: {line.strip()[:80]}"
        for path in [
            *_python_files(PRODUCT, DASHBOARDS, REPO_ROOT / "bench"),
            *texts,
            REPO_ROOT / "README.md",
        ]
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if any(n in line for n in needles)
    ]
    assert not offenders


def test_the_pages_hold_layout_and_the_sql_lives_in_dashboards_queries():
    """A page, the app frame, the frozen banner and the charts name no marts table in a statement:
    every statement is in dashboards/queries/ (the SQL page's example text aside)."""
    offenders = []
    for path in PAGES:
        if path.name == "sql_query.py":  # 自助查询: its example statements are text for the analyst
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                text = " ".join(node.value.lower().split())
                if "from marts." in text and text.startswith(("select", "with")):
                    offenders.append(f"{path.relative_to(REPO_ROOT)}:{node.lineno}: {text[:60]}")
    assert not offenders


def test_the_dashboards_spell_no_rulebook_name():
    """Dimension names, grades and tiers reach the pages only through the published rule tables
    (docstrings may give an example)."""
    import csv

    names = set()
    for seed, column in (
        ("rule_dimensions", "dimension_name"),
        ("rule_grades", "grade"),
        ("rule_tiers", "tier"),
    ):
        with (REPO_ROOT / "seeds" / f"{seed}.csv").open(encoding="utf-8") as f:
            names |= {row[column] for row in csv.DictReader(f)}
    names -= {"好", "差", "一般"}  # one-character words of ordinary Chinese, not worth a false alarm
    offenders = []
    for path in _python_files(DASHBOARDS):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {
            id(n.body[0].value)
            for n in ast.walk(tree)
            if isinstance(n, ast.Module | ast.FunctionDef | ast.ClassDef)
            and n.body
            and isinstance(n.body[0], ast.Expr)
            and isinstance(n.body[0].value, ast.Constant)
        }
        offenders += [
            f"{path.relative_to(REPO_ROOT)}:{node.lineno}: {node.value[:40]}"
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docstrings
            and any(n in node.value for n in names)
        ]
    assert not offenders


def test_the_code_location_is_named_as_the_daemon_registers_it():
    # `-m dagster_project.definitions` (the daemon, dagster dev) registers the code location under the
    # module's name; a project configured with another name (by default the clone's folder) logged a
    # mismatch warning at every load — 152 lines in one benchmark's daemon.log
    import tomllib

    from dagster_project.pipeline.daemon import daemon_command

    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["dg"][
        "project"
    ]
    module = daemon_command()[-1]
    assert daemon_command()[-2] == "-m"
    assert project["code_location_name"] == project["code_location_target_module"] == module
