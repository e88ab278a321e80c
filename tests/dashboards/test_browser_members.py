"""整改跟踪 and the 组织员's audit list in Debian's Chromium against a real `dangjian serve` on the demo
university (tests/conftest.py `demo_home`), as the 组织部 (zzb) and as college 01 (jsj).

Tables are drawn on canvases, so what a table holds is read where it travels: the Arrow bytes of the
dataframes inside the websocket messages the browser received (the last one with the columns looked
for is what the page shows). Downloads are real browser downloads, opened with openpyxl.
"""

import io
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import openpyxl
import pyarrow as pa
import pytest
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from dagster_project.access.users import add_user
from tests.dashboards.test_browser import CHROMIUM_ARGS, _chromium, dangjian_serve
from tests.trust.test_browser_attacks import log_in, new_page
from tests.trust.test_browser_auth import _settle

ORG, ORG_PASSWORD = "zzb", "zzb-browser-pass"
COLLEGE_USER, COLLEGE_PASSWORD = "jsj", "jsj-browser-pass"
COLLEGE = "01"  # has 责任清单自查“否” problems in the demo's latest year
# has 发展党员 findings at the demo's latest period end (college 01 has none then)
DEV_USER, DEV_PASSWORD, DEV_COLLEGE = "ysj", "ysj-browser-pass", "13"


@pytest.fixture(scope="module")
def members_home(demo_home, tmp_path_factory) -> Path:
    """A fresh home with the demo's snapshot and names file, a 组织部 user and a college-01 user."""
    demo, _, _ = demo_home
    home = tmp_path_factory.mktemp("members_home")
    for name in ("serving.duckdb", "people.duckdb"):
        shutil.copy(demo / name, home / name)
    add_user(home / "users.json", ORG, ORG_PASSWORD, "org")
    add_user(home / "users.json", COLLEGE_USER, COLLEGE_PASSWORD, "college", COLLEGE)
    add_user(home / "users.json", DEV_USER, DEV_PASSWORD, "college", DEV_COLLEGE)
    return home


@pytest.fixture(scope="module")
def served(members_home, tmp_path_factory) -> Iterator[str]:
    with dangjian_serve(members_home, tmp_path_factory.mktemp("serve_members")) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    chromium = _chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()


def _sql(home: Path, text: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(home / "serving.duckdb"), read_only=True) as con:
        return con.execute(text, params or []).fetchall()


class Received:
    """The dataframes the server sent to one page (tab), in order."""

    def __init__(self, page) -> None:
        self.frames: list[bytes] = []
        page.on(
            "websocket",
            lambda ws: ws.on(
                "framereceived", lambda f: self.frames.append(f if isinstance(f, bytes) else b"")
            ),
        )

    def tables(self) -> list[pa.Table]:
        found = []
        for frame in self.frames:
            msg = ForwardMsg()
            try:
                msg.ParseFromString(frame)
            except Exception:  # noqa: BLE001 (a frame that is not a ForwardMsg: nothing to read)
                continue
            if msg.WhichOneof("type") != "delta" or msg.delta.WhichOneof("type") != "new_element":
                continue
            element = msg.delta.new_element
            if element.WhichOneof("type") != "dataframe":
                continue
            data = element.dataframe.arrow_data.data
            if data:
                found.append(pa.ipc.open_stream(data).read_all())
        return found

    def last(self, *columns: str) -> pa.Table:
        tables = [t for t in self.tables() if set(columns) <= set(t.column_names)]
        assert tables, f"no table with {columns} received"
        return tables[-1]


def _open(browser, url: str, user: str, password: str):
    page = new_page(browser)
    received = Received(page)
    log_in(page, url, user, password)
    page.get_by_role("heading", name="整改跟踪").first.wait_for(
        timeout=60_000
    ) if "rectification" in url else None
    _settle(page)
    return page, received


def _choose(page, label: str, option: str) -> None:
    """Pick `option` in the sidebar's selectbox labelled `label`."""
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text=label)
    box.locator("input").first.click()
    page.get_by_role("option", name=option, exact=False).first.click()
    _settle(page)


def _download(page, name: str, nth: int = 0) -> openpyxl.Workbook:
    button = page.get_by_role("button", name=re.compile(name)).nth(nth)
    button.wait_for(timeout=60_000)
    with page.expect_download(timeout=60_000) as done:
        button.click()
    return openpyxl.load_workbook(io.BytesIO(Path(done.value.path()).read_bytes()))


def _arrived(read, done, seconds: float = 30):
    """What `read()` returns once `done` holds for it (a rerun's messages may still be arriving), or
    its last answer after `seconds`."""
    deadline = time.monotonic() + seconds
    value = read()
    while not done(value) and time.monotonic() < deadline:
        time.sleep(0.5)
        value = read()
    return value


def _latest_year(home: Path) -> int:
    return _sql(home, "select max(year) from marts.rectifications")[0][0]


# --- 整改跟踪 ------------------------------------------------------------------------------------------


@pytest.mark.e2e
def test_org_sees_counts_per_college_filters_opens_a_problem_and_downloads(served, members_home, browser):
    home, year = members_home, _latest_year(members_home)
    page, received = _open(browser, served + "rectification", ORG, ORG_PASSWORD)
    # the page's sections arrive one after another: on a busy machine the list's heading can come
    # after the status widget has gone idle once
    page.get_by_text("问题清单").first.wait_for(timeout=60_000)
    text = page.inner_text("body")
    assert "各二级党组织整改情况" in text and "问题清单" in text

    # counts per college, as marts.rectifications has them
    counts = received.last("问题数", "已销号", "逾期").to_pydict()
    expected = _sql(
        home,
        "select count(*), count(*) filter (where status = '已销号'), count(*) filter (where status = '逾期'), "
        "count(*) filter (where status = '未整改') from marts.rectifications where year = ? "
        "group by college_code order by college_code",
        [year],
    )
    assert (
        list(zip(counts["问题数"], counts["已销号"], counts["逾期"], counts["未整改"], strict=True))
        == expected
    )
    assert len(expected) >= 10 and len({c for _, c, _, _ in expected}) > 1  # colleges differ

    # filter: college 01
    college_name = _sql(
        home, "select org_name from marts.dim_org where year = ? and org_code = ?", [year, COLLEGE]
    )
    _choose(page, "二级党组织", college_name[0][0])
    own = _sql(
        home,
        "select problem_id from marts.rectifications where year = ? and college_code = ? and problem_id is not null",
        [year, COLLEGE],
    )
    listed = _arrived(
        lambda: received.last("问题编号", "来源", "整改状态").to_pydict(),
        lambda t: {p for p in t["问题编号"] if p} == {p for (p,) in own},
    )
    assert {p for p in listed["问题编号"] if p} == {p for (p,) in own}

    # open a 责任清单自查“否” problem of college 01 to its question
    problem_id, question = _sql(
        home,
        "select p.problem_id, a.question from marts.problems p join marts.checklist_answers a "
        "on a.year = p.year and a.org_code = p.org_code and cast(a.question_no as varchar) = p.source_key "
        "where p.year = ? and p.college_code = ? and p.problem_source = 'checklist_no' order by 1 limit 1",
        [year, COLLEGE],
    )[0]
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text="选择表中的一个问题")
    box.locator("input").first.click()
    box.locator("input").first.fill(problem_id)
    page.get_by_role("option", name=re.compile(problem_id)).first.click()
    _settle(page)
    evidence = _arrived(
        lambda: received.last("question", "answer").to_pydict(), lambda e: e["question"] == [question]
    )
    assert evidence["answer"] == ["否"] and evidence["question"] == [question]

    # the download: the pre-filled 整改台账 of college 01's problems
    wb = _download(page, "下载问题清单")
    rows = list(wb["整改台账"].iter_rows(min_row=3, values_only=True))
    assert sorted(r[1] for r in rows) == sorted(
        p for (p,) in _sql(home, "select problem_id from marts.problems where year = ? and college_code = ?",
                           [year, COLLEGE])
    )  # fmt: skip
    page.context.close()


@pytest.mark.e2e
def test_severity_filter_leaves_only_the_chosen_severities(served, members_home, browser):
    home, year = members_home, _latest_year(members_home)
    page, received = _open(browser, served + "rectification", ORG, ORG_PASSWORD)
    severities = [s for (s,) in _sql(home, "select distinct severity from marts.rule_problem_sources")]
    assert {"一般", "较重", "严重"} <= set(severities)
    chosen = page.locator('[data-testid="stMultiSelect"]').filter(has_text="严重程度")
    chosen.get_by_role("button", name="Remove 一般").click()
    _settle(page)
    listed = _arrived(
        lambda: received.last("问题编号", "严重程度", "整改状态").to_pydict(),
        lambda t: set(t["严重程度"]) <= {"较重", "严重", None},
    )
    assert set(listed["严重程度"]) <= {"较重", "严重", None}
    expected = _sql(
        home,
        "select count(*) from marts.rectifications where year = ? and (severity <> '一般' or severity is null)",
        [year],
    )[0][0]
    assert len(listed["问题编号"]) == expected
    page.context.close()


@pytest.mark.e2e
def test_a_college_login_sees_and_downloads_only_its_own_problems(served, members_home, browser):
    home, year = members_home, _latest_year(members_home)
    page, received = _open(browser, served + "rectification", COLLEGE_USER, COLLEGE_PASSWORD)
    counts = received.last("问题数", "已销号", "逾期").to_pydict()
    assert counts["问题数"] == [
        _sql(
            home,
            "select count(*) from marts.rectifications where year = ? and college_code = ?",
            [year, COLLEGE],
        )[0][0]
    ]
    own = {p for (p,) in _sql(home, "select problem_id from marts.problems where year = ? and college_code = ?",
                              [year, COLLEGE])}  # fmt: skip
    listed = received.last("问题编号", "来源", "整改状态").to_pydict()
    assert {p for p in listed["问题编号"] if p} == own
    wb = _download(page, "下载问题清单")
    assert {r[1] for r in wb["整改台账"].iter_rows(min_row=3, values_only=True)} == own
    page.context.close()


# --- the 组织员's audit list (党员队伍) ---------------------------------------------------------------


def _names(home: Path) -> dict[tuple[str, str], str]:
    with duckdb.connect(str(home / "people.duckdb"), read_only=True) as con:
        rows = con.execute("select member_key, college_code, person_name from names").fetchall()
    return {(k, c): n for k, c, n in rows}


def _audit_list(page, nth: int = 0) -> list[dict]:
    """The rows of the development page's nth table download: 0 the audit list, 1 the 党费 arrears."""
    wb = _download(page, "下载 Excel", nth)
    ws = wb.worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    header_at = next(i for i, r in enumerate(rows) if "姓名" in r or "工号/学号" in r)
    header = rows[header_at]
    return [dict(zip(header, r, strict=False)) for r in rows[header_at + 1 :] if any(r)]


@pytest.mark.e2e
def test_org_audit_list_download_has_every_name(served, members_home, browser):
    home = members_home
    page, received = _open(browser, served + "development", ORG, ORG_PASSWORD)
    page.get_by_role("heading", name="发展党员审核问题").wait_for(timeout=60_000)
    rows = _audit_list(page)
    names = _names(home)
    period = _sql(home, "select max(period) from marts.development_records")[0][0]
    expected = _sql(
        home,
        "select member_key, college_code from marts.development_issues where period = ? order by all",
        [period],
    )
    assert len(rows) == len(expected) > 0 and {r["工号/学号"] for r in rows} == {k for k, _ in expected}
    colleges = {k: c for k, c in expected}
    assert all(r["姓名"] == names[(r["工号/学号"], colleges[r["工号/学号"]])] for r in rows)
    assert len({colleges[r["工号/学号"]] for r in rows}) > 1  # more than one college's people, all named
    # the year's 党费 arrears: the same names, for every college
    arrears = _audit_list(page, 1)
    owing = _sql(
        home,
        "select member_key, college_code from marts.dues_arrears where year = ? order by all",
        [int(period[:4])],
    )
    assert sorted(r["工号/学号"] for r in arrears) == [k for k, _ in owing]
    assert len({c for _, c in owing}) > 1
    assert [r["姓名"] for r in arrears] == [
        names[(r["工号/学号"], dict(owing)[r["工号/学号"]])] for r in arrears
    ]
    # the page itself shows none of them
    shown = {str(v) for t in received.tables() for col in t.to_pydict().values() for v in col}
    assert not set(names.values()) & shown
    assert not [n for n in names.values() if n in page.inner_text("body")]
    page.context.close()


@pytest.mark.e2e
def test_a_college_s_audit_list_names_its_own_people_only(served, members_home, browser):
    home = members_home
    page, _ = _open(browser, served + "development", DEV_USER, DEV_PASSWORD)
    page.get_by_role("heading", name="发展党员审核问题").wait_for(timeout=60_000)
    rows = _audit_list(page)
    names = _names(home)
    period = _sql(home, "select max(period) from marts.development_records")[0][0]
    own = _sql(
        home,
        "select member_key from marts.development_issues where period = ? and college_code = ? order by all",
        [period, DEV_COLLEGE],
    )
    assert sorted(r["工号/学号"] for r in rows) == [k for (k,) in own] != []
    assert all(r["姓名"] == names[(r["工号/学号"], DEV_COLLEGE)] for r in rows)
    others = {n for (k, c), n in names.items() if c != DEV_COLLEGE}
    assert not {r["姓名"] for r in rows} & others
    # its 党费 arrears: its own members, named
    arrears = _audit_list(page, 1)
    owing = _sql(
        home,
        "select member_key from marts.dues_arrears where year = ? and college_code = ? order by all",
        [int(period[:4]), DEV_COLLEGE],
    )
    assert sorted(r["工号/学号"] for r in arrears) == [k for (k,) in owing] != []
    assert all(r["姓名"] == names[(r["工号/学号"], DEV_COLLEGE)] for r in arrears)
    page.context.close()
