"""The printable year-end result sheet (`dangjian export` writes it next to the .xlsx): read back from
the PDF the way a reader of the paper would — every college on the colleges' own pages at 10-point
type or larger, every branch in its own section, the issuing unit, and the 等次 counts equal to the
marts."""

import logging
import re
import shutil
import unicodedata
from pathlib import Path

import duckdb
import pdfplumber
import pytest
from typer.testing import CliRunner

from dagster_project import cli

BRANCH_TITLE = "党支部党建工作考核结果"
MIN_POINTS = 10


def text_of(page) -> str:
    """The page's running text, then each table cell's text on its own (a name wrapped inside its cell
    is interleaved with the other cells' lines in the running text)."""
    cells = [cell or "" for table in page.extract_tables() for row in table for cell in row]
    return _plain(page.extract_text() or "") + "|" + "|".join(_plain(c) for c in cells)


def _plain(text: str) -> str:
    # Chromium's PDF maps some CJK glyphs to radical code points (⼆ for 二, ⻢ for 马): NFKC folds the
    # Kangxi radicals back; the few simplified-radical supplements left are matched by `found`.
    return unicodedata.normalize("NFKC", text).replace(" ", "").replace("\n", "")


def found(needle: str, haystack: str) -> bool:
    """`needle` in `haystack`, a CJK character of the needle also matching a radical code point."""
    pattern = "".join(
        f"(?:{re.escape(c)}|[\u2e80-\u2eff])" if "\u4e00" <= c <= "\u9fff" else re.escape(c)
        for c in _plain(needle)
    )
    return re.search(pattern, haystack) is not None


@pytest.fixture(scope="module")
def printed(demo_home, tmp_path_factory) -> tuple[Path, list[str], list, int]:
    if not shutil.which("chromium"):
        pytest.skip("Debian's chromium is needed to print the PDF")
    home = demo_home[0]
    snapshot = home / "serving.duckdb"
    with duckdb.connect(str(snapshot), read_only=True) as con:
        (year,) = con.execute("select max(year) from marts.college_scores where quarter = 4").fetchone()
    out = tmp_path_factory.mktemp("export") / "结果.xlsx"
    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    result = CliRunner().invoke(
        cli.app, ["export", "--year", str(year), "--out", str(out)], env={"DANGJIAN_HOME": str(home)}
    )
    assert result.exit_code == 0, result.output
    pdf = out.with_suffix(".pdf")
    assert pdf.is_file() and "打印版（A4 PDF）" in result.output
    with pdfplumber.open(pdf) as document:
        texts = [text_of(p) for p in document.pages]
        sizes = [sorted({round(c["size"], 1) for c in p.chars}) for p in document.pages]
        landscape = all(p.width > p.height for p in document.pages)
    assert landscape
    return snapshot, texts, sizes, year


def test_every_college_is_on_the_colleges_pages_at_ten_points_or_more(printed):
    snapshot, texts, sizes, year = printed
    with duckdb.connect(str(snapshot), read_only=True) as con:
        colleges = [
            r[0]
            for r in con.execute(
                "select college_name from marts.college_scores where period = ? order by rank", [f"{year}Q4"]
            ).fetchall()
        ]
        unit = con.execute(
            "select value from marts.rule_report_settings where setting = 'issuing_unit'"
        ).fetchone()[0]
    first_branch_page = next(i for i, t in enumerate(texts) if BRANCH_TITLE in t)
    college_pages = "".join(texts[:first_branch_page])
    assert first_branch_page <= 3  # 20 colleges: two pages, not squeezed onto one third of a page
    assert [c for c in colleges if not found(c, college_pages)] == []
    assert all(s >= MIN_POINTS for page in sizes[:first_branch_page] for s in page)
    assert found(unit, texts[0]) and found(f"{year}年度二级党组织党建工作考核结果", texts[0])


def test_every_branch_is_in_its_own_section(printed):
    snapshot, texts, sizes, year = printed
    with duckdb.connect(str(snapshot), read_only=True) as con:
        branches = [
            r[0]
            for r in con.execute(
                "select branch_name from marts.branch_scores where period = ?", [f"{year}Q4"]
            ).fetchall()
        ]
    first_branch_page = next(i for i, t in enumerate(texts) if BRANCH_TITLE in t)
    branch_pages = "".join(texts[first_branch_page:])
    assert [b for b in branches if not found(b, branch_pages)] == []
    assert all(s >= MIN_POINTS for page in sizes[first_branch_page:] for s in page)


def test_the_note_states_the_rules_and_the_grade_counts_of_the_marts(printed):
    snapshot, texts, _sizes, year = printed
    with duckdb.connect(str(snapshot), read_only=True) as con:
        counts = con.execute(
            "select g.grade, count(s.college_code) from marts.rule_grades g "
            "left join marts.college_scores s on s.grade = g.grade and s.period = ? "
            "group by g.grade, g.rank_order order by g.rank_order",
            [f"{year}Q4"],
        ).fetchall()
        weights = dict(con.execute("select parameter, value from marts.rule_parameters").fetchall())
    everything = "".join(texts)
    assert found("等次分布：" + "，".join(f"{g}{n}个" for g, n in counts), everything)
    assessment = f"{weights['composite_weight_assessment'] * 100:g}%"
    assert found(f"综合得分=党建工作考核得分×{assessment}", everything)


def test_the_page_download_is_the_same_printed_sheet(printed):
    """年终考核's 下载打印版 gives the document `dangjian export` prints (reports.result_sheet_pdf)."""
    import io

    from dagster_project import reports

    snapshot, texts, _sizes, year = printed
    with duckdb.connect(str(snapshot), read_only=True) as con:
        content = reports.result_sheet_pdf(con, year)
    assert content.startswith(b"%PDF")
    with pdfplumber.open(io.BytesIO(content)) as document:
        assert [text_of(p) for p in document.pages] == texts
