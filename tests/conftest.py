import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")


_MAIN = sys.modules["__main__"]


def pytest_configure(config):
    """Write dbt's manifest before collection: test modules import the @dbt_assets module, which reads
    it when imported, and a fresh clone has none (collection stopped on it). A dbt project that does
    not parse is left for the tests that run dbt to report."""
    import contextlib
    import subprocess

    from dagster_project.transform.project import ensure_manifest

    with contextlib.suppress(subprocess.CalledProcessError):
        ensure_manifest()


@pytest.fixture(autouse=True)
def _keep_main_module():
    """Streamlit's script runner (AppTest) installs the page it runs as `__main__` and leaves it there;
    a process pool started later (demo workers) spawns children that re-run
    `__main__` — the dashboard. Put pytest's own back after every test."""
    yield
    sys.modules["__main__"] = _MAIN


@pytest.fixture(scope="session")
def dbt_manifest() -> Path:
    from dagster_project.transform.project import ensure_manifest

    return ensure_manifest()


@pytest.fixture(scope="session")
def demo_home(tmp_path_factory, dbt_manifest):
    """The demo university (seed 2026, scale 0.2) through the whole graph once per test session:
    (home folder, DemoSummary, {check name: passed}). Its serving.duckdb backs the dashboard tests."""
    import dagster as dg

    from dagster_project.demo import generate_demo
    from dagster_project.demo.submissions import demo_as_of

    home = tmp_path_factory.mktemp("demo_home")
    summary = generate_demo(home / "inbox", seed=2026, scale=0.2)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DANGJIAN_HOME", str(home))
        # the submission calendar counts from the demo's own day, not the machine's
        mp.setenv("DANGJIAN_AS_OF", demo_as_of(max(summary.years)).isoformat())
        from dagster_project.definitions import defs

        d = defs()
        result = dg.materialize([*d.assets, *d.asset_checks], resources=d.resources)
        assert result.success
        checks = {c.check_name: c.passed for c in result.get_asset_check_evaluations()}
    return home, summary, checks


@pytest.fixture(scope="session")
def trust_home(tmp_path_factory, dbt_manifest) -> Path:
    """The tiny university of tests/support/trust_home.py, built once through the real `dangjian run`.
    Read-only: tests that run the pipeline work on a copy."""
    from tests.support.trust_home import build_home

    return build_home(tmp_path_factory.mktemp("trust_home"))


@pytest.fixture(scope="session")
def crashed_home(trust_home, tmp_path_factory):
    """A copy of trust_home after tests/support/trust_home.py `crash_and_recover`: (home, {step: Step}).
    The crash tests check each step; the rebuild test starts from the history it leaves."""
    import shutil

    from tests.support.trust_home import crash_and_recover

    home = tmp_path_factory.mktemp("crashed") / "home"
    shutil.copytree(trust_home, home)
    return home, crash_and_recover(home, tmp_path_factory.mktemp("warehouse_copies"))
