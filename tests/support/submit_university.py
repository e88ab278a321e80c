"""A two-college university for the 报送 tests: 组织架构 and 花名册 loaded through the real ingest, and a
published snapshot of their codes, so a preview and a run check against the same 组织架构.

2024: 测试大学党委 00; 计算机学院党委 01 (支部 0101); 机械学院党委 02 (支部 0201).
"""

import csv
import datetime as dt
from pathlib import Path

import duckdb

from dagster_project.contracts import KINDS
from dagster_project.ingest.store import sync_inbox
from tests.support.workbooks import write_workbook

D = dt.date
ORGS = [
    {"year": 2024, "org_code": "00", "org_name": "测试大学党委", "org_type": "党委"},
    {"year": 2024, "org_code": "01", "org_name": "计算机学院党委", "org_type": "党委", "parent_code": "00"},
    {"year": 2024, "org_code": "02", "org_name": "机械学院党委", "org_type": "党委", "parent_code": "00"},
    {
        "year": 2024,
        "org_code": "0101",
        "org_name": "计算机教工支部",
        "org_type": "党支部",
        "parent_code": "01",
    },
    {"year": 2024, "org_code": "0201", "org_name": "机械教工支部", "org_type": "党支部", "parent_code": "02"},
]


def _activity(org: str, on: dt.date, expected: int, attended: int, topic: str) -> dict:
    return {
        "org_code": org,
        "activity_type": "主题党日",
        "held_on": on,
        "expected": expected,
        "attended": attended,
        "topic": topic,
    }


# Excel rows: a title row, a blank row, the header in row 3, data from row 4.
COLLEGE_ACTIVITIES = [
    _activity("0101", D(2024, 3, 5), 10, 8, "学习"),  # row 4: loads
    _activity("0201", D(2024, 3, 6), 10, 9, "参观"),  # row 5: another college's branch
    _activity("0101", D(2024, 3, 7), 10, 12, "讨论"),  # row 6: more attended than expected
    _activity("9999", D(2024, 3, 8), 10, 9, "座谈"),  # row 7: no such org
]
# The rejects of COLLEGE_ACTIVITIES for a login of college 01, by hand: (sheet, row, column, value, reason)
COLLEGE_REJECTS = {
    ("组织生活", 5, "组织编码", "0201", "不属于本单位（机械学院党委）"),
    ("组织生活", 6, "实到人数", "12", "实到人数大于应到人数"),
    ("组织生活", 7, "组织编码", "9999", "「组织编码」9999 不在2024年度组织架构中"),
}


def college_workbook(path: Path) -> Path:
    return write_workbook(path, {"组织生活": ("activities", COLLEGE_ACTIVITIES)})


def college_csv(path: Path) -> Path:
    """COLLEGE_ACTIVITIES as a CSV file: the header in line 1, data from line 2 (Excel row = line)."""
    columns = KINDS["activities"].columns
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow([c.header for c in columns])
        for row in COLLEGE_ACTIVITIES:
            out.writerow(["" if row.get(c.name) is None else str(row[c.name]) for c in columns])
    return path


def csv_rejects(path: Path) -> set[tuple]:
    """COLLEGE_REJECTS of college_csv(path): the one sheet is named by the file, two rows up."""
    return {(path.stem, row - 2, column, value, why) for _, row, column, value, why in COLLEGE_REJECTS}


def build(home: Path) -> Path:
    """home with inbox/组织部/组织架构.xlsx loaded into warehouse.duckdb and a serving.duckdb holding
    marts.dim_org and marts.dim_member as the pipeline publishes them (the columns a preview reads)."""
    inbox = home / "inbox" / "组织部"
    inbox.mkdir(parents=True)
    write_workbook(inbox / "组织架构.xlsx", {"组织架构": ("orgs", ORGS)})
    with duckdb.connect(str(home / "warehouse.duckdb")) as con:
        sync_inbox(con, home / "inbox", home / "archive")
        con.execute(f"attach '{home / 'serving.duckdb'}' as snap")
        con.execute("create schema snap.marts")
        con.execute(
            "create table snap.marts.dim_org as "
            "select year, org_code, org_name, org_type, parent_code from raw.orgs"
        )
        con.execute(
            "create table snap.marts.dim_member as select year, member_key, branch_code from raw.members"
        )
        con.execute("detach snap")
    return home
