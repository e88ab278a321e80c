"""The demo university (README "Demo"): deterministic, the promised shape, valid per the contracts except the
listed messy cells, and college differences that make rankings mean something.

The workbooks are read back with python-calamine, independently of the project's reader.
"""

import re
from collections import Counter, defaultdict
from datetime import date, datetime
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from dagster_project.contracts import KINDS, SHEET_KINDS
from dagster_project.demo import (
    COLLEGE_SHEETS,
    HEADER_ROW,
    LEADER_ROLES,
    ORG_SHEETS,
    UNIVERSITY_CODE,
    YEARS,
    DemoSummary,
    generate_demo,
    id_card_valid,
)
from dagster_project.ingest.task_owners import departments

BY_TITLE = {k.title: k for k in SHEET_KINDS}
TEXT_DATE = (
    (re.compile(r"^(\d{4})\.(\d{2})\.(\d{2})$"), "dotted"),
    (re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"), "slashed"),
    (re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"), "chinese"),
    (re.compile(r"^(\d{4})(\d{2})(\d{2})$"), "compact"),
)
DEADLINE_TEXT = re.compile(
    r"^((\d{4})年)?\d{1,2}月(底前|中旬前)$|^\d{4}年\d{1,2}月-\d{1,2}月$|^常态化推进$|^长期坚持$"
    r"|^12月底前，长期坚持$|^\d{4}年底前$|^[上下]半年$|^第[一二三四]季度$|^每学期$"
)


class Demo:
    """A generated inbox read back: rows per (file, sheet) as {column name: value}, with Excel rows."""

    def __init__(self, summary: DemoSummary):
        self.summary = summary
        self.sheets: dict[tuple[str, str], list[list]] = {}
        self.rows: dict[str, list[tuple[str, int, dict]]] = defaultdict(list)  # kind -> (file, row, values)
        for path in summary.files:
            book = CalamineWorkbook.from_path(str(path))
            for name in book.sheet_names:
                cells = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
                self.sheets[(path.name, name)] = cells
                kind = BY_TITLE[name]
                names = [c.name for c in kind.columns]
                for i, row in enumerate(cells[HEADER_ROW:-1], start=HEADER_ROW + 1):
                    self.rows[kind.kind].append((path.name, i, dict(zip(names, row, strict=False))))
        self.messy = {(m.file, BY_TITLE[m.sheet].kind, m.row): m for m in summary.messy}

    def clean(self, kind: str):
        """Rows of a kind that are not deliberately messy."""
        for file, row, values in self.rows[kind]:
            if (file, kind, row) not in self.messy:
                yield file, row, values

    def year_of(self, file: str) -> int:
        return int(file[:4])


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Demo:
    return Demo(generate_demo(tmp_path_factory.mktemp("demo_small"), seed=2026, scale=0.2))


@pytest.fixture(scope="module")
def full(tmp_path_factory) -> DemoSummary:
    return generate_demo(tmp_path_factory.mktemp("demo_full"), seed=2026, scale=1.0)


def _blank(v) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _as_date(v) -> date | None:
    if isinstance(v, datetime):
        return v.date()
    if isinstance(v, date):
        return v
    if isinstance(v, str):
        for pattern, _ in TEXT_DATE:
            if m := pattern.match(v):
                try:
                    return date(*map(int, m.groups()))
                except ValueError:
                    return None
    return None


def _problem(column, v) -> str | None:
    """Why a cell breaks the contract (None = fine). Mirrors the contract's rules, not the reader's code."""
    if _blank(v):
        return "required" if column.required else None
    t = column.type
    if t in ("str", "code", "idcard", "month") and not isinstance(v, str):
        return "not text"
    if column.allowed and v not in column.allowed:
        return "not allowed"
    if t == "date" and _as_date(v) is None:
        return "not a date"
    if t == "deadline" and _as_date(v) is None and not DEADLINE_TEXT.match(v):
        return "not a deadline"
    if t == "bool" and v not in ("是", "否"):
        return "not 是/否"
    if t == "idcard" and not id_card_valid(v):
        return "bad id card"
    if t == "month":
        m = re.match(r"^(\d{4})-(\d{2})$", v)
        if not m or not 1 <= int(m.group(2)) <= 12:
            return "not a month"
    if t in ("int", "float"):
        if isinstance(v, bool) or not isinstance(v, int | float):
            return "not a number"
        if t == "int" and v != int(v):
            return "not an integer"
        if column.min_value is not None and (
            v < column.min_value or (column.min_exclusive and v == column.min_value)
        ):
            return "too small"
        if column.max_value is not None and v > column.max_value:
            return "too big"
    return None


# --- determinism -----------------------------------------------------------------------------------


def test_same_seed_gives_byte_identical_files_and_another_seed_differs(tmp_path: Path):
    a = generate_demo(tmp_path / "a", seed=11, scale=0.1)
    b = generate_demo(tmp_path / "b", seed=11, scale=0.1)
    c = generate_demo(tmp_path / "c", seed=12, scale=0.1)
    assert [p.name for p in a.files] == [p.name for p in b.files] == [p.name for p in c.files]
    for pa, pb in zip(a.files, b.files, strict=True):
        assert pa.read_bytes() == pb.read_bytes(), pa.name
    assert a.messy == b.messy and a.rows == b.rows and a.members == b.members
    differing = [p.name for p, q in zip(a.files, c.files, strict=True) if p.read_bytes() != q.read_bytes()]
    assert len(differing) == len(a.files)
    assert a.members != c.members or a.rows != c.rows


# --- shape -----------------------------------------------------------------------------------------


def test_full_scale_counts(full: DemoSummary):
    assert full.years == YEARS == (2023, 2024, 2025)
    assert full.colleges == 20
    assert 130 <= full.branches <= 170
    for year in YEARS:
        assert 3500 <= full.members[year] <= 4500, full.members
    assert len(full.files) == 3 * 21
    assert set(full.rows) == {k.kind for k in SHEET_KINDS}
    assert all(n > 0 for n in full.rows.values())
    assert full.rows["checklist"] == 3 * 20 * 36
    assert 300 <= full.rows["tasks"] / 3 <= 800  # ~30 tasks a year, most assigned to many colleges
    assert 120 <= full.rows["evaluations"] / 3 <= 200  # every college and branch
    assert 6 <= len(full.messy) <= 12


def test_scale_multiplies_people_not_shape(small: Demo, full: DemoSummary):
    s = small.summary
    assert s.colleges == full.colleges == 20
    assert s.branches < full.branches / 2
    assert all(s.members[y] < full.members[y] / 2 for y in YEARS)
    assert {p.name for p in s.files} == {p.name for p in full.files}


def test_file_names(small: Demo):
    names = {p.name for p in small.summary.files}
    assert "2024_01_计算机学院党委.xlsx" in names
    assert {f"{y}_组织部_考核汇总.xlsx" for y in YEARS} <= names
    assert all(re.match(r"^\d{4}_(\d{2}_.+|组织部_考核汇总)\.xlsx$", n) for n in names)
    assert all(p.parent == small.summary.inbox and p.exists() for p in small.summary.files)


def test_every_sheet_has_title_blank_contract_headers_and_footer(small: Demo):
    for (file, name), cells in small.sheets.items():
        kind = BY_TITLE[name]
        expected = COLLEGE_SHEETS if "组织部" not in file else ORG_SHEETS
        assert kind.kind in expected, (file, name)
        assert isinstance(cells[0][0], str) and cells[0][0], (file, name)
        assert all(_blank(v) for v in cells[1]), (file, name)
        assert cells[HEADER_ROW - 1] == [c.header for c in KINDS[kind.kind].columns], (file, name)
        assert re.match(r"^填表人：\S+  审核人：\S+$", cells[-1][0]), (file, name, cells[-1])
        assert all(_blank(v) for v in cells[-1][1:])
    for path in small.summary.files:
        sheets = [n for f, n in small.sheets if f == path.name]
        kinds = ORG_SHEETS if "组织部" in path.name else COLLEGE_SHEETS
        assert sheets == [KINDS[k].title for k in kinds]


def test_titles_name_the_unit_and_year(small: Demo):
    cells = small.sheets[("2024_01_计算机学院党委.xlsx", "党员花名册")]
    assert cells[0][0] == "计算机学院党委党员花名册（2024年度）"


# --- validity --------------------------------------------------------------------------------------


def test_all_rows_but_the_messy_ones_follow_the_contract(small: Demo):
    problems = []
    for kind in KINDS.values():
        for file, row, values in small.clean(kind.kind):
            for column in kind.columns:
                if why := _problem(column, values.get(column.name)):
                    problems.append((file, kind.title, row, column.header, values.get(column.name), why))
    assert problems == []


def test_references_resolve_except_the_messy_ones(small: Demo):
    codes = defaultdict(set)
    for _, _, v in small.rows["orgs"]:
        codes[int(v["year"])].add(v["org_code"])
    keys = defaultdict(set)
    for _, _, v in small.clean("members"):
        keys[int(v["year"])].add(v["member_key"])
        assert v["branch_code"] in codes[int(v["year"])], v
    for kind in ("activities", "funding"):
        for file, _, v in small.clean(kind):
            assert v["org_code"] in codes[small.year_of(file)], (file, v)
    for kind in ("training", "dues"):
        for file, _, v in small.clean(kind):
            assert v["member_key"] in keys[small.year_of(file)], (file, v)
    for kind in ("evaluations", "adjustments", "checklist"):
        for _, _, v in small.clean(kind):
            assert v["org_code"] in codes[int(v["year"])], v
    named = set(departments().values())
    for _, _, v in small.clean("tasks"):
        # a group written as the seed writes it holds a 、 of its own
        for owner in re.split("[，、；]", v["owners"].replace("各党总支、直属党支部", "")):
            assert owner in codes[int(v["year"])] or owner in named or owner == "", v
    for m in small.summary.messy:
        if m.column in ("所在党支部编码", "组织编码"):
            assert all(m.value not in c for c in codes.values())


def test_org_tree_and_codes(small: Demo):
    for year in YEARS:
        orgs = [v for f, _, v in small.rows["orgs"] if f.startswith(f"{year}_")]
        top = [v for v in orgs if v["org_code"] == UNIVERSITY_CODE]
        assert len(top) == 1 and top[0]["org_type"] == "党委" and _blank(top[0]["parent_code"])
        colleges = [v for v in orgs if v["parent_code"] == UNIVERSITY_CODE]
        assert [v["org_code"] for v in colleges] == [f"{i:02d}" for i in range(1, 21)]
        types = Counter(v["org_type"] for v in colleges)
        assert types["党委"] >= 17 and types["党总支"] >= 1 and types["直属党支部"] == 1
        direct = next(v for v in colleges if v["org_type"] == "直属党支部")
        assert direct["branch_category"] == "教工"
        assert not any(v["parent_code"] == direct["org_code"] for v in orgs)
        for v in colleges:
            assert all(
                isinstance(v[k], float | int) for k in ("staff_count", "student_count", "organizer_count")
            )
        branches = [v for v in orgs if v["org_type"] == "党支部"]
        assert len(branches) == small.summary.branches
        by_college = defaultdict(set)
        for v in branches:
            assert v["org_code"].startswith(v["parent_code"]) and len(v["org_code"]) == 4
            by_college[v["parent_code"]].add(v["branch_category"])
        for v in colleges:
            if v["org_name"].endswith("学院党委"):
                assert {"教工", "学生"} <= by_college[v["org_code"]], v
        assert {"机关", "后勤", "离退休"} <= set().union(*by_college.values())


def test_members_look_real(small: Demo):
    rows = [v for _, _, v in small.clean("members")]
    by_key = defaultdict(list)
    for v in rows:
        key = v["member_key"]
        assert re.fullmatch(r"\d{8}" if v["category"] != "学生" else r"\d{10}", key), v
        born, joined = _as_date(v["born_on"]), _as_date(v["joined_on"])
        assert joined >= born.replace(year=born.year + 18, day=min(born.day, 28))
        if v["status"] == "正式党员":
            confirmed = _as_date(v["confirmed_on"])
            assert (confirmed.year - joined.year, confirmed.month) == (1, joined.month)
        else:
            assert _blank(v["confirmed_on"])
            assert joined.year >= int(v["year"]) - 1
        assert v["id_card"][6:14] == born.strftime("%Y%m%d")
        by_key[key].append(v)
    assert any(k.startswith("0") for k in by_key)
    statuses = Counter(v["status"] for v in rows)
    assert statuses["预备党员"] < statuses["正式党员"] / 3
    assert 0 < sum(v["lost_contact"] == "是" for v in rows) < len(rows) / 50
    assert 0 < sum(v["floating"] == "是" for v in rows) < len(rows) / 20
    staying = [vs for vs in by_key.values() if len(vs) == 3]
    assert len(staying) > len(by_key) / 3  # most people stay on the roster year after year
    assert all(len({(v["member_name"], v["id_card"]) for v in vs}) == 1 for vs in staying)
    students = {k for k, vs in by_key.items() if vs[0]["category"] == "学生"}
    assert any(len(by_key[k]) < 3 for k in students)  # students graduate and arrive


def test_branch_secretaries_are_on_the_roster_and_lecture(small: Demo):
    roles = {}
    for _, _, v in small.clean("members"):
        roles[(int(v["year"]), v["member_key"])] = (v["branch_code"], v["party_role"])
    lectures = {
        (small.year_of(f), v["org_code"], v["speaker_key"])
        for f, _, v in small.clean("activities")
        if v["activity_type"] == "党课"
    }
    branches = [v for _, _, v in small.rows["orgs"] if v["org_type"] in ("党支部", "直属党支部")]
    lecturing = 0
    for v in branches:
        year = int(v["year"])
        assert roles[(year, v["secretary_key"])] == (v["org_code"], "书记"), v
        lecturing += (year, v["org_code"], v["secretary_key"]) in lectures
    assert lecturing > len(branches) * 0.7
    secretaries = Counter(int(v["year"]) for _, _, v in small.clean("members") if v["party_role"] == "书记")
    assert all(secretaries[y] == len(branches) / 3 for y in YEARS)


def test_some_dates_are_written_as_text_in_other_spellings(full: DemoSummary):
    spellings = Counter()
    total = 0
    for path in full.files[:21]:  # the 2023 workbooks
        book = CalamineWorkbook.from_path(str(path))
        for name in book.sheet_names:
            kind = BY_TITLE[name]
            cols = [i for i, c in enumerate(kind.columns) if c.type == "date"]
            for row in book.get_sheet_by_name(name).to_python(skip_empty_area=False)[HEADER_ROW:-1]:
                for i in cols:
                    v = row[i]
                    if isinstance(v, str) and v:
                        spellings.update(s for p, s in TEXT_DATE if p.match(v))
                    total += isinstance(v, date)
    assert set(spellings) == {"dotted", "slashed", "chinese", "compact"}
    assert 0 < sum(spellings.values()) < total / 100


# --- realism ---------------------------------------------------------------------------------------


def _training_by_college(demo: Demo) -> dict[tuple[int, str], float]:
    """Mean training hours per member, per (year, college)."""
    college_of = {}
    for _, _, v in demo.clean("members"):
        college_of[(int(v["year"]), v["member_key"])] = v["branch_code"][:2]
    hours = defaultdict(float)
    for file, _, v in demo.clean("training"):
        hours[(demo.year_of(file), v["member_key"])] += v["hours"]
    members = Counter()
    total = defaultdict(float)
    for (year, key), college in college_of.items():
        members[(year, college)] += 1
        total[(year, college)] += hours[(year, key)]
    return {k: total[k] / members[k] for k in members}


def test_diligent_colleges_train_more_than_lax_ones(small: Demo):
    mean = _training_by_college(small)
    dil = small.summary.diligence
    for year in YEARS:
        best = max(dil, key=lambda c: dil[c][year])
        worst = min(dil, key=lambda c: dil[c][year])
        assert mean[(year, best)] > mean[(year, worst)] + 5, (year, best, worst)
    profiles = small.summary.profiles
    for college, profile in profiles.items():
        first, last = mean[(YEARS[0], college)], mean[(YEARS[-1], college)]
        if profile == "improving":
            assert last > first, college
        if profile == "declining":
            assert last < first, college
    assert set(profiles.values()) == {"diligent", "average", "lax", "improving", "declining"}


def test_lax_colleges_train_late_and_meet_less(small: Demo):
    college_of = {
        (int(v["year"]), v["member_key"]): v["branch_code"][:2] for _, _, v in small.clean("members")
    }
    first_half = defaultdict(float)
    total = defaultdict(float)
    for file, _, v in small.clean("training"):
        key = (small.year_of(file), college_of.get((small.year_of(file), v["member_key"])))
        total[key] += v["hours"]
        if _as_date(v["started_on"]).month <= 6:
            first_half[key] += v["hours"]
    dil = small.summary.diligence
    share = {k: first_half[k] / total[k] for k in total if total[k]}
    for year in YEARS:
        ranked = sorted(dil, key=lambda c: dil[c][year])
        lax = sum(share[(year, c)] for c in ranked[:4]) / 4
        diligent = sum(share[(year, c)] for c in ranked[-4:]) / 4
        assert diligent > lax + 0.1, (year, diligent, lax)


def test_meeting_counts_follow_diligence(small: Demo):
    count = Counter()
    for file, _, v in small.clean("activities"):
        count[(small.year_of(file), v["org_code"][:2], v["activity_type"])] += 1
    dil = small.summary.diligence
    for year in YEARS:
        ranked = sorted(dil, key=lambda c: dil[c][year])
        kinds = ("理论学习中心组", "党政联席会议")
        lax = sum(count[(year, c, k)] for c in ranked[:4] for k in kinds)
        diligent = sum(count[(year, c, k)] for c in ranked[-4:] for k in kinds)
        assert diligent > lax, (year, diligent, lax)
    for _, _, v in small.clean("activities"):
        assert v["attended"] <= v["expected"]
        if v["activity_type"] in ("组织生活会", "民主评议党员"):
            assert _as_date(v["held_on"]).month >= 10


def test_planted_problems(small: Demo):
    s = small.summary
    orgs = {(int(v["year"]), v["org_code"]): v for _, _, v in small.rows["orgs"]}
    for (year, _), v in orgs.items():
        if v["parent_code"] == s.overdue_college:
            last = _as_date(v["last_election_on"])
            assert last.replace(year=last.year + int(v["term_years"] or 3)) < date(year, 12, 31), v
    dual = [v for v in orgs.values() if v["org_type"] == "党支部" and v["branch_category"] == "教工"]
    assert {v["org_code"] for v in dual if v["secretary_dual_leader"] == "否"} == {s.not_dual_leader_branch}
    committee = {
        (small.year_of(f), v["org_code"])
        for f, _, v in small.clean("activities")
        if v["activity_type"] == "支部委员会"
    }
    full_members = Counter(
        (int(v["year"]), v["branch_code"]) for _, _, v in small.clean("members") if v["status"] == "正式党员"
    )
    assert len(s.no_committee_branches) == 2
    for code in s.no_committee_branches:
        for year in YEARS:
            assert full_members[(year, code)] >= 7 and (year, code) not in committee
    sizes = Counter((int(v["year"]), v["branch_code"]) for _, _, v in small.clean("members"))
    kinds = {v["org_code"]: v["branch_category"] for v in orgs.values()}
    oversized = {b for (y, b), n in sizes.items() if n > (30 if kinds.get(b) == "学生" else 50)}
    assert oversized == set(s.oversized_branches)
    assert any(kinds[b] == "学生" for b in oversized) and any(kinds[b] != "学生" for b in oversized)


def test_exactly_one_veto(small: Demo):
    vetoes = [
        (int(v["year"]), v["org_code"])
        for _, _, v in small.rows["adjustments"]
        if v["adjustment_type"] == "一票否决"
    ]
    assert vetoes == [small.summary.veto]
    assert small.summary.veto[1] in {f"{i:02d}" for i in range(1, 21)}
    kinds = Counter(v["adjustment_type"] for _, _, v in small.rows["adjustments"])
    assert kinds["加分"] >= 3 and kinds["扣分"] >= 3


def test_tasks_deadlines_and_statuses(small: Demo):
    rows = [v for _, _, v in small.clean("tasks")]
    for year in YEARS:
        assert 35 <= len({v["task_id"] for v in rows if v["year"] == year}) <= 45
    texts = {v["deadline"] for v in rows if isinstance(v["deadline"], str)}
    assert {"常态化推进", "长期坚持"} <= texts
    # as the seed's task list writes them: compound and vague deadlines, several owners, departments
    assert {"12月底前，长期坚持", "上半年", "下半年", "第一季度", "第三季度", "每学期", "2024年底前"} <= texts
    owners = {v["owners"] for v in rows}
    assert {"党委组织部，财务处", "党委组织部，各党总支、直属党支部", "党委宣传部"} <= owners
    assert any(v["responsible_person"] for v in rows)
    assert any(re.match(r"^\d{4}年\d{1,2}月底前$", t) for t in texts)
    assert any(re.match(r"^\d{1,2}月底前$", t) for t in texts)
    assert any(isinstance(v["deadline"], date) for v in rows)
    assert {v["status"] for v in rows} == {"未启动", "推进中", "已完成"}
    for v in rows:
        assert (v["status"] == "已完成") == (not _blank(v["completed_on"])), v
    late = [
        v
        for v in rows
        if isinstance(v["deadline"], date)
        and v["status"] == "已完成"
        and _as_date(v["completed_on"]) > _as_date(v["deadline"])
    ]
    assert late


def test_leader_roles_and_dues(small: Demo):
    roles = Counter(v["party_role"] for _, _, v in small.clean("members"))
    assert all(roles[r] > 0 for r in ("书记", "组织委员", "宣传委员", "纪检委员"))
    assert set(LEADER_ROLES) >= {"书记", "组织员"}
    months = Counter()
    for file, _, v in small.clean("dues"):
        months[(small.year_of(file), v["member_key"])] += 1
        assert v["month"].startswith(file[:4])
        if not _blank(v["amount_paid"]):
            assert v["amount_paid"] == v["amount_due"] and _as_date(v["paid_on"]) is not None
    assert max(months.values()) == 12 and min(months.values()) >= 1


# --- the messy rows ---------------------------------------------------------------------------------


def test_messy_rows_are_where_the_summary_says(small: Demo):
    messy = small.summary.messy
    assert 6 <= len(messy) <= 12
    assert len({(m.file, m.sheet, m.row) for m in messy}) == len(messy)
    whys = " ".join(m.reason for m in messy)
    for needle in ("不是有效日期", "学时", "9999", "组织编码", "为空"):
        assert needle in whys
    for m in messy:
        cells = small.sheets[(m.file, m.sheet)]
        header = cells[HEADER_ROW - 1]
        value = cells[m.row - 1][header.index(m.column)]
        assert (value if value is not None else "") == m.value, m
        assert HEADER_ROW < m.row < len(cells)  # a data row, not the footer
        column = next(c for c in BY_TITLE[m.sheet].columns if c.header == m.column)
        if m.column not in ("所在党支部编码", "组织编码"):  # those two fail only against 组织架构
            assert _problem(column, value) is not None, m
