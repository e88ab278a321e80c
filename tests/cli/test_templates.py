"""Blank templates and the raw source docs are written from the contract, and read back by the reader."""

import datetime as dt
import zipfile
from pathlib import Path

import pytest
import yaml
from python_calamine import CalamineWorkbook

from dagster_project.contracts import KINDS, SHEET_KINDS
from dagster_project.ingest.formats import cell_text
from dagster_project.ingest.header import find_header
from dagster_project.ingest.raw_docs import SOURCES_PATH, raw_tables, render_dbt_sources
from dagster_project.ingest.reader import parse_file
from dagster_project.reports.templates import (
    GUIDE_SHEET,
    HEADER_ROW,
    template_name,
    write_template,
    write_templates,
)

TODAY = dt.date(2025, 1, 15)
D = dt.date

# One valid row per kind, typed the way users type it (messy spellings included), and what must load.
ROUND_TRIP: dict[str, tuple[dict[str, object], dict[str, object]]] = {
    "orgs": (
        {
            "year": 2024,
            "org_code": "0101",
            "org_name": "计算机学院第一党支部",
            "org_type": "党支部",
            "parent_code": "01",
            "branch_category": "教工",
            "secretary_key": "000123",
            "secretary_name": "王芳",
            "secretary_dual_leader": "√",
            "last_election_on": "2023.06.30",
            "term_years": "３",
            "staff_count": "1,200",
            "student_count": 0,
            "organizer_count": None,
        },
        {
            "year": 2024,
            "org_code": "0101",
            "org_name": "计算机学院第一党支部",
            "org_type": "党支部",
            "parent_code": "01",
            "branch_category": "教工",
            "secretary_key": "000123",
            "secretary_name": "王芳",
            "secretary_dual_leader": True,
            "last_election_on": D(2023, 6, 30),
            "term_years": 3,
            "staff_count": 1200,
            "student_count": 0,
            "organizer_count": None,
        },
    ),
    "members": (
        {
            "year": "2024",
            "member_key": "0012345",
            "member_name": "李明",
            "gender": "男",
            "born_on": "1949年12月31日",
            "id_card": "11010519491231002x",
            "category": "教职工",
            "branch_code": "0101",
            "status": "正式党员",
            "joined_on": D(1975, 7, 1),
            "confirmed_on": "1976/7/1",
            "party_role": None,
            "lost_contact": "否",
            "floating": "N",
        },
        {
            "year": 2024,
            "member_key": "0012345",
            "member_name": "李明",
            "gender": "男",
            "born_on": D(1949, 12, 31),
            "id_card": "11010519491231002X",
            "category": "教职工",
            "branch_code": "0101",
            "status": "正式党员",
            "joined_on": D(1975, 7, 1),
            "confirmed_on": D(1976, 7, 1),
            "party_role": "普通党员",
            "lost_contact": False,
            "floating": False,
        },
    ),
    "training": (
        {
            "member_key": "0012345",
            "member_name": "李明",
            "course": "党员冬训",
            "form": "集中培训",
            "started_on": "20240305",
            "ended_on": D(2024, 3, 7),
            "hours": "12.5",
            "organizer": "党委组织部",
        },
        {
            "member_key": "0012345",
            "member_name": "李明",
            "course": "党员冬训",
            "form": "集中培训",
            "started_on": D(2024, 3, 5),
            "ended_on": D(2024, 3, 7),
            "hours": 12.5,
            "organizer": "党委组织部",
        },
    ),
    "activities": (
        {
            "org_code": "0101",
            "activity_type": "党课",
            "held_on": D(2024, 4, 12),
            "expected": 30,
            "attended": "28",
            "topic": "学习党章",
            "speaker_key": "000123",
        },
        {
            "org_code": "0101",
            "activity_type": "党课",
            "held_on": D(2024, 4, 12),
            "expected": 30,
            "attended": 28,
            "topic": "学习党章",
            "speaker_key": "000123",
        },
    ),
    "funding": (
        {
            "org_code": "0101",
            "booked_on": "2024-05-20",
            "funding_type": "支出",
            "category": "学习资料",
            "amount": "1,250.50",
            "purpose": "购买学习读本",
        },
        {
            "org_code": "0101",
            "booked_on": D(2024, 5, 20),
            "funding_type": "支出",
            "category": "学习资料",
            "amount": 1250.5,
            "purpose": "购买学习读本",
        },
    ),
    "dues": (
        {
            "member_key": "0012345",
            "month": "2024-07",
            "amount_due": 50,
            "amount_paid": 50.0,
            "paid_on": D(2024, 7, 10),
        },
        {
            "member_key": "0012345",
            "month": D(2024, 7, 1),
            "amount_due": 50.0,
            "amount_paid": 50.0,
            "paid_on": D(2024, 7, 10),
        },
    ),
    "tasks": (
        {
            "year": 2024,
            "task_id": "001",
            "task": "开展党员冬训",
            "task_source": "年度工作要点",
            "owners": "01",
            "responsible_person": "张三",
            "deadline": "5月底前",
            "status": "推进中",
            "completed_on": None,
            "points": 2,
        },
        {
            "year": 2024,
            "task_id": "001",
            "task": "开展党员冬训",
            "task_source": "年度工作要点",
            "owners": "01",
            "responsible_person": "张三",
            "deadline": D(2024, 5, 31),
            "status": "推进中",
            "completed_on": None,
            "points": 2.0,
            "deadline_text": "5月底前",
            "ongoing": False,
        },
    ),
    "evaluations": (
        {
            "year": 2024,
            "org_code": "01",
            "votes_good": 40,
            "votes_fair_good": "12",
            "votes_average": 3,
            "votes_poor": 0,
        },
        {
            "year": 2024,
            "org_code": "01",
            "votes_good": 40,
            "votes_fair_good": 12,
            "votes_average": 3,
            "votes_poor": 0,
        },
    ),
    "adjustments": (
        {
            "year": 2024,
            "org_code": "01",
            "adjustment_type": "加分",
            "points": 1.5,
            "reason": "获评省级样板支部",
            "basis": "省委教育工委文件",
        },
        {
            "year": 2024,
            "org_code": "01",
            "adjustment_type": "加分",
            "points": 1.5,
            "reason": "获评省级样板支部",
            "basis": "省委教育工委文件",
        },
    ),
    "checklist": (
        {"year": 2024, "org_code": "01", "question_no": 36, "answer": "部分"},
        {"year": 2024, "org_code": "01", "question_no": 36, "answer": "部分"},
    ),
    "rectifications": (
        {
            "year": 2024,
            "problem_id": "2024-0101-049599F3",
            "org_code": "0101",
            "description": "党课不足",
            "measure": "补讲党课",
            "responsible_person": "张三",
            "deadline": "2025年6月底前",
            "status": "已完成",
            "completed_on": D(2025, 1, 10),
            "evidence": "党课记录",
        },
        {
            "year": 2024,
            "problem_id": "2024-0101-049599F3",
            "org_code": "0101",
            "description": "党课不足",
            "measure": "补讲党课",
            "responsible_person": "张三",
            "deadline": D(2025, 6, 30),
            "status": "已完成",
            "completed_on": D(2025, 1, 10),
            "evidence": "党课记录",
            "deadline_text": "2025年6月底前",
            "ongoing": False,
        },
    ),
    "development": (
        {
            "year": 2024,
            "member_key": "2021011234",
            "person_name": "赵敏",
            "gender": "女",
            "born_on": "2003.05.04",
            "category": "学生",
            "branch_code": "0101",
            "applied_on": "2021年10月8日",
            "talked_on": D(2021, 10, 20),
            "activist_on": "2022-05-10",
            "contacts": "000123、000456",
            "candidate_on": D(2023, 6, 1),
            "vetting": "合格",
            "training_hours": "24",
            "notice_from": D(2023, 11, 6),
            "notice_to": D(2023, 11, 10),
            "admitted_on": D(2023, 11, 20),
            "approved_on": D(2023, 12, 15),
            "confirmed_on": None,
            "extended": "否",
        },
        {
            "year": 2024,
            "member_key": "2021011234",
            "person_name": "赵敏",
            "gender": "女",
            "born_on": D(2003, 5, 4),
            "category": "学生",
            "branch_code": "0101",
            "applied_on": D(2021, 10, 8),
            "talked_on": D(2021, 10, 20),
            "activist_on": D(2022, 5, 10),
            "contacts": "000123、000456",
            "candidate_on": D(2023, 6, 1),
            "vetting": "合格",
            "training_hours": 24.0,
            "notice_from": D(2023, 11, 6),
            "notice_to": D(2023, 11, 10),
            "admitted_on": D(2023, 11, 20),
            "approved_on": D(2023, 12, 15),
            "confirmed_on": None,
            "extended": False,
        },
    ),
}


def _sheet_rows(path: Path, name: str) -> list[list[object]]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python(skip_empty_area=False)


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return write_templates(tmp_path_factory.mktemp("templates"))


def test_dbt_sources_file_is_generated_from_the_contract() -> None:
    text = render_dbt_sources()
    assert SOURCES_PATH.read_text(encoding="utf-8") == text, (
        "dbt/models/staging/_inbox__sources.yml is stale: run `uv run python -m dagster_project.ingest.raw_docs`"
    )
    doc = yaml.safe_load(text)
    (source,) = doc["sources"]
    assert (source["name"], source["schema"]) == ("inbox", "raw")
    tables = {t["name"]: t for t in source["tables"]}
    assert list(tables) == [*(k.table for k in SHEET_KINDS), "rejects", "task_owners", "files", "submissions"]
    ddl = raw_tables()
    for name, table in tables.items():
        assert [c["name"] for c in table["columns"]] == [c for c, _ in ddl[name]]
        assert all(c["description"] for c in table["columns"])
    for kind in SHEET_KINDS:
        columns = {c["name"]: c["description"] for c in tables[kind.table]["columns"]}
        assert kind.title in tables[kind.table]["description"]
        assert kind.kind in tables[kind.table]["description"]
        for name in ("_source_file", "_sheet", "_row_number", "_file_hash", "_loaded_at", "_named_columns"):
            assert name in columns
        for c in kind.columns:
            assert columns[c.name].startswith(f"{c.header}；{'必填' if c.required else '选填'}")
            for value in c.allowed or ():
                assert value in columns[c.name]
    assert "deadline_text" in {c["name"] for c in tables["tasks"]["columns"]}
    assert [c["name"] for c in tables["rejects"]["columns"]] == [
        "source_file",
        "sheet",
        "row_number",
        "column_name",
        "raw_value",
        "reason",
        "kind",
        "row_values",
        "check_stage",
        "file_hash",
        "loaded_at",
    ]
    assert [c["name"] for c in tables["files"]["columns"]] == [
        "source_file",
        "file_hash",
        "parser_version",
        "kinds",
        "rows_read",
        "rows_loaded",
        "rows_rejected",
        "loaded_at",
    ]


def test_one_template_per_kind(templates: list[Path]) -> None:
    assert [p.name for p in templates] == [template_name(k) for k in SHEET_KINDS]
    assert templates[1].name == "模板_党员花名册.xlsx"


@pytest.mark.parametrize("kind", [k.kind for k in SHEET_KINDS])
def test_template_header_is_the_contract(templates: list[Path], kind: str) -> None:
    spec = KINDS[kind]
    path = next(p for p in templates if p.name == template_name(spec))
    assert CalamineWorkbook.from_path(str(path)).sheet_names == [spec.title, GUIDE_SHEET]
    rows = _sheet_rows(path, spec.title)
    assert rows[0][0] == f"{spec.title}（填报模板）"
    assert rows[HEADER_ROW] == [c.header for c in spec.columns]
    assert len(rows) == HEADER_ROW + 1  # blank: nothing below the header
    match = find_header([[cell_text(v) for v in row] for row in rows])
    assert match is not None
    assert (match.kind.kind, match.row_index) == (kind, HEADER_ROW)
    assert match.columns == {c.name: j for j, c in enumerate(spec.columns)}

    guide = _sheet_rows(path, GUIDE_SHEET)
    assert [r[1] for r in guide[3:]] == [c.header for c in spec.columns]
    assert [r[2] for r in guide[3:]] == ["必填" if c.required else "选填" for c in spec.columns]

    # a header note on every header cell, a dropdown per column with allowed values
    with zipfile.ZipFile(path) as z:
        comments = z.read("xl/comments1.xml").decode()
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert comments.count("<comment ") == len(spec.columns)
    for c in spec.columns:
        assert ("必填" if c.required else "选填") in comments
        if c.allowed:
            assert '"' + ",".join(c.allowed) + '"' in sheet


def test_blank_template_parses_to_nothing(templates: list[Path]) -> None:
    for path in templates:
        result = parse_file(path, path.name, today=TODAY)
        assert [s.rows_read for s in result.sheets] == [0]
        assert result.rejects.height == 0


def test_header_notes_explain_the_spellings(templates: list[Path]) -> None:
    path = next(p for p in templates if p.name == template_name(KINDS["tasks"]))
    with zipfile.ZipFile(path) as z:
        comments = z.read("xl/comments1.xml").decode()
    for text in (
        "2024.07.01",
        "2024年7月1日",
        "20240701",
        "12月底前",
        "常态化推进",
        "长期坚持",
        "未启动/推进中/已完成",
    ):
        assert text in comments
    path = next(p for p in templates if p.name == template_name(KINDS["members"]))
    with zipfile.ZipFile(path) as z:
        comments = z.read("xl/comments1.xml").decode()
    assert "√/×" in comments
    assert "人员编号" in comments  # aliases


@pytest.mark.parametrize("kind", [k.kind for k in SHEET_KINDS])
def test_filled_template_round_trips(tmp_path: Path, kind: str) -> None:
    given, expected = ROUND_TRIP[kind]
    spec = KINDS[kind]
    assert set(given) == {c.name for c in spec.columns}
    path = write_template(tmp_path / template_name(spec), kind, rows=[given])
    result = parse_file(path, "学院/" + path.name, today=TODAY)
    assert result.rejects.height == 0, result.rejects.to_dicts()
    (sheet,) = result.sheets
    assert (sheet.kind, sheet.sheet, sheet.rows_read) == (kind, spec.title, 1)
    (row,) = sheet.loaded.to_dicts()
    assert {k: row[k] for k in expected} == expected
    assert row["_row_number"] == HEADER_ROW + 2  # Excel row 4
    assert row["_sheet"] == spec.title
    assert row["_source_file"] == "学院/" + path.name
    assert not row["_named_columns"]


def test_templates_are_byte_identical(tmp_path: Path, templates: list[Path]) -> None:
    again = write_templates(tmp_path / "again")
    assert [p.read_bytes() for p in again] == [p.read_bytes() for p in templates]
