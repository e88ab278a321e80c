"""One memory limit for everything that writes the warehouse: the pipeline's connections (the
warehouse resource) and dbt's profile read DANGJIAN_DUCKDB_MEMORY with the same default, and both
spill into the home."""

import os
from pathlib import Path

import duckdb
import jinja2
import pytest
import yaml

from dagster_project.defs.resources import resources
from dagster_project.home import DBT_DIR, DUCKDB_MEMORY_DEFAULT, DUCKDB_MEMORY_ENV, Home


def _as_duckdb_reports(limit: str) -> str:
    with duckdb.connect(config={"memory_limit": limit}) as con:
        return con.execute("select current_setting('memory_limit')").fetchone()[0]


def _warehouse_settings(home: Home) -> tuple[str, str]:
    warehouse = resources(home).resources["warehouse"]
    with warehouse.get_connection() as con:
        return con.execute(
            "select current_setting('memory_limit'), current_setting('temp_directory')"
        ).fetchone()


def _dbt_settings() -> dict:
    """profiles.yml rendered as dbt renders it (env_var with its default)."""
    env = jinja2.Environment(undefined=jinja2.StrictUndefined)
    env.globals["env_var"] = lambda name, default=None: os.environ.get(name, default)
    profile = yaml.safe_load((DBT_DIR / "profiles.yml").read_text(encoding="utf-8"))
    local = profile["dangjian"]["outputs"]["local"]
    return {k: env.from_string(v).render() for k, v in local["config_options"].items()} | {
        "path": env.from_string(local["path"]).render()
    }


def test_the_warehouse_connection_has_the_default_limit_and_spills_into_the_home(tmp_path, monkeypatch):
    monkeypatch.delenv(DUCKDB_MEMORY_ENV, raising=False)
    home = Home(tmp_path)
    limit, temp = _warehouse_settings(home)
    assert DUCKDB_MEMORY_DEFAULT == "1GB"
    assert limit == _as_duckdb_reports("1GB") == "953.6 MiB"
    assert Path(temp) == tmp_path / "tmp"


def test_the_environment_overrides_the_limit(tmp_path, monkeypatch):
    monkeypatch.setenv(DUCKDB_MEMORY_ENV, "512MB")
    limit, _ = _warehouse_settings(Home(tmp_path))
    assert limit == _as_duckdb_reports("512MB") == "488.2 MiB"


@pytest.mark.parametrize("override", [None, "3GB"])
def test_dbt_s_profile_renders_the_same_settings_as_the_pipeline(tmp_path, monkeypatch, override):
    monkeypatch.setenv("DANGJIAN_HOME", str(tmp_path))
    if override is None:
        monkeypatch.delenv(DUCKDB_MEMORY_ENV, raising=False)
    else:
        monkeypatch.setenv(DUCKDB_MEMORY_ENV, override)
    rendered = _dbt_settings()
    assert Path(rendered["path"]) == Home(tmp_path).warehouse
    assert rendered | {"path": None} == Home(tmp_path).duckdb_config() | {"path": None}
    assert rendered["memory_limit"] == (override or DUCKDB_MEMORY_DEFAULT)


def test_dbt_s_profile_falls_back_to_the_same_default_without_a_home(monkeypatch):
    monkeypatch.delenv(DUCKDB_MEMORY_ENV, raising=False)
    monkeypatch.delenv("DANGJIAN_HOME", raising=False)
    assert _dbt_settings() == {
        "memory_limit": DUCKDB_MEMORY_DEFAULT,
        "temp_directory": "../.dangjian/tmp",
        "path": "../.dangjian/warehouse.duckdb",
    }
