"""Runs without an administrator, and the dashboard on the campus network: a submission while a run
holds the warehouse is previewed, stored and queued (the snapshot untouched); the sensor asks for a
run for it; one queued run at a time; `serve --host` beyond loopback only with logins; XSRF on; the
favicon is a local file."""

import hashlib
import subprocess
import sys
import time

import dagster as dg
import pytest
from typer.testing import CliRunner

from dagster_project.cli import app, streamlit_command
from dagster_project.defs.automation import inbox_sensor
from dagster_project.defs.resources import HomeResource
from dagster_project.home import REPO_ROOT, Home
from dagster_project.ingest.submissions import read_log
from dagster_project.submit.submitting import Submitter, submit_files
from tests.support import submit_university as uni


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("DANGJIAN_HOME", str(tmp_path / "home"))
    return uni.build(tmp_path / "home")


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _tick(home, cursor=None):
    context = dg.build_sensor_context(cursor=cursor, resources={"home": HomeResource(root=str(home))})
    return inbox_sensor(context), context.cursor


def test_upload_while_a_run_holds_the_warehouse_is_queued_and_nothing_is_lost(home, tmp_path):
    first, cursor = _tick(home)
    assert isinstance(first, dg.SkipReason)  # the inbox holds what was loaded: no run
    # another process writes the warehouse, as a run does, for the whole submission
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
         "print('held', flush=True); time.sleep(120)", str(home / "warehouse.duckdb")],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "held"
        snapshot = _sha(home / "serving.duckdb")
        book = uni.college_workbook(tmp_path / "组织生活.xlsx")
        started = time.monotonic()
        (done,) = submit_files(Home(home), [(book, book.name)], Submitter("jsj", "college", "01"))
        assert time.monotonic() - started < 60
        assert done.preview.rows_rejected == 3  # the preview needs only the snapshot
        assert _sha(home / "serving.duckdb") == snapshot
        assert (home / "inbox" / done.submission.stored_name).read_bytes() == book.read_bytes()
        assert [e.stored_name for e in read_log(home / "archive")] == [done.submission.stored_name]
        queued, _ = _tick(home, cursor)
        assert isinstance(queued, dg.RunRequest)  # the next run picks it up
    finally:
        holder.kill()
        holder.wait()


def test_one_queued_run_at_a_time_taken_from_the_queue_within_a_second(tmp_path):
    home = Home(tmp_path / "h").ensure()
    with dg.DagsterInstance.from_config(str(home.dagster_home)) as instance:
        # what the daemon's queue reads: the run queue's settings under concurrency's
        assert instance.get_concurrency_config().run_queue_config.max_concurrent_runs == 1
        # the daemon's dequeue loop: Dagster's default 5 s was up to 5 s more of a 报送's wait
        assert instance.run_coordinator.dequeue_interval_seconds == 1
    text = (home.dagster_home / "dagster.yaml").read_text(encoding="utf-8")
    assert "pools:\n    default_limit: 1" in text


def test_a_home_made_by_an_earlier_version_gets_today_s_dagster_yaml(tmp_path):
    from dagster_project.home import _DAGSTER_YAML, _EARLIER_DAGSTER_YAMLS

    for n, earlier in enumerate(_EARLIER_DAGSTER_YAMLS):
        yaml = tmp_path / f"h{n}" / "dagster" / "dagster.yaml"
        yaml.parent.mkdir(parents=True)
        yaml.write_text(earlier, encoding="utf-8")
        Home(yaml.parent.parent).ensure()
        assert yaml.read_text(encoding="utf-8") == _DAGSTER_YAML
    edited = tmp_path / "edited" / "dagster" / "dagster.yaml"
    edited.parent.mkdir(parents=True)
    edited.write_text(_DAGSTER_YAML + "# 本机调整\n", encoding="utf-8")
    Home(edited.parent.parent).ensure()
    assert edited.read_text(encoding="utf-8").endswith("# 本机调整\n")


def test_serve_beyond_loopback_needs_logins(tmp_path, monkeypatch):
    monkeypatch.setenv("DANGJIAN_HOME", str(tmp_path / "h"))
    result = CliRunner().invoke(app, ["serve", "--host", "0.0.0.0", "--no-daemon"])
    assert result.exit_code == 2
    assert "免登录的看板只能在本机（127.0.0.1）使用，不能监听 0.0.0.0" in result.stdout


@pytest.mark.parametrize("as_of", ["2025-13-01", "20250108", "2025-1-8", "明天", "2025-01-08'; drop table x"])
def test_a_malformed_as_of_day_stops_before_anything_runs(tmp_path, monkeypatch, as_of):
    """DANGJIAN_AS_OF reaches dbt's SQL as a date; a bad one used to end the build in an English
    DuckDB conversion error. Now the command says what is wrong, in Chinese, and touches no home."""
    home = tmp_path / "h"
    monkeypatch.setenv("DANGJIAN_HOME", str(home))
    monkeypatch.setenv("DANGJIAN_AS_OF", as_of)
    for command in (["run"], ["serve", "--no-daemon"]):
        result = CliRunner().invoke(app, command)
        assert result.exit_code == 2, result.stdout
        assert "DANGJIAN_AS_OF 应为日期 YYYY-MM-DD" in result.stdout
        assert f"现为「{as_of}」" in result.stdout.replace("\n", "")
    assert not home.exists()


def test_a_well_formed_as_of_day_is_accepted(monkeypatch):
    from dagster_project.home import as_of_problem

    monkeypatch.setenv("DANGJIAN_AS_OF", "2024-02-29")
    assert as_of_problem() is None
    monkeypatch.setenv("DANGJIAN_AS_OF", "2025-02-29")  # not a leap year
    assert "现为「2025-02-29」" in as_of_problem()
    monkeypatch.delenv("DANGJIAN_AS_OF")
    assert as_of_problem() is None


def test_streamlit_binds_the_given_host_with_xsrf_on():
    command = streamlit_command(8501, (), "10.1.2.3")
    assert command[command.index("--server.address") + 1] == "10.1.2.3"
    assert command[command.index("--server.enableXsrfProtection") + 1] == "true"
    hosts = [command[i + 1] for i, arg in enumerate(command) if arg == "--server.allowedHosts"]
    assert hosts == ["localhost", "127.0.0.1", "10.1.2.3"]
    config = (REPO_ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8")
    assert "enableXsrfProtection = true" in config
    # no gc.collect(2) after each script run, from `dangjian serve` or from the repository root
    assert command[command.index("--runner.postScriptGC") + 1] == "false"
    assert "postScriptGC = false" in config


def test_the_favicon_is_served_from_the_repository_not_a_font_cdn():
    app_source = (REPO_ROOT / "dashboards" / "app.py").read_text(encoding="utf-8")
    assert "page_icon=str(FAVICON)" in app_source
    assert (REPO_ROOT / "dashboards" / "favicon.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
