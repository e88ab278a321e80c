"""In Debian's Chromium, on `dangjian serve` of the demo university: a 学院 login sees its college in the
university — rank of N, the university mean, the gaps — and no figure computed over its own single
row (二级党组织数 1, a mean equal to its own score, a 等次 distribution of one college, itself as
进步最大); the 组织部 (open mode) sees every college of 排名 and 年终考核 without an inner scroll box.

The expected values are read from the snapshot with duckdb: marts.college_benchmarks (the mean),
marts.college_rank_ladder (N and the gap to the rank above) and marts.college_scores (its own row).
"""

import duckdb
import pytest

from dashboards.labels import period_text
from tests.dashboards.test_browser import CHROMIUM_ARGS, _chromium
from tests.dashboards.test_browser_pages import served_demo  # noqa: F401 (fixture)
from tests.trust.test_browser_auth import COLLEGE, _log_in, _settle, college_home, served  # noqa: F401

# Metric labels that would be aggregates over the viewer's own single row
SINGLE_ROW_AGGREGATES = {
    "二级党组织数",
    "平均综合得分",
    "等次为「好」",
    "★5 二级党组织",
    "一票否决",
    "党支部数",
}
ROW_PX = 35  # st.dataframe row height


def _one(snapshot, sql: str, params: list | None = None) -> tuple:
    with duckdb.connect(str(snapshot), read_only=True) as con:
        return con.execute(sql, params or []).fetchone()


def _metrics(page) -> dict[str, str]:
    shown = {}
    for metric in page.locator('[data-testid="stMetric"]').all():
        label = metric.locator('[data-testid="stMetricLabel"]').inner_text().strip()
        shown[label] = metric.locator('[data-testid="stMetricValue"]').inner_text().strip()
    return shown


def _open(page, url: str) -> None:
    page.goto(url, wait_until="domcontentloaded")
    _log_in(page)
    page.locator('[data-testid="stMetric"]').first.wait_for(timeout=60_000)
    _settle(page)


@pytest.mark.e2e
def test_college_login_sees_the_university_context_not_its_own_single_row(served, college_home):  # noqa: F811
    from playwright.sync_api import sync_playwright

    home, _, _ = college_home
    snapshot = home / "serving.duckdb"
    (latest,) = _one(
        snapshot, "select period from marts.college_scores order by year desc, quarter desc limit 1"
    )
    (year,) = _one(snapshot, "select max(year) from marts.college_scores where quarter = 4")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=_chromium(), headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
            seen = {}
            for url, period in (("", latest), ("year-end", f"{year}Q4")):
                _open(page, served + url)
                shown = _metrics(page)
                seen[url] = shown
                (mean,) = _one(
                    snapshot,
                    "select mean from marts.college_benchmarks where period = ? and measure = 'composite'",
                    [period],
                )
                (colleges,) = _one(
                    snapshot, "select sum(colleges) from marts.college_rank_ladder where period = ?", [period]
                )
                rank, composite, grade = _one(
                    snapshot,
                    "select rank, composite, grade from marts.college_scores where period = ? and college_code = ?",
                    [period, COLLEGE],
                )
                (above,) = _one(
                    snapshot,
                    "select max_by(composite, rank) from marts.college_rank_ladder where period = ? and rank < ?",
                    [period, rank],
                )
                assert not SINGLE_ROW_AGGREGATES & set(shown), (url, shown)
                assert shown["全校平均综合得分"] == f"{mean:.2f}", (url, shown)
                assert colleges > 1 and shown["全校排名"] == f"{rank} / {colleges}", (url, shown)
                assert shown["本院综合得分"] == f"{composite:.2f}"
                if above is not None:
                    assert shown["与上一名次相差"] == f"{above - composite:.2f} 分"
                text = page.inner_text("body")
                assert "等次分布" not in text
                if url == "year-end":
                    assert shown["本院等次"] == grade
                    # no 等次 distribution: no metric is labelled with a grade
                    grades = [g for (g,) in duckdb.connect(str(snapshot), read_only=True).execute(
                        "select grade from marts.rule_grades").fetchall()]  # fmt: skip
                    assert not set(grades) & set(shown), shown

            _open(page, served + "trends")
            shown = _metrics(page)
            (mean,) = _one(
                snapshot,
                "select mean from marts.college_benchmarks where period = ? and measure = 'composite'",
                [latest],
            )
            assert shown[f"{period_text(latest)}全校平均综合得分"] == f"{mean:.2f}"
            text = page.inner_text("body")
            assert "进步最大" not in text and "退步最大" not in text
            assert "全部二级党组织逐年对比" not in text
        finally:
            browser.close()


@pytest.mark.e2e
def test_all_colleges_fit_without_an_inner_scroll_box(served_demo, demo_home):  # noqa: F811
    from playwright.sync_api import sync_playwright

    snapshot = demo_home[0] / "serving.duckdb"
    (latest,) = _one(
        snapshot, "select period from marts.college_scores order by year desc, quarter desc limit 1"
    )
    (colleges,) = _one(snapshot, "select count(*) from marts.college_scores where period = ?", [latest])
    assert colleges >= 16  # more than the 15 rows the tables used to show before scrolling
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=_chromium(), headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
            for url in ("", "year-end"):
                page.goto(served_demo + url, wait_until="domcontentloaded")
                table = page.locator('[data-testid="stDataFrame"]').first
                table.wait_for(timeout=60_000)
                _settle(page)
                box = table.bounding_box()
                assert box["height"] >= ROW_PX * (colleges + 1), (url, box)
        finally:
            browser.close()
