"""The tiny university the tests write their inboxes from, as rows for tests/support/workbooks.py.

测试大学党委 (00) → 计算机学院党委 (01, 党委) → two branches:
- 0101 计算机学院教工党支部 (教工), secretary T001 赵一, a 双带头人;
- 0102 计算机学院学生党支部 (学生), secretary S001 钱二.

What a test varies is a knob: the year, the college's name (its branches are named after it), the
college's head counts, whether the secretaries and the last elections are filled in, which branches
exist, and any field of a row (`**fields`). A field set to None is a blank cell.
"""

import datetime as dt

D = dt.date

UNIVERSITY = ("00", "测试大学党委")
COLLEGE_CODE = "01"
# code -> (name after the college's, category, (secretary's key, name, 双带头人))
BRANCHES = {
    "0101": ("教工党支部", "教工", ("T001", "赵一", "是")),
    "0102": ("学生党支部", "学生", ("S001", "钱二", "否")),
}
# code -> (last election, term in years): the elections the trust tests' university had
ELECTIONS = {"0101": (D(2023, 6, 1), 3), "0102": (D(2023, 9, 1), 3)}
JOINED = D(2015, 7, 1)  # a member's 入党日期 unless a test says otherwise

# One 党员花名册 row without its 工号/学号: tests that need a valid member add the key.
MEMBER = {
    "year": 2024,
    "member_name": "张三",
    "category": "教职工",
    "branch_code": "0101",
    "status": "正式党员",
}


def org(
    code: str, name: str, org_type: str, parent: str | None = None, *, year: int = 2024, **fields
) -> dict:
    """One 组织架构 row."""
    return {
        "year": year,
        "org_code": code,
        "org_name": name,
        "org_type": org_type,
        "parent_code": parent,
        **fields,
    }


def university(year: int = 2024) -> dict:
    code, name = UNIVERSITY
    return org(code, name, "党委", year=year)


def college(
    year: int = 2024,
    *,
    college_name: str = "计算机学院",
    counts: tuple[int, int, int] | None = None,
    **fields,
):
    """The college 党委; counts = (教职工人数, 学生人数, 专职组织员人数)."""
    if counts is not None:
        fields = dict(zip(("staff_count", "student_count", "organizer_count"), counts, strict=True)) | fields
    return org(COLLEGE_CODE, f"{college_name}党委", "党委", UNIVERSITY[0], year=year, **fields)


def branch(
    code: str,
    year: int = 2024,
    *,
    college_name: str = "计算机学院",
    secretary: bool = True,
    election: tuple[dt.date, int | None] | None = None,
    **fields,
) -> dict:
    """Branch 0101 or 0102; `secretary` fills its secretary's three columns, `election` (date, term)
    its last election."""
    suffix, category, (key, name, dual) = BRANCHES[code]
    row = org(code, f"{college_name}{suffix}", "党支部", COLLEGE_CODE, year=year, branch_category=category)
    if secretary:
        row |= {"secretary_key": key, "secretary_name": name, "secretary_dual_leader": dual}
    if election is not None:
        row |= {"last_election_on": election[0], "term_years": election[1]}
    return row | fields


def orgs(
    year: int = 2024,
    *,
    college_name: str = "计算机学院",
    counts: tuple[int, int, int] | None = None,
    secretaries: bool = True,
    elections: dict[str, tuple[dt.date, int | None]] | None = None,
    branches: tuple[str, ...] = ("0101", "0102"),
) -> list[dict]:
    """The whole 组织架构 of one year: the university, the college and its branches."""
    elections = ELECTIONS if elections is None else elections
    return [
        university(year),
        college(year, college_name=college_name, counts=counts),
        *(
            branch(code, year, college_name=college_name, secretary=secretaries, election=elections.get(code))
            for code in branches
        ),
    ]


def member(
    key: str,
    branch: str = "0101",
    role: str | None = None,
    *,
    year: int = 2024,
    status: str = "正式党员",
    joined: dt.date | str = JOINED,
    category: str = "教职工",
) -> dict:
    """One 党员花名册 row of a member named after the key (党员T001)."""
    return {
        "year": year,
        "member_key": key,
        "member_name": f"党员{key}",
        "category": category,
        "branch_code": branch,
        "status": status,
        "joined_on": joined,
        "party_role": role,
    }
