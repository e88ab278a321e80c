"""A warm run's models and data tests without dbt: the SQL dbt compiled for the last build, replayed
in one DuckDB transaction (issue 20).

Why: on a warm run dbt's own work per node (render, create under a temporary name, rename, commit, a
test rendered and run alone) is about nine tenths of its build — 300-odd nodes at ~90 ms each — while
the SQL itself takes a few seconds (bench/README.md, "Floors"). A submission waits on that run.

How it stays the same as dbt:
- **The plan** is the compiled SQL of the nodes a warm run builds (the table models and the data
  tests, not the seeds, the views or the tests of what reads the rulebook alone: runs.py), taken
  from the manifest of a dbt build that succeeded, in an order where every node comes after its
  parents. It is kept with a key: the warehouse's fingerprint (the project, the rulebook, dbt's
  version, the column types of raw) and what the project reads while it compiles rather than while
  it runs (DANGJIAN_AS_OF, the frozen years' files). A different key, no plan: dbt builds as before
  and leaves a new plan.
- **A model** replaces the rows of its table, which dbt created (`delete`, then `insert … by name`):
  the table keeps dbt's contract (column types, not null) and its descriptions (persist_docs).
- **A data test** is dbt's test query, counted as dbt counts it (`fail_calc`, `warn_if`, `error_if`).
- **Only a clean replay counts**: every test passes and no statement fails, or the transaction is
  rolled back and the run falls back to `dbt build`, which then reports the failure in its own
  terms. Nothing is half-replaced: a replay killed midway commits nothing.
- DuckDB reads relative paths from the folder dbt runs in (`file_search_path`), as dbt would.

tests/cli/test_warm_run.py proves a replayed run publishes the marts a full rebuild publishes.
"""

import hashlib
import json
import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb

from dagster_project.home import Home

PLAN_NAME = "replay-plan.json"
LOG_NAME = "replay.log"
# what dbt's own test materialization would do differently; a plan with these is not kept
UNSUPPORTED_TEST_CONFIG = ("store_failures", "store_failures_as", "limit")


@dataclass(frozen=True)
class Step:
    unique_id: str
    name: str
    kind: str  # "model" | "test"
    sql: str
    relation: str | None = None  # a model's table
    fail_calc: str = "count(*)"
    warn_if: str = "!= 0"
    error_if: str = "!= 0"
    rows_where: str | None = None  # a model rebuilt in part: its rows that match (changes.py)


@dataclass(frozen=True)
class Outcome:
    unique_id: str
    kind: str
    started: float
    finished: float
    failures: int | None = None  # a test's
    unchanged: bool = False  # not run: its inputs had not changed


class ReplayStopped(Exception):
    """The replay could not stand in for dbt: a statement failed or a test did not pass."""


def plan_key(warehouse_fingerprint: str, home: Home) -> str:
    """What the compiled SQL depends on beyond the project: the day a run is told it is
    (int_submission_periods_checked renders it) and the frozen years' files (macros/frozen.sql
    lists them while it compiles)."""
    digest = hashlib.sha256(f"{warehouse_fingerprint}\0{os.environ.get('DANGJIAN_AS_OF', '')}\0".encode())
    if home.frozen.exists():
        for path in sorted(home.frozen.rglob("*")):
            if path.is_file():
                stat = path.stat()
                digest.update(
                    f"{path.relative_to(home.frozen)}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode()
                )
    return digest.hexdigest()


def plan_from_manifest(manifest: dict, expected: dict, left_out_tests: set[str]) -> list[Step] | None:
    """The steps of a warm run from the manifest a dbt build wrote (its nodes carry `compiled_code`),
    in dependency order; None when it lacks a node a warm run builds — `expected`, the project's
    parsed manifest, says which — or a node needs more than replaying its SQL."""
    wanted = {
        key: node
        for key, node in expected["nodes"].items()
        if (node["resource_type"] == "model" and node["config"]["materialized"] == "table")
        or (node["resource_type"] == "test" and node["name"] not in left_out_tests)
    }
    steps: dict[str, Step] = {}
    for key in wanted:
        node = manifest["nodes"].get(key)
        if node is None or not node.get("compiled_code") or node.get("language", "sql") != "sql":
            return None
        config = node["config"]
        if node["resource_type"] == "model":
            if config.get("pre-hook") or config.get("post-hook") or not node.get("relation_name"):
                return None
            relation = node["relation_name"]
            steps[key] = Step(key, node["name"], "model", node["compiled_code"], relation=relation)
        else:
            if any(config.get(option) for option in UNSUPPORTED_TEST_CONFIG):
                return None
            steps[key] = Step(
                key,
                node["name"],
                "test",
                node["compiled_code"],
                fail_calc=config["fail_calc"],
                warn_if=config["warn_if"],
                error_if=config["error_if"],
            )
    return [steps[key] for key in _in_dependency_order(manifest, set(steps))]


def _in_dependency_order(manifest: dict, keys: set[str]) -> list[str]:
    """Kahn's order over `keys` (parents outside them are already built): of the nodes ready, tests
    first, then by id — a test runs as soon as what it reads is rebuilt, as in dbt build, so a
    replay that is going to stop stops early."""
    parents = {key: set(manifest["nodes"][key]["depends_on"]["nodes"]) & keys for key in keys}
    order = lambda key: (not key.startswith("test."), key)  # noqa: E731
    ordered: list[str] = []
    done: set[str] = set()
    ready = sorted((key for key, before in parents.items() if not before), key=order)
    while ready:
        key = ready.pop(0)
        ordered.append(key)
        done.add(key)
        newly = {k for k, before in parents.items() if k not in done and k not in ready and before <= done}
        ready = sorted(set(ready) | newly, key=order)
    if len(ordered) != len(keys):
        raise ValueError("dbt 的依赖关系中有环，无法排序")
    return ordered


def save_plan(path: Path, key: str, steps: list[Step]) -> None:
    staging = path.with_name(path.name + ".tmp")
    staging.write_text(json.dumps({"key": key, "steps": [asdict(s) for s in steps]}, ensure_ascii=False))
    os.replace(staging, path)


def load_plan(path: Path, key: str) -> list[Step] | None:
    """The kept plan if it was made under `key`; None otherwise (or when it cannot be read)."""
    try:
        kept = json.loads(path.read_text(encoding="utf-8"))
        if kept["key"] != key:
            return None
        return [Step(**step) for step in kept["steps"]]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def forget_plan(path: Path) -> None:
    path.unlink(missing_ok=True)


def replay(
    con: duckdb.DuckDBPyConnection,
    steps: list[Step],
    project_dir: Path,
    log: Path,
    unchanged: frozenset[str] = frozenset(),
    before_commit: Callable[[duckdb.DuckDBPyConnection], None] | None = None,
) -> list[Outcome]:
    """Run `steps` in one transaction on `con` and commit, or roll back and raise ReplayStopped.
    A line per step goes to `log`. unchanged: the steps whose inputs are what they were built from
    (transform/changes.py): not run, their tables and results stand. before_commit: last statements
    of the transaction."""
    outcomes: list[Outcome] = []
    stopped = None
    con.execute(f"set file_search_path = '{str(project_dir).replace(chr(39), chr(39) * 2)}'")
    con.execute("begin transaction")
    try:
        for step in steps:
            started = time.time()
            if step.unique_id in unchanged:
                outcomes.append(Outcome(step.unique_id, step.kind, started, started, 0, unchanged=True))
                continue
            try:
                failures = _execute(con, step)
            except duckdb.Error as error:
                # DuckDB's first line says what; the rest points into the SQL, which dbt will show again
                raise ReplayStopped(f"{step.name}: {str(error).splitlines()[0]}") from error
            if step.kind == "test" and failures != 0:
                raise ReplayStopped(f"{step.name}: 未通过（{failures} 行）")
            outcomes.append(Outcome(step.unique_id, step.kind, started, time.time(), failures))
        if before_commit is not None:
            before_commit(con)
        con.execute("commit")
    except BaseException as error:
        con.execute("rollback")
        stopped = str(error)
        raise
    finally:
        _write_log(log, steps, outcomes, stopped)
    return outcomes


def _execute(con: duckdb.DuckDBPyConnection, step: Step) -> int | None:
    if step.kind == "model":
        where = step.rows_where or "true"
        con.execute(f"delete from {step.relation} where {where}")
        # newlines: the compiled SQL may end in a comment
        con.execute(f"insert into {step.relation} by name select * from (\n{step.sql}\n) where {where}")
        return None
    # dbt's get_test_sql: a test fails only past error_if, warns past warn_if
    failures, should_warn, should_error = con.execute(
        f"select {step.fail_calc}, {step.fail_calc} {step.warn_if}, {step.fail_calc} {step.error_if} "
        f"from (\n{step.sql}\n) dbt_internal_test"
    ).fetchone()
    return int(failures) if (should_warn or should_error) else 0


def _write_log(log: Path, steps: list[Step], outcomes: list[Outcome], stopped: str | None) -> None:
    """A line per node, as dbt.log has for a dbt build: what ran and how long; then how it ended."""
    lines = []
    for step, outcome in zip(steps, outcomes, strict=False):
        what = step.relation.replace('"', "") if step.kind == "model" else f"PASS {step.name}"
        took = f"{outcome.finished - outcome.started:.3f} s"
        if outcome.unchanged:
            took = "未变（输入与上次构建相同）"
        elif step.rows_where is not None:
            took += f"（只重算 {step.rows_where}）"
        lines.append(f"{step.kind} {what} {took}")
    if stopped is None:
        ran = sum(not o.unchanged for o in outcomes)
        lines.append(f"{len(steps)} 个节点已重放并提交（其中 {len(steps) - ran} 个输入未变，未重算）")
    else:
        lines.append(f"重放停止（已回滚，改由 dbt build 构建）：{stopped}")
    log.write_text("\n".join(lines) + "\n", encoding="utf-8")
