"""数据报送 in a real browser, end to end: `dangjian serve` (dashboard and Dagster daemon) on a copy of
the demo home; a login of college 12 (the demo's college that has not sent its fourth quarter's
经费台账) uploads one with one good row, one row breaking a rule and one row of another college → the
preview shows exactly those two rejects (their reasons travel to the page in the websocket data; the
table is drawn on a canvas); 确认提交 → the daemon's run loads the file and the page shows 已发布 and
the college's new score; the snapshot carries the new row; 报送进度 shows the quarter as received by
this submission (逾期补报: the quarter was due on 10 January), with its time."""

import datetime as dt
import re
import shutil
import struct
import time
from pathlib import Path

import duckdb
import pytest

from dagster_project.access.users import add_user
from dagster_project.demo.submissions import SHORT_COLLEGE
from tests.dashboards.test_browser import CHROMIUM_ARGS, _chromium, serve_process
from tests.support.workbooks import write_workbook

USER, PASSWORD, COLLEGE = "smkx", "smkx-browser-pass", SHORT_COLLEGE
STATUS_IDLE = "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"


@pytest.fixture
def home(demo_home, tmp_path) -> Path:
    home = tmp_path / "home"
    shutil.copytree(demo_home[0], home, ignore=shutil.ignore_patterns("*.lock", "daemon.log"))
    add_user(home / "users.json", USER, PASSWORD, "college", COLLEGE)
    return home


def _one(home: Path, sql: str, params: list | None = None) -> tuple:
    with duckdb.connect(str(home / "serving.duckdb"), read_only=True) as con:
        return con.execute(sql, params or []).fetchone()


def _steps_outside_the_run_process(home: Path, run_id: str) -> tuple[int, list[str], bool]:
    """(how many steps the run started, those started in a process other than the run's own, whether
    that process is the one the home's launcher forked for the run)."""
    import dagster as dg

    from dagster_project.pipeline.launcher import PROCESS_TAG

    wanted = {dg.DagsterEventType.RUN_START, dg.DagsterEventType.STEP_START}
    with dg.DagsterInstance.from_config(str(home / "dagster")) as instance:
        events = [
            r.event_log_entry.dagster_event
            for r in instance.get_records_for_run(run_id, of_type=wanted).records
        ]
        launched = instance.get_run_by_id(run_id).tags.get(PROCESS_TAG, "")
    run_pid = next(e.pid for e in events if e.event_type == dg.DagsterEventType.RUN_START)
    steps = [e for e in events if e.event_type == dg.DagsterEventType.STEP_START]
    forked = launched.split(":")[0] == str(run_pid)
    return len(steps), sorted(e.step_key for e in steps if e.pid != run_pid), forked


@pytest.mark.e2e
def test_college_uploads_checks_and_submits_in_chromium(home, tmp_path):
    chromium = _chromium()
    from playwright.sync_api import sync_playwright

    year = _one(home, "select max(year) from marts.dim_org")[0]
    own, _ = _one(home, "select org_code, 1 from marts.dim_org where year = ? and college_code = ? and is_branch "
                  "order by org_code limit 1", [year, COLLEGE])  # fmt: skip
    other, other_college = _one(
        home,
        "select org_code, college_name from marts.dim_org where year = ? and college_code = '02' and is_branch "
        "order by org_code limit 1",
        [year],
    )
    rows = [
        {"org_code": own, "booked_on": dt.date(year, 12, 15), "funding_type": "支出", "category": "学习资料",
         "amount": 300.0, "purpose": "浏览器报送"},
        {"org_code": own, "booked_on": dt.date(year, 12, 16), "funding_type": "支出", "category": "学习资料",
         "amount": 0.0, "purpose": "金额有误"},
        {"org_code": other, "booked_on": dt.date(year, 12, 17), "funding_type": "支出", "category": "学习资料",
         "amount": 200.0, "purpose": "别的学院"},
    ]  # fmt: skip
    book = write_workbook(tmp_path / "经费台账补报.xlsx", {"经费": ("funding", rows)})
    quarter = ("select status, received_at, submitted_by from marts.submission_status "
               f"where college_code = '{COLLEGE}' and kind = 'funding' and period = '{year}Q4'")  # fmt: skip
    assert _one(home, quarter)[0] == "未到期"  # as of the demo's day, 8 January
    build_before = _one(home, "select build_id from meta.snapshot")[0]

    frames: list[bytes] = []
    with serve_process(home, tmp_path) as (url, _), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
            page.on("websocket", lambda ws: ws.on(
                "framereceived", lambda f: frames.append(f if isinstance(f, bytes) else f.encode())))  # fmt: skip
            page.goto(url + "submit", wait_until="domcontentloaded")
            page.get_by_label("密码").wait_for(timeout=60_000)
            page.wait_for_function(STATUS_IDLE, timeout=60_000)
            page.get_by_label("用户名").fill(USER)
            page.get_by_label("密码").fill(PASSWORD)
            page.get_by_role("button", name=re.compile("登录")).click()
            page.get_by_role("heading", name="数据报送").wait_for(timeout=60_000)

            started = time.monotonic()
            page.locator('input[type="file"]').set_input_files(str(book))
            page.get_by_role("button", name="确认提交").wait_for(timeout=60_000)
            preview_seconds = time.monotonic() - started
            page.wait_for_function(STATUS_IDLE, timeout=60_000)
            metrics = [m.inner_text().strip() for m in page.locator('[data-testid="stMetricValue"]').all()]
            assert metrics == ["3", "1", "2"], metrics
            sent = b"".join(frames)
            assert f"不属于本单位（{other_college}）".encode() in sent
            assert "「金额」超出范围".encode() in sent
            assert preview_seconds < 30, preview_seconds  # the issue asks < 5 s; measured below

            page.get_by_role("button", name="确认提交").click()
            page.get_by_text("已发布").first.wait_for(timeout=600_000)
            page.get_by_text("最新结果").first.wait_for(timeout=60_000)
            print(f"preview {preview_seconds:.1f} s")

            status, received_at, submitted_by = _one(home, quarter)
            assert (status, submitted_by) == ("逾期补报", USER)
            frames.clear()
            page.get_by_role("link", name=re.compile("报送进度")).click()
            page.get_by_role("heading", name="报送进度").wait_for(timeout=60_000)
            page.wait_for_function(STATUS_IDLE, timeout=60_000)
            page.get_by_text("逐项明细").first.wait_for(timeout=60_000)
            sent = b"".join(frames)
            # the college's own row for December: one cell coloured 逾期补报 (its other sheets are 按时
            # or 未报), and in the detail table the time of this submission (收到时间, as Arrow
            # microseconds)
            assert b"#fff3cd" in sent
            micros = (received_at - dt.datetime(1970, 1, 1)) // dt.timedelta(microseconds=1)
            assert struct.pack("<q", micros) in sent
        finally:
            browser.close()

    build_after = _one(home, "select build_id from meta.snapshot")[0]
    assert build_after != build_before
    # the daemon's run executed its steps in the run's own process (no process per step), the one
    # pipeline/launcher.py forked for it from the preloaded forkserver
    steps, elsewhere, forked = _steps_outside_the_run_process(home, build_after)
    assert steps >= 5 and elsewhere == [] and forked
    assert _one(home, "select count(*) from marts.funding_records where purpose = '浏览器报送'")[0] == 1
    assert (
        _one(home, "select count(*) from marts.funding_records where purpose in ('金额有误', '别的学院')")[0]
        == 0
    )
    assert _one(
        home, "select user_name, status from marts.submissions where original_name = ?", [book.name]
    ) == (
        USER,
        "已入库",
    )
