"""The 通报 draft (`dangjian report --bulletin`) on the demo university's 2024 — the year with a 差
college and a 一票否决 — lists exactly the colleges of the marts; and a 学院 login's report download
is its own college's only."""

import io

import duckdb
import pytest
from docx import Document
from typer.testing import CliRunner

from dagster_project import cli
from dashboards import auth, downloads

YEAR = 2024


def _section_tables(document) -> dict[str, list[list[str]]]:
    """{heading text: the rows of the first table after it} in document order."""
    tables, heading = {}, None
    by_element = {t._tbl: t for t in document.tables}
    for child in document.element.body.iterchildren():
        if child.tag.endswith("}p"):
            style = child.pPr.pStyle.val if child.pPr is not None and child.pPr.pStyle is not None else ""
            if style.startswith("Heading"):
                heading = "".join(t.text or "" for t in child.iter() if t.tag.endswith("}t"))
        elif child in by_element and heading is not None and heading not in tables:
            tables[heading] = [[c.text for c in row.cells] for row in by_element[child].rows]
    return tables


@pytest.fixture(scope="module")
def bulletin(demo_home, tmp_path_factory):
    home = demo_home[0]
    out = tmp_path_factory.mktemp("bulletin") / "通报.docx"
    result = CliRunner().invoke(
        cli.app,
        ["report", "--year", str(YEAR), "--bulletin", "--out", str(out)],
        env={"DANGJIAN_HOME": str(home)},
    )
    assert result.exit_code == 0, result.output
    return home, Document(str(out)), "".join(result.output.split())


def test_bulletin_lists_exactly_the_good_poor_and_vetoed_colleges(bulletin):
    home, document, output = bulletin
    with duckdb.connect(str(home / "serving.duckdb"), read_only=True) as con:
        grades = [
            r[0] for r in con.execute("select grade from marts.rule_grades order by rank_order").fetchall()
        ]

        def colleges(where: str) -> list[str]:
            return [
                r[0]
                for r in con.execute(
                    f"select college_name from marts.college_scores where period = ? and {where} "
                    "order by rank, college_code",
                    [f"{YEAR}Q4"],
                ).fetchall()
            ]

        best, worst = colleges(f"grade = '{grades[0]}'"), colleges(f"grade = '{grades[-1]}'")
        vetoed = con.execute(
            "select college_name, veto_detail from marts.college_scores where period = ? and veto",
            [f"{YEAR}Q4"],
        ).fetchall()
        counts = con.execute(
            "select g.grade, count(s.college_code) from marts.rule_grades g left join marts.college_scores s "
            "on s.grade = g.grade and s.period = ? group by g.grade, g.rank_order order by g.rank_order",
            [f"{YEAR}Q4"],
        ).fetchall()
        unit = con.execute(
            "select value from marts.rule_report_settings where setting = 'issuing_unit'"
        ).fetchone()
    # the demo's 2024: 6 好, 2 差, one of them under 一票否决
    assert (len(best), len(worst), len(vetoed)) == (6, 2, 1)
    tables = _section_tables(document)
    assert [r[1] for r in tables[f"一、考核等次为“{grades[0]}”的二级党组织（{len(best)}个）"][1:]] == best
    assert [r[1] for r in tables[f"二、考核等次为“{grades[-1]}”的二级党组织（{len(worst)}个）"][1:]] == worst
    veto_rows = [r for r in tables["三、一票否决"][1:] if r[1] == "二级党组织"]
    assert [(r[0], r[2]) for r in veto_rows] == vetoed
    text = "\n".join(p.text for p in document.paragraphs)
    assert "其中" + "、".join(f"“{g}”{n}个" for g, n in counts) + "。" in text
    assert unit[0] in text and "（草稿）" in text
    assert f"好{len(best)}个、差{len(worst)}个、一票否决{len(vetoed)}个" in output


def test_bulletin_names_the_top_tiers_branches_of_the_marts(bulletin):
    home, document, _ = bulletin
    tables = _section_tables(document)
    with duckdb.connect(str(home / "serving.duckdb"), read_only=True) as con:
        tiers = [
            r[0] for r in con.execute("select tier from marts.rule_tiers order by rank_order").fetchall()
        ]
        for tier in tiers[:2]:  # 红旗 and 示范性
            branches = [
                r[0]
                for r in con.execute(
                    "select branch_name from marts.branch_scores where period = ? and tier = ? "
                    "order by rank_overall, branch_code",
                    [f"{YEAR}Q4", tier],
                ).fetchall()
            ]
            assert [r[0] for r in tables[f"“{tier}”党支部（{len(branches)}个）"][1:]] == branches


def test_a_college_login_downloads_only_its_own_report(demo_home, monkeypatch):
    snapshot = demo_home[0] / "serving.duckdb"
    with duckdb.connect(str(snapshot), read_only=True) as con:
        (name,) = con.execute(
            "select college_name from marts.college_scores where period = ? and college_code = '01'",
            [f"{YEAR}Q4"],
        ).fetchone()
    monkeypatch.setenv("DANGJIAN_SERVING_DB", str(snapshot))
    monkeypatch.setattr(auth, "data_scope", lambda: "01")
    own = Document(io.BytesIO(downloads.year_end_document_download("report_docx", YEAR, "01")()))
    assert own.paragraphs[0].text == f"{name}{YEAR}年度基层党建工作考核反馈报告"
    # another college is not in a 学院 login's copy of the snapshot
    with pytest.raises(ValueError, match="没有二级党组织“02”"):
        downloads.year_end_document_download("report_docx", YEAR, "02")()
