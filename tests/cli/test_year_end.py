"""年终考核: the official result sheet, `dangjian export` and the 年终考核 page, on the demo snapshot.

Every expected value is read from the snapshot's marts with plain SQL here, so the tests check that
the workbook and the page show the marts exactly (nothing recomputed, nothing lost).
"""

import io
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest
from python_calamine import CalamineWorkbook
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

from dagster_project import cli
from dagster_project.reports.result_sheet import BRANCH_SHEET, COLLEGE_SHEET, ResultSheet, write_result_sheet

APP = Path(__file__).resolve().parents[2] / "dashboards" / "app.py"
PAGE = "pages/year_end.py"
SOFFICE = "/usr/bin/soffice"

COLLEGE_HEADER = [
    "名次",
    "二级党组织",
    "组织类型",
    "政治引领到位",
    "责任落实到位",
    "思想政治工作到位",
    "党支部建设到位",
    "队伍与保障到位",
    "党建工作考核得分",
    "述职评议得分",
    "综合得分",
    "等次",
    "星级",
    "一票否决",
    "加减分说明",
]
BRANCH_HEADER = [
    "名次",
    "党支部",
    "所属二级党组织",
    "支部类别",
    "教育党员有力",
    "管理党员有力",
    "监督党员有力",
    "组织师生有力",
    "宣传师生有力",
    "凝聚师生有力",
    "服务师生有力",
    "总分",
    "星级",
    "晋位升级",
    "一票否决",
]
GRADES = ["好", "较好", "一般", "差"]
TIERS = ["红旗", "示范性", "规范化", "未定级"]


# --- expected values, straight from the marts ----------------------------------------------------


@pytest.fixture(scope="module")
def snapshot(demo_home) -> Path:
    home, _summary, _checks = demo_home
    return home / "serving.duckdb"


def sql(snapshot: Path, text: str, params=()) -> list[tuple]:
    with duckdb.connect(str(snapshot), read_only=True) as con:
        return con.execute(text, list(params)).fetchall()


@pytest.fixture(scope="module")
def years(snapshot) -> list[int]:
    found = [
        r[0]
        for r in sql(snapshot, "select distinct year from marts.college_scores where quarter = 4 order by 1")
    ]
    assert len(found) >= 2, "the demo has several years of Q4 results"
    return found


@pytest.fixture(scope="module")
def veto_year(snapshot) -> int:
    """A year whose Q4 has a vetoed college (the demo has one), so 一票否决 text is exercised."""
    rows = sql(snapshot, "select min(year) from marts.college_scores where quarter = 4 and veto")
    assert rows[0][0] is not None, "the demo should have a vetoed college in some year"
    return rows[0][0]


def cell(value):
    """What python-calamine reads back: numbers as float, blanks as ''."""
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return value


def stars(n: int) -> str:
    return "★" * n if n else "不定级"


def expected_colleges(snapshot: Path, year: int) -> list[list]:
    rows = sql(
        snapshot,
        """
        select rank, college_name, org_type, c1, c2, c3, c4, c5, total, evaluation_score, composite,
               grade, stars, veto, veto_detail, adjustment_detail
        from marts.college_scores where period = ? order by rank, college_code
        """,
        [f"{year}Q4"],
    )
    out = []
    for *lead, grade, star, veto, veto_detail, adjustment in rows:
        veto_text = f"是（{veto_detail}）" if veto else "否"
        out.append([cell(v) for v in lead] + [grade, stars(star), veto_text, adjustment or ""])
    return out


def expected_branches(snapshot: Path, year: int) -> list[list]:
    rows = sql(
        snapshot,
        """
        select rank_overall, branch_name, college_name, branch_category, b1, b2, b3, b4, b5, b6, b7,
               total, stars, tier, veto, adjustment_detail
        from marts.branch_scores where period = ? order by rank_overall, branch_code
        """,
        [f"{year}Q4"],
    )
    out = []
    for *lead, star, tier, veto, adjustment in rows:
        if veto:
            reasons = [
                p[len("一票否决：") :] for p in (adjustment or "").split("；") if p.startswith("一票否决：")
            ]
            veto_text = f"是（{'；'.join(reasons)}）" if reasons else "是"
        else:
            veto_text = "否"
        out.append([cell(v) for v in lead] + [stars(star), tier or "未定级", veto_text])
    return out


def read_sheet(path: Path, name: str) -> list[list]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python()


# --- (a) the workbook -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sheets(snapshot, years, tmp_path_factory) -> dict[int, tuple[ResultSheet, Path]]:
    out = tmp_path_factory.mktemp("result_sheet")
    written = {}
    for year in years:
        path = out / f"{year}年度考核结果.xlsx"
        written[year] = (write_result_sheet(snapshot, year, path), path)
    return written


def test_every_year_matches_the_marts(snapshot, years, sheets):
    for year in years:
        result, path = sheets[year]
        colleges = read_sheet(path, COLLEGE_SHEET)
        branches = read_sheet(path, BRANCH_SHEET)

        assert colleges[0][0] == f"{year}年度二级党组织党建工作考核结果"
        assert colleges[1] == COLLEGE_HEADER
        assert colleges[2:] == expected_colleges(snapshot, year)

        assert branches[0][0] == f"{year}年度党支部党建工作考核结果"
        assert branches[1] == BRANCH_HEADER
        assert branches[2:] == expected_branches(snapshot, year)

        assert result == ResultSheet(
            path=path, year=year, colleges=len(colleges) - 2, branches=len(branches) - 2
        )
        assert result.colleges > 0 and result.branches > 0
        assert not list(path.parent.glob(".*.tmp")), "the temporary file is renamed into place"


def test_vetoed_college_shows_reason_and_no_stars(snapshot, veto_year, sheets):
    _, path = sheets[veto_year]
    rows = read_sheet(path, COLLEGE_SHEET)[2:]
    vetoed = [r for r in rows if r[13] != "否"]
    (detail,) = sql(
        snapshot,
        "select string_agg(veto_detail, '|') from marts.college_scores where period = ? and veto",
        [f"{veto_year}Q4"],
    )[0]
    assert vetoed and all(r[13].startswith("是（") and r[12] == "不定级" and r[11] == "差" for r in vetoed)
    assert [r[13][2:-1] for r in vetoed] == detail.split("|")
    assert rows[-len(vetoed) :] == vetoed, "vetoed colleges are ranked last"


def test_layout_title_freeze_filter_and_number_format(years, sheets):
    _, path = sheets[years[-1]]
    with zipfile.ZipFile(path) as archive:
        styles = archive.read("xl/styles.xml").decode()
        for sheet_xml, header in (
            ("xl/worksheets/sheet1.xml", COLLEGE_HEADER),
            ("xl/worksheets/sheet2.xml", BRANCH_HEADER),
        ):
            xml = archive.read(sheet_xml).decode()
            last = chr(ord("A") + len(header) - 1)
            assert f'<mergeCell ref="A1:{last}1"/>' in xml  # the title spans the table
            assert re.search(
                r'<pane ySplit="2" topLeftCell="A3" activePane="bottomLeft" state="frozen"/>', xml
            )
            assert re.search(rf'<autoFilter ref="A2:{last}\d+"/>', xml)
            cols = re.findall(r'<col min="(\d+)" max="(\d+)" width="([\d.]+)"', xml)
            assert sum(int(b) - int(a) + 1 for a, b, _ in cols) == len(header)  # every column sized
            assert min(float(w) for *_, w in cols) >= 8
    assert 'formatCode="0.00"' in styles


def test_year_without_q4_lists_the_years(snapshot, years, tmp_path):
    out = tmp_path / "none.xlsx"
    with pytest.raises(ValueError, match="1999年度没有年终") as error:
        write_result_sheet(snapshot, 1999, out)
    assert "、".join(str(y) for y in years) in str(error.value)
    assert not out.exists() and not list(tmp_path.iterdir())


def test_missing_snapshot(tmp_path):
    with pytest.raises(FileNotFoundError, match="未找到已发布的数据快照"):
        write_result_sheet(tmp_path / "serving.duckdb", 2024, tmp_path / "out.xlsx")


# --- (b) another program opens it --------------------------------------------------------------------


def test_libreoffice_converts_it_to_pdf(years, sheets, tmp_path):
    soffice = SOFFICE if Path(SOFFICE).exists() else shutil.which("soffice")
    if soffice is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice (soffice) is required in CI")
        pytest.skip("LibreOffice (soffice) is not installed")
    _, path = sheets[years[-1]]
    source = tmp_path / "result.xlsx"  # an ASCII name: the PDF name follows it
    shutil.copy(path, source)
    done = subprocess.run(
        [
            soffice,
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/lo",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    pdf = tmp_path / "result.pdf"
    assert done.returncode == 0, done.stderr
    assert pdf.is_file() and pdf.stat().st_size > 1000, (done.stdout, done.stderr)
    assert pdf.read_bytes().startswith(b"%PDF")


# --- (c) the CLI ------------------------------------------------------------------------------------


@pytest.fixture
def cli_home(demo_home, monkeypatch) -> Path:
    home, _summary, _checks = demo_home
    # `dangjian` exports its home into os.environ; monkeypatch puts the old values back afterwards.
    monkeypatch.setenv("DANGJIAN_HOME", str(home))
    monkeypatch.setenv("DAGSTER_HOME", str(home / "dagster"))
    return home


def invoke(home: Path, *args: str):
    return CliRunner().invoke(cli.app, list(args), env={"DANGJIAN_HOME": str(home)})


def test_cli_export(cli_home, snapshot, years, tmp_path):
    year = years[-1]
    out = tmp_path / "out" / "结果.xlsx"
    result = invoke(cli_home, "export", "--year", str(year), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert out.is_file()
    assert read_sheet(out, COLLEGE_SHEET)[2:] == expected_colleges(snapshot, year)
    assert f"{year} 年度考核结果" in result.output


def test_cli_export_default_path(cli_home, years):
    year = years[0]
    default = cli_home / "exports" / f"{year}年度考核结果.xlsx"
    try:
        result = invoke(cli_home, "export", "--year", str(year))
        assert result.exit_code == 0, result.output
        assert default.is_file()
        assert read_sheet(default, BRANCH_SHEET)[1] == BRANCH_HEADER
    finally:
        default.unlink(missing_ok=True)


def test_cli_export_unknown_year(cli_home, years, tmp_path):
    out = tmp_path / "x.xlsx"
    result = invoke(cli_home, "export", "--year", "1999", "--out", str(out))
    assert result.exit_code == 1
    assert "1999年度没有年终" in result.output and str(years[0]) in result.output
    assert not out.exists()


# --- (d) the page ------------------------------------------------------------------------------------


@pytest.fixture
def page(snapshot, monkeypatch) -> AppTest:
    monkeypatch.setenv("DANGJIAN_SERVING_DB", str(snapshot))
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def grade_counts(snapshot: Path, year: int) -> dict[str, int]:
    found = dict(
        sql(
            snapshot,
            "select grade, count(*) from marts.college_scores where period = ? group by grade",
            [f"{year}Q4"],
        )
    )
    return {g: found.get(g, 0) for g in GRADES}


def tier_counts(snapshot: Path, year: int) -> dict[str, int]:
    found = dict(
        sql(
            snapshot,
            "select coalesce(tier, '未定级'), count(*) from marts.branch_scores where period = ? group by 1",
            [f"{year}Q4"],
        )
    )
    return {t: found.get(t, 0) for t in TIERS}


def chart_data(at: AppTest) -> list[pa.Table]:
    return [
        pa.ipc.open_stream(dataset.data.data).read_all()
        for element in at.get("vega_lite_chart")
        for dataset in element.proto.datasets
    ]


def check_year(at: AppTest, snapshot: Path, year: int) -> None:
    shown = metrics(at)
    expected = grade_counts(snapshot, year)
    assert {g: int(shown[g]) for g in GRADES} == expected
    assert sum(expected.values()) == int(shown["二级党组织数"])
    assert {t: int(shown[t]) for t in TIERS} == tier_counts(snapshot, year)

    (chart,) = chart_data(at)
    assert chart.schema.field("count").type == pa.int64()  # BIGINT, never DECIMAL/HUGEINT
    assert dict(zip(chart["label"].to_pylist(), chart["count"].to_pylist(), strict=True)) == expected

    table = at.dataframe[0].value
    marts = sql(
        snapshot,
        "select college_name, composite, evaluation_score, grade, veto from marts.college_scores "
        "where period = ? order by rank, college_code",
        [f"{year}Q4"],
    )
    assert table["二级党组织"].tolist() == [r[0] for r in marts]
    assert table["综合得分"].tolist() == [r[1] for r in marts]
    assert table["述职评议得分"].tolist() == [r[2] for r in marts]
    assert table["等次"].tolist() == [r[3] for r in marts]
    assert table["一票否决"].tolist() == [r[4] for r in marts]


def test_page_defaults_to_latest_year(page, snapshot, years):
    assert page.title[0].value == "年终考核"
    year_box = page.selectbox(key="year")
    assert year_box.value == years[-1]
    assert year_box.options == [f"{y}年度" for y in reversed(years)]
    check_year(page, snapshot, years[-1])
    assert [b.label for b in page.get("download_button")] == [
        "下载年终考核结果表（Excel）",
        "下载打印版（A4 PDF）",
        # the 组织部 picks a college's 考核反馈报告, or takes them all, and the 通报 draft
        "下载考核反馈报告（Word）",
        "下载考核反馈报告（PDF）",
        "下载全部考核反馈报告（.zip）",
        "下载考核结果通报（草稿，Word）",
    ]


def test_page_year_with_veto(page, snapshot, veto_year):
    page.selectbox(key="year").set_value(veto_year).run()
    assert not page.exception, page.exception
    check_year(page, snapshot, veto_year)
    table = page.dataframe[0].value
    vetoed = table[table["一票否决"]]
    assert len(vetoed) > 0 and (vetoed["星级"] == "不定级").all() and (vetoed["否决事由"] != "").all()


def test_download_is_the_result_sheet(snapshot, years, sheets, monkeypatch):
    from dashboards import downloads

    monkeypatch.setenv("DANGJIAN_SERVING_DB", str(snapshot))
    year = years[-1]
    content = downloads.result_sheet_workbook(year)
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
    _, path = sheets[year]
    for name in (COLLEGE_SHEET, BRANCH_SHEET):
        assert workbook.get_sheet_by_name(name).to_python() == read_sheet(path, name)


def test_the_result_sheet_takes_its_dimension_columns_from_the_published_rulebook(snapshot, years, tmp_path):
    """Renaming a dimension in the snapshot's marts.rule_dimensions (as an edited rulebook would after
    a run) renames its column; a dimension the rulebook drops is no column."""
    copy = tmp_path / "serving.duckdb"
    shutil.copy(snapshot, copy)
    with duckdb.connect(str(copy)) as con:
        con.execute("update marts.rule_dimensions set dimension_name = '政治建设到位' where dimension = 'C1'")
        con.execute("delete from marts.rule_dimensions where dimension = 'B7'")
    out = tmp_path / "result.xlsx"
    write_result_sheet(copy, years[-1], out)
    book = CalamineWorkbook.from_path(str(out))
    college_header = book.get_sheet_by_name(COLLEGE_SHEET).to_python()[1]
    branch_header = book.get_sheet_by_name(BRANCH_SHEET).to_python()[1]
    assert "政治建设到位" in college_header and "政治引领到位" not in college_header
    assert "服务师生有力" not in branch_header and "凝聚师生有力" in branch_header
