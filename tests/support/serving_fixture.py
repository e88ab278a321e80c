"""A tiny hand-written `serving.duckdb` for the dashboard tests.

Two colleges, four branches, two periods (2024Q3, 2024Q4). The values are typed in, not computed:
the dashboard must only select, filter and format what the marts hold. For 数据质量 it also has
marts.load_summary (three files: one with rejected rows, one clean, one unreadable) and marts.rejects.
"""

import json
from datetime import datetime
from pathlib import Path

import duckdb

COLLEGES = {"C01": "计算机学院", "C02": "马克思主义学院"}

# code, name, college, category, members
BRANCHES = [
    ("C01B01", "计算机教工第一党支部", "C01", "教工", 18),
    ("C01B02", "计算机本科生党支部", "C01", "学生", 42),
    ("C02B01", "马院教工党支部", "C02", "教工", 15),
    ("C02B02", "马院研究生党支部", "C02", "学生", 30),
]

# period -> branch -> (b1..b7, total, stars, tier, veto, rank_overall, rank_in_college)
# b7 (服务师生有力) is not computed in 2024Q3 (NULL); every dimension is present in 2024Q4.
SCORES = {
    "2024Q3": {
        "C01B01": (88.5, 90.0, 85.0, 80.0, 92.0, 86.0, None, 87.25, 4, None, False, 2, 1),
        "C01B02": (70.0, 65.5, 72.0, 68.0, 60.0, 75.0, None, 68.42, 3, None, False, 3, 2),
        "C02B01": (95.0, 96.0, 94.0, 93.5, 97.0, 95.5, None, 95.17, 5, None, False, 1, 1),
        "C02B02": (50.0, 55.0, 40.0, 45.0, 52.0, 48.0, None, 48.33, 0, None, True, 4, 2),
    },
    "2024Q4": {
        "C01B01": (92.0, 91.0, 90.0, 88.0, 94.0, 90.0, 89.0, 90.57, 5, "示范性", False, 1, 1),
        "C01B02": (75.0, 70.0, 74.0, 72.0, 66.0, 78.0, 71.0, 72.29, 3, "规范化", False, 4, 2),
        "C02B01": (89.0, 90.5, 88.0, 87.0, 91.0, 90.0, 88.5, 89.14, 4, "红旗", False, 2, 1),
        "C02B02": (80.0, 78.0, 79.5, 76.0, 74.0, 81.0, 77.0, 77.93, 4, None, False, 3, 2),
    },
}

LATEST_PERIOD = "2024Q4"

# ---- 数据质量: marts.load_summary and marts.rejects ------------------------------------------------

GOOD_FILE = "2024_计算机学院党建台账.xlsx"
CLEAN_FILE = "2024_马克思主义学院花名册.xlsx"
BROKEN_FILE = "马院经费台账（损坏）.xlsx"
UNREADABLE = "文件无法读取（可能已损坏或加密）：File is not a zip file"

# source_file, file_hash, kinds, rows_read, rows_loaded, rows_rejected, loaded_at, problem
LOAD_SUMMARY = [
    (GOOD_FILE, "a1b2c3", "members,training,activities", 120, 117, 3, datetime(2024, 12, 20, 9, 30), None),
    (CLEAN_FILE, "d4e5f6", "members", 45, 45, 0, datetime(2024, 12, 20, 9, 31), None),
    (BROKEN_FILE, "0a0b0c", None, 0, 0, 0, datetime(2024, 12, 20, 9, 32), UNREADABLE),
]

_ROW_5 = {"年度": "2024", "工号/学号": "20240012", "姓名": "张三", "出生日期": "2030-01-01", "入党日期": ""}
_ROW_9 = {"组织编码": "C01B09", "活动类型": "主题党日", "日期": "2024-03-18", "应到人数": 20, "实到人数": 25}
_ROW_7 = {"工号/学号": "20249999", "培训名称": "党课", "开始日期": "2024-05-06", "学时": 4}

# source_file, sheet, row_number, column_name, raw_value, reason, kind, check_stage, row_values
# Three rejected rows of GOOD_FILE (row 5 of 党员花名册 has two problems) and the unreadable file.
REJECTS = [
    (
        GOOD_FILE,
        "党员花名册",
        5,
        "出生日期",
        "2030-01-01",
        "「出生日期」晚于今天",
        "members",
        "parse",
        _ROW_5,
    ),
    (GOOD_FILE, "党员花名册", 5, "入党日期", None, "缺少必填项「入党日期」", "members", "parse", _ROW_5),
    (GOOD_FILE, "组织生活台账", 9, "实到人数", "25", "实到人数大于应到人数", "activities", "parse", _ROW_9),
    (
        GOOD_FILE,
        "学习培训台账",
        7,
        "工号/学号",
        "20249999",
        "工号/学号不在党员花名册中",
        "training",
        "cross",
        _ROW_7,
    ),
    (BROKEN_FILE, None, None, None, None, UNREADABLE, None, "parse", None),
]


def build_serving_db(path: str | Path) -> Path:
    """Write the fixture snapshot to `path` (replacing it) and return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    branch_info = {code: (name, college, cat, members) for code, name, college, cat, members in BRANCHES}
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute(
            """
            create table marts.dim_org (
                year INTEGER, org_code VARCHAR, org_name VARCHAR, org_type VARCHAR,
                parent_code VARCHAR, college_code VARCHAR, branch_category VARCHAR
            )
            """
        )
        con.execute(
            """
            create table marts.branch_scores (
                period VARCHAR, year INTEGER, quarter INTEGER,
                branch_code VARCHAR, branch_name VARCHAR, college_code VARCHAR, college_name VARCHAR,
                branch_category VARCHAR, member_count INTEGER,
                b1 DOUBLE, b2 DOUBLE, b3 DOUBLE, b4 DOUBLE, b5 DOUBLE, b6 DOUBLE, b7 DOUBLE,
                total DOUBLE, stars INTEGER, tier VARCHAR, veto BOOLEAN,
                rank_overall INTEGER, rank_in_college INTEGER
            )
            """
        )
        org_rows = [(2024, "PARTY", "党委", "党委", None, None, None)]
        org_rows += [(2024, code, name, "学院党组织", "PARTY", code, None) for code, name in COLLEGES.items()]
        org_rows += [
            (2024, code, name, "党支部", college, college, cat) for code, name, college, cat, _ in BRANCHES
        ]
        con.executemany("insert into marts.dim_org values (?, ?, ?, ?, ?, ?, ?)", org_rows)

        score_rows = []
        for period, by_branch in SCORES.items():
            year, quarter = int(period[:4]), int(period[-1])
            for code, values in by_branch.items():
                name, college, cat, members = branch_info[code]
                score_rows.append(
                    (period, year, quarter, code, name, college, COLLEGES[college], cat, members, *values)
                )
        con.executemany(f"insert into marts.branch_scores values ({', '.join(['?'] * 22)})", score_rows)
        _add_data_quality(con)
    return path


def _add_data_quality(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        """
        create table marts.load_summary (
            source_file VARCHAR, file_hash VARCHAR, kinds VARCHAR, rows_read BIGINT, rows_loaded BIGINT,
            rows_rejected BIGINT, loaded_at TIMESTAMP, problem VARCHAR
        )
        """
    )
    con.executemany("insert into marts.load_summary values (?, ?, ?, ?, ?, ?, ?, ?)", LOAD_SUMMARY)
    con.execute(
        """
        create table marts.rejects (
            source_file VARCHAR, sheet VARCHAR, row_number BIGINT, column_name VARCHAR, raw_value VARCHAR,
            reason VARCHAR, kind VARCHAR, check_stage VARCHAR, row_values VARCHAR, loaded_at TIMESTAMP
        )
        """
    )
    loaded_at = {row[0]: row[6] for row in LOAD_SUMMARY}
    con.executemany(
        "insert into marts.rejects values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (*row[:8], None if row[8] is None else json.dumps(row[8], ensure_ascii=False), loaded_at[row[0]])
            for row in REJECTS
        ],
    )
    # Comments as a snapshot could carry them (the 自助查询 catalog prefers them over dbt's manifest).
    con.execute("comment on table marts.load_summary is '数据质量：每个收件箱文件一行'")
    con.execute("comment on column marts.load_summary.rows_read is '读取行数（行）'")
