"""How much of a warm run's dbt build is the SQL itself: the models and data tests dbt compiled for
the latest run of HOME, executed straight through DuckDB in the manifest's order, in one transaction,
on a copy of HOME's warehouse (issue 20: what a rebuild below 10 s at scale 1 would have to remove).

    uv run python -m bench.dbt_floor HOME

HOME is a bench home after a run (`python -m bench` leaves them under its --workdir): its warehouse
and its newest dbt run folder (HOME/dbt/run-*/compiled, which dbt writes on every build). Views are
created as views, every other model as a table (`create or replace table … as`), each data test is
counted (`select count(*)`). Nothing of HOME is changed. Prints figures and, last, one JSON line.
"""

import graphlib
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from dagster_project.transform.project import dbt_project


def compiled_nodes(run: Path) -> list[tuple[str, str, str, str]]:
    """(kind, relation or test name, materialization, compiled SQL) in dependency order."""
    manifest = json.loads(dbt_project.manifest_path.read_text(encoding="utf-8"))
    nodes = {k: v for k, v in manifest["nodes"].items() if v["resource_type"] in ("model", "test")}
    graph = {k: [d for d in v["depends_on"]["nodes"] if d in nodes] for k, v in nodes.items()}
    compiled = run / "compiled" / manifest["metadata"].get("project_name", "dangjian")
    found = []
    for key in graph_order(graph):
        node = nodes[key]
        path = compiled / node["original_file_path"]
        if not path.is_file():
            # a generic test is compiled into a folder named after the YAML file that declares it
            path = path / node["path"].split("/")[-1]
        if not path.is_file():
            continue  # not built by that run (e.g. a seed or view it left as it was)
        name = f"{node['schema']}.{node['alias']}" if node["resource_type"] == "model" else node["name"]
        found.append((node["resource_type"], name, node["config"]["materialized"], path.read_text("utf-8")))
    return found


def graph_order(graph: dict[str, list[str]]) -> list[str]:
    return list(graphlib.TopologicalSorter(graph).static_order())


def main() -> None:
    home = Path(sys.argv[1])
    run = max((home / "dbt").glob("run-*"), key=lambda p: p.stat().st_mtime_ns)
    nodes = compiled_nodes(run)
    with tempfile.TemporaryDirectory() as scratch:
        # the compiled SQL names the database after the file: "warehouse"
        copy = Path(scratch) / "warehouse.duckdb"
        shutil.copyfile(home / "warehouse.duckdb", copy)
        with duckdb.connect(str(copy)) as con:
            spent = {"model": 0.0, "test": 0.0}
            slowest = []
            started = time.perf_counter()
            con.execute("begin")
            for kind, name, materialized, sql in nodes:
                t = time.perf_counter()
                if kind == "test":
                    con.execute(f"select count(*) from ({sql})").fetchone()
                elif materialized == "view":
                    con.execute(f"create or replace view {name} as {sql}")
                else:
                    con.execute(f"create or replace table {name} as {sql}")
                spent[kind] += time.perf_counter() - t
                slowest.append((time.perf_counter() - t, name))
            t = time.perf_counter()
            con.execute("commit")
            commit = time.perf_counter() - t
            total = time.perf_counter() - started
    models = sum(1 for n in nodes if n[0] == "model")
    figures = {
        "run_folder": run.name,
        "models": models,
        "tests": len(nodes) - models,
        "models_s": round(spent["model"], 2),
        "tests_s": round(spent["test"], 2),
        "commit_s": round(commit, 2),
        "total_s": round(total, 2),
        "slowest": [[name, round(s, 3)] for s, name in sorted(slowest, reverse=True)[:5]],
    }
    print(
        f"{models} 个模型 {figures['models_s']} 秒，{figures['tests']} 个数据测试 {figures['tests_s']} 秒，"
        f"提交 {figures['commit_s']} 秒，共 {figures['total_s']} 秒"
    )
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
