"""`dangjian report`: the 考核反馈报告 of one college read back with python-docx — every number in it
equals the marts — opened by LibreOffice, and the .zip of all colleges.

The hand-built university: the tiny university's 计算机学院党委 (01: branches 0101 教工, 0102 学生) and
a second college, 数学学院党委 (02: branch 0201 教工), in 2024 and 2025, with rosters and 述职评议
votes for both colleges. Nothing else is filled in, so most indicators score low and the year's
problems (indicators below 60, 软弱涣散 flags, hard rules) are many; 2024's problems are last year's
for the 2025 report, all 未整改 (no 整改台账 came back).
"""

import datetime as dt
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from docx import Document
from typer.testing import CliRunner

from dagster_project import cli
from dagster_project.reports.feedback import college_report_docx
from dagster_project.reports.feedback_data import LOST_INDICATORS, read_college_report
from tests.support import tiny_university as tu
from tests.support.workbooks import write_workbook

YEAR = 2025
TODAY = dt.date(2026, 1, 15)
COLLEGE = "01"
NUMBER = re.compile(r"\d+(?:\.\d+)?")


def _second_college(year: int) -> list[dict]:
    return [
        tu.org("02", "数学学院党委", "党委", "00", year=year, staff_count=80, student_count=300, organizer_count=1),
        tu.org(
            "0201", "数学学院教工党支部", "党支部", "02", year=year, branch_category="教工",
            secretary_key="M001", secretary_name="孙三", secretary_dual_leader="是",
        ),
    ]  # fmt: skip


def _members(year: int) -> list[dict]:
    people = [("T001", "0101", "书记"), ("T002", "0101", None), ("T003", "0101", None)]
    people += [("S001", "0102", "书记"), ("S002", "0102", None), ("S003", "0102", None)]
    people += [("M001", "0201", "书记"), ("M002", "0201", None), ("M003", "0201", None)]
    return [
        tu.member(key, branch, role, year=year, joined=dt.date(2012, 7, 1)) for key, branch, role in people
    ]


def _votes(year: int, org: str, good: int, fair: int, average: int, poor: int) -> dict:
    return {
        "year": year, "org_code": org, "votes_good": good, "votes_fair_good": fair,
        "votes_average": average, "votes_poor": poor,
    }  # fmt: skip


@pytest.fixture(scope="module")
def home(tmp_path_factory, dbt_manifest) -> Path:
    home = tmp_path_factory.mktemp("report_home")
    inbox = home / "inbox"
    inbox.mkdir()
    orgs = [row for y in (2024, 2025) for row in tu.orgs(y, counts=(100, 400, 1)) + _second_college(y)]
    write_workbook(
        inbox / "组织架构与花名册.xlsx",
        {"组织架构": ("orgs", orgs), "党员花名册": ("members", _members(2024) + _members(2025))},
    )
    votes = [
        _votes(2024, "01", 10, 0, 0, 0), _votes(2024, "02", 5, 3, 2, 0),
        _votes(2025, "01", 7, 2, 1, 0), _votes(2025, "02", 9, 1, 0, 0),
    ]  # fmt: skip
    write_workbook(inbox / "述职评议.xlsx", {"述职评议": ("evaluations", votes)})
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DANGJIAN_HOME", str(home))
        mp.setenv("DAGSTER_HOME", str(home / "dagster"))
        from dagster_project.definitions import defs

        d = defs()
        assert dg.materialize(list(d.assets), resources=d.resources).success
    return home


def rows(home: Path, sql: str, params=()) -> list[tuple]:
    with duckdb.connect(str(home / "serving.duckdb"), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


def f2(value) -> str:
    return "无" if value is None else f"{value:.2f}"


def cells(table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


@pytest.fixture(scope="module")
def document(home, tmp_path_factory):
    with duckdb.connect(str(home / "serving.duckdb"), read_only=True) as con:
        content = college_report_docx(read_college_report(con, YEAR, COLLEGE), today=TODAY)
    path = tmp_path_factory.mktemp("report") / "report.docx"
    path.write_bytes(content)
    return Document(str(path))


def test_the_result_table_equals_college_scores(home, document):
    period = f"{YEAR}Q4"
    ((composite, total, evaluation, grade, stars, rank, change),) = rows(
        home,
        "select composite, total, evaluation_score, grade, stars, rank, year_end_rank_change "
        "from marts.college_scores where period = ? and college_code = ?",
        [period, COLLEGE],
    )
    ((colleges, mean, best),) = rows(
        home, "select colleges, mean, best from marts.college_benchmarks where period = ? and measure = 'composite'",
        [period],
    )  # fmt: skip
    assert colleges == 2  # the two colleges of the hand-built university
    ((last_rank,),) = rows(
        home, "select rank from marts.college_scores where period = '2024Q4' and college_code = ?", [COLLEGE]
    )
    assert change == last_rank - rank  # the mart's own arithmetic, as the report words it
    words = "名次不变" if change == 0 else (f"上升{change}名" if change > 0 else f"下降{-change}名")
    pairs = [(row[i], row[i + 1]) for row in cells(document.tables[0])[1:] for i in (0, 2)]
    assert dict(pairs) == {
        "综合得分": f2(composite),
        "党建工作考核得分": f2(total),
        "述职评议得分": f2(evaluation),
        "等次": grade,
        "星级": "★" * stars if stars else "不定级",
        "全校排名": f"第{rank}名（共2个二级党组织）",
        "较上年年终": words,
        "全校平均综合得分": f2(mean),
        "全校最高综合得分": f2(best),
        "一票否决": "否",
    }
    # (7·100 + 2·80 + 1·60) / 10 = 92 with the rulebook's points 好 100, 较好 80, 一般 60
    assert evaluation == 92.0


def test_the_dimensions_are_the_rulebook_s_against_the_university(home, document):
    period = f"{YEAR}Q4"
    dims = rows(
        home,
        "select dimension_name, score_column from marts.rule_dimensions where level = 'college' order by sort_order",
    )
    columns = ", ".join(c for _, c in dims)
    own = rows(home, f"select {columns} from marts.college_scores where period = ? and college_code = ?",
               [period, COLLEGE])[0]  # fmt: skip
    bench = {m: (mean, best) for m, mean, best in rows(
        home, "select measure, mean, best from marts.college_benchmarks where period = ?", [period])}  # fmt: skip
    expected = [
        [name, f2(score), f2(bench[column][0]), f2(bench[column][1])]
        for (name, column), score in zip(dims, own, strict=True)
    ]
    assert cells(document.tables[1]) == [["维度", "本院得分", "全校平均", "全校最高"], *expected]
    assert len(document.inline_shapes) == 1  # the chart


def test_branches_votes_problems_and_last_year_s_rectifications_equal_the_marts(home, document):
    period = f"{YEAR}Q4"
    branches = rows(
        home,
        "select branch_name, branch_category, total, stars, tier, veto from marts.branch_scores "
        "where period = ? and college_code = ? order by total desc, branch_code",
        [period, COLLEGE],
    )
    assert len(branches) == 2
    assert cells(document.tables[2])[1:] == [
        [
            name,
            category,
            f2(total),
            "★" * stars if stars else "不定级",
            tier or "未定级",
            "是" if veto else "否",
        ]
        for name, category, total, stars, tier, veto in branches
    ]
    ((good, fair, average, poor, total),) = rows(
        home, "select votes_good, votes_fair_good, votes_average, votes_poor, votes_total from marts.college_votes "
        "where year = ? and college_code = ?", [YEAR, COLLEGE],
    )  # fmt: skip
    assert (good, fair, average, poor, total) == (7, 2, 1, 0, 10)
    assert cells(document.tables[3])[1] == ["7", "2", "1", "0", "10", "92.00"]
    problems = rows(
        home, "select problem_id, org_name, source_name, severity, description from marts.problems "
        "where year = ? and college_code = ? order by problem_id", [YEAR, COLLEGE],
    )  # fmt: skip
    assert problems, "the hand-built university leaves problems to report"
    assert cells(document.tables[4])[1:] == [list(p) for p in problems]
    last_year = rows(
        home, "select problem_id, org_name, description, status, completed_on from marts.rectifications "
        "where year = ? and college_code = ? order by problem_id", [YEAR - 1, COLLEGE],
    )  # fmt: skip
    assert last_year and {r[3] for r in last_year} == {"未整改"}
    assert cells(document.tables[5])[1:] == [[p, o, d, s, ""] for p, o, d, s, _ in last_year]


def test_the_paragraph_names_strongest_weakest_and_lost_indicators_with_mart_numbers(home, document):
    period = f"{YEAR}Q4"
    text = "\n".join(p.text for p in document.paragraphs)
    achievements = next(p.text for p in document.paragraphs if p.text.startswith("主要成绩："))
    shortcomings = next(p.text for p in document.paragraphs if p.text.startswith("存在问题："))
    table = cells(document.tables[1])[1:]
    scored = [(name, float(score)) for name, score, _, _ in table if score != "无"]
    strongest = max(scored, key=lambda d: d[1])
    weakest = min(scored, key=lambda d: d[1])
    assert f"得分最高的是“{strongest[0]}”（{strongest[1]:.2f}分" in achievements
    assert f"得分最低的是“{weakest[0]}”（{weakest[1]:.2f}分" in shortcomings
    lost = rows(
        home,
        "select i.indicator_name, d.dimension_name, i.score from marts.college_indicators i "
        "join marts.rule_dimensions d on d.level = 'college' and d.dimension = i.dimension "
        "where i.period = ? and i.org_code = ? and i.score < 100 order by i.score, i.indicator limit ?",
        [period, COLLEGE, LOST_INDICATORS],
    )
    assert len(lost) == LOST_INDICATORS
    assert "失分较多的指标：" + "、".join(f"“{n}”（{d}，{s:.2f}分）" for n, d, s in lost) in shortcomings
    ((found,),) = rows(home, "select count(*) from marts.problems where year = ? and college_code = ?",
                       [YEAR, COLLEGE])  # fmt: skip
    ((last, done),) = rows(
        home, "select count(*), count(*) filter (where status = '已销号') from marts.rectifications "
        "where year = ? and college_code = ?", [YEAR - 1, COLLEGE],
    )  # fmt: skip
    assert f"本年度考核发现问题{found}个。上年度{last}个问题中已销号{done}个。" in shortcomings
    assert "2026年1月15日" in text and f"{YEAR}年度基层党建工作考核反馈报告" in text


def test_no_number_in_the_report_is_not_a_mart_number(home, document):
    """Every number in the document — once the marts' own texts (problem ids and descriptions, names)
    are taken out — is a score, count, rank or vote of the marts, the year or the date."""
    texts = [p.text for p in document.paragraphs] + [
        c.text for t in document.tables for r in t.rows for c in r.cells
    ]
    everything = "\n".join(texts)
    mart_texts = [
        *(
            t
            for r in rows(home, "select problem_id, description, org_name, source_name from marts.problems")
            for t in r
        ),
        *(t for r in rows(home, "select problem_id, description from marts.rectifications") for t in r),
        *(r[0] for r in rows(home, "select distinct indicator_name from marts.college_indicators")),
    ]
    for text in sorted((t for t in mart_texts if t), key=len, reverse=True):
        everything = everything.replace(text, " ")
    report = read_college_report(duckdb.connect(str(home / "serving.duckdb"), read_only=True), YEAR, COLLEGE)
    # the date and "of N" (N from college_benchmarks, checked in the result-table test)
    everything = everything.replace("2026年1月15日", " ").replace(f"共{report.colleges}个", " ")
    allowed = {str(YEAR), str(YEAR - 1)}
    for (value,) in rows(
        home,
        "select unnest([composite, total, evaluation_score, c1, c2, c3, c4, c5]) from marts.college_scores "
        "where period = ? union all select unnest([mean, best]) from marts.college_benchmarks where period = ? "
        "union all select total from marts.branch_scores where period = ? "
        "union all select score from marts.college_indicators where period = ?",
        [f"{YEAR}Q4"] * 4,
    ):
        if value is not None:
            allowed.add(f"{value:.2f}")
    allowed |= {str(v) for r in rows(home, "select votes_good, votes_fair_good, votes_average, votes_poor, "
                                     "votes_total from marts.college_votes") for v in r}  # fmt: skip
    allowed |= {str(report.rank), str(len(report.problems)), str(len(report.last_year_problems)), "0"}
    if report.year_end_rank_change:
        allowed.add(str(abs(report.year_end_rank_change)))
    found = [
        (m.group(0), everything[max(0, m.start() - 12) : m.end() + 4]) for m in NUMBER.finditer(everything)
    ]
    assert found and [(n, around) for n, around in found if n not in allowed] == []


def test_the_cli_writes_the_docx_and_libreoffice_prints_it(home, tmp_path):
    # required, not skipped: .ci/run installs both, and the promise is that LibreOffice opens the report
    assert shutil.which("soffice") and shutil.which("pdftotext"), "需要 LibreOffice 与 poppler-utils"
    out = tmp_path / "报告.docx"
    result = CliRunner().invoke(
        cli.app, ["report", "--year", str(YEAR), "--college", COLLEGE, "--out", str(out)],
        env={"DANGJIAN_HOME": str(home)},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert Document(str(out)).tables  # python-docx opens what was written
    pdf = out.with_suffix(".pdf")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    ((name, composite),) = rows(
        home, "select college_name, composite from marts.college_scores where period = ? and college_code = ?",
        [f"{YEAR}Q4", COLLEGE],
    )  # fmt: skip
    plain = re.sub(r"\s+", "", text)
    assert name in plain and f"{composite:.2f}" in plain
    # a college the year does not have: a clear Chinese message, nothing written
    result = CliRunner().invoke(
        cli.app, ["report", "--year", str(YEAR), "--college", "99", "--out", str(tmp_path / "x.docx")],
        env={"DANGJIAN_HOME": str(home)},
    )  # fmt: skip
    assert result.exit_code == 1 and "没有二级党组织“99”" in "".join(result.output.split())
    assert not (tmp_path / "x.docx").exists()


def test_the_zip_holds_one_report_per_college_each_opened_by_libreoffice(home, tmp_path):
    # required, not skipped: .ci/run installs both, and the promise is that LibreOffice opens the report
    assert shutil.which("soffice") and shutil.which("pdftotext"), "需要 LibreOffice 与 poppler-utils"
    result = CliRunner().invoke(
        cli.app,
        ["report", "--year", str(YEAR), "--out", str(tmp_path / "all")],
        env={"DANGJIAN_HOME": str(home)},
    )
    assert result.exit_code == 0, result.output
    colleges = dict(rows(home, "select college_code, college_name from marts.college_scores where period = ?",
                         [f"{YEAR}Q4"]))  # fmt: skip
    (archive,) = (tmp_path / "all").glob("*.zip")
    with zipfile.ZipFile(archive) as z:
        names = sorted(z.namelist())
        z.extractall(tmp_path / "unzipped")
    expected = sorted(
        f"{YEAR}年度考核反馈报告_{n}{ext}" for n in colleges.values() for ext in (".docx", ".pdf")
    )
    assert names == expected
    for name in colleges.values():
        pdf = tmp_path / "unzipped" / f"{YEAR}年度考核反馈报告_{name}.pdf"
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        assert name in re.sub(r"\s+", "", text)
