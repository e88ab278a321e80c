"""数据质量, 自助查询 and 模板下载 on the demo university's snapshot: what they show equals the marts."""

import duckdb
import pytest

from dagster_project.contracts import SHEET_KINDS
from tests.dashboards.test_dashboard_pages import QUALITY, SQL, TEMPLATES, metrics, open_page, submit_sql


@pytest.fixture
def demo_snapshot(demo_home, monkeypatch):
    home, summary, _ = demo_home
    monkeypatch.setenv("DANGJIAN_SERVING_DB", str(home / "serving.duckdb"))
    return home / "serving.duckdb", summary


def _one(serving, sql):
    with duckdb.connect(str(serving), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_quality_page_shows_the_demo_load_summary(demo_snapshot):
    serving, summary = demo_snapshot
    files, read, loaded, rejected, unreadable = _one(
        serving,
        "select count(*), sum(rows_read), sum(rows_loaded), sum(rows_rejected), count(problem) "
        "from marts.load_summary",
    )[0]
    at = open_page(QUALITY)
    assert metrics(at) == {  # thousands separated, as the page formats them
        "文件数": f"{files:,}",
        "读取行数": f"{read:,}",
        "入库行数": f"{loaded:,}",
        "拒收行数": f"{rejected:,}",
        "无法读取的文件": f"{unreadable:,}",
    }
    assert (files, rejected, unreadable) == (len(summary.files), 9, 0)
    rejects = next(d.value for d in at.dataframe if "行号" in d.value.columns)
    assert sorted(zip(rejects["文件"], rejects["行号"], strict=True)) == sorted(
        (m.file, m.row) for m in summary.messy
    )


def test_sql_page_answers_from_the_demo_marts(demo_snapshot):
    serving, _ = demo_snapshot
    expected = _one(
        serving,
        "select college_code, composite from marts.college_scores where period = '2025Q4' order by rank",
    )
    at = submit_sql(
        open_page(SQL),
        "select college_code, composite from marts.college_scores where period = '2025Q4' order by rank",
    )
    result = at.dataframe[-1].value
    assert list(zip(result["college_code"], result["composite"], strict=True)) == expected


def test_templates_page_offers_one_template_per_sheet_kind(demo_snapshot):
    at = open_page(TEMPLATES)
    labels = [b.proto.label for b in at.get("download_button")]
    assert len(labels) == len(SHEET_KINDS) + 1  # every kind plus the zip of all
    assert all(any(kind.title in label for label in labels) for kind in SHEET_KINDS)
