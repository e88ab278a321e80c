"""A tiny `serving.duckdb` for the dashboard tests, shaped by the marts contracts.

Two colleges, four branches, two periods (2024Q3, 2024Q4). The values are typed in, not computed:
the dashboard must only select, filter and format what the marts hold. For 数据质量 it also has
marts.load_summary (three files: one with rejected rows, one clean, one unreadable) and marts.rejects.

Every table is created from its dbt contract (dbt/models/marts/<table>.yml, `contract: enforced`):
the real column names and types, in the real order. Values are given by column name; a column the
fixture does not type in stays NULL, and a name the contract does not have is an error — so the
fixture cannot drift from the marts (tests/dashboards/test_serving_fixture.py holds it to them).
Organisation types, branch categories, sheet kinds and tiers are the contracts' and the rulebook's.
"""

import csv
import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from functools import cache
from pathlib import Path

import duckdb
import yaml

from dagster_project.contracts import KINDS
from dagster_project.contracts.orgs import BRANCH_CATEGORIES, ORG_TYPES
from dagster_project.home import REPO_ROOT

MARTS_DIR = REPO_ROOT / "dbt" / "models" / "marts"
SEEDS_DIR = REPO_ROOT / "seeds"

UNIVERSITY = ("PARTY", "测试大学党委")
COLLEGES = {"C01": "计算机学院", "C02": "马克思主义学院"}
COLLEGE_TYPES = {"C01": "党委", "C02": "党总支"}

# code, name, college, category, members
BRANCHES = [
    ("C01B01", "计算机教工第一党支部", "C01", "教工", 18),
    ("C01B02", "计算机本科生党支部", "C01", "学生", 42),
    ("C02B01", "马院教工党支部", "C02", "教工", 15),
    ("C02B02", "马院研究生党支部", "C02", "学生", 30),
]

# period -> branch -> (b1..b7, total, stars, tier, veto, rank_overall, rank_in_college)
# b7 (服务师生有力) is not computed in 2024Q3 (NULL); every dimension is present in 2024Q4.
# Stars and tiers are typed in as a mart could hold them, not recomputed from the totals.
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
# The columns after the dimension scores, in SCORES' order.
SCORE_TAIL = ("total", "stars", "tier", "veto", "rank_overall", "rank_in_college")

LATEST_PERIOD = "2024Q4"

# ---- 数据质量: marts.load_summary and marts.rejects ------------------------------------------------

GOOD_FILE = "2024_计算机学院党建台账.xlsx"
CLEAN_FILE = "2024_马克思主义学院花名册.xlsx"
BROKEN_FILE = "马院经费台账（损坏）.xlsx"
UNREADABLE = "文件无法读取（可能已损坏或加密）：File is not a zip file"

LOAD_SUMMARY_COLUMNS = (
    "source_file",
    "file_hash",
    "kinds",
    "rows_read",
    "rows_loaded",
    "rows_rejected",
    "loaded_at",
    "problem",
)
LOAD_SUMMARY = [
    (GOOD_FILE, "a1b2c3", "members,training,activities", 120, 117, 3, datetime(2024, 12, 20, 9, 30), None),
    (CLEAN_FILE, "d4e5f6", "members", 45, 45, 0, datetime(2024, 12, 20, 9, 31), None),
    (BROKEN_FILE, "0a0b0c", None, 0, 0, 0, datetime(2024, 12, 20, 9, 32), UNREADABLE),
]
# load_summary.years: the years a file's loaded rows belong to (none for the unreadable file)
FILE_YEARS = {GOOD_FILE: [2024], CLEAN_FILE: [2024], BROKEN_FILE: []}

_ROW_5 = {"年度": "2024", "工号/学号": "20240012", "姓名": "张三", "出生日期": "2030-01-01", "入党日期": ""}
_ROW_9 = {"组织编码": "C01B09", "活动类型": "主题党日", "日期": "2024-03-18", "应到人数": 20, "实到人数": 25}
_ROW_7 = {"工号/学号": "20249999", "培训名称": "党课", "开始日期": "2024-05-06", "学时": 4}

REJECT_COLUMNS = (
    "source_file",
    "sheet",
    "row_number",
    "column_name",
    "raw_value",
    "reason",
    "kind",
    "check_stage",
    "row_values",
)
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
# rejects.check_stage: parse = found reading the file, cross = found against the other files
CHECK_STAGES = ("parse", "cross")


# ---- the contracts -----------------------------------------------------------------------------------


@cache
def marts_contract(table: str) -> tuple[tuple[str, str], ...]:
    """(column, data_type) of a mart, in its contract's order, from dbt/models/marts/<table>.yml."""
    model = contract_model(table)
    if not model.get("config", {}).get("contract", {}).get("enforced"):
        raise ValueError(f"marts.{table} has no enforced contract")
    return tuple((column["name"], column["data_type"]) for column in model["columns"])


def contract_model(table: str) -> dict:
    """The dbt model that publishes marts.`table`: dbt/models/marts/<table>.yml, or the model whose
    alias it is (the rulebook tables: rulebook_dimensions.yml publishes rule_dimensions)."""
    for path in [MARTS_DIR / f"{table}.yml", *sorted(MARTS_DIR.glob("*.yml"))]:
        if not path.exists():
            continue
        for model in yaml.safe_load(path.read_text(encoding="utf-8"))["models"]:
            if model.get("config", {}).get("alias", model["name"]) == table:
                return model
    raise FileNotFoundError(f"no marts contract publishes {table}")


@cache
def branch_dimensions() -> tuple[str, ...]:
    """The branch score columns (b1, b2, …) in the rulebook's order (seeds/rule_dimensions.csv)."""
    import csv

    with (SEEDS_DIR / "rule_dimensions.csv").open(encoding="utf-8") as f:
        return tuple(row["dimension"].lower() for row in csv.DictReader(f) if row["level"] == "branch")


def create_mart(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """marts.<table> with its contract's columns and types (the schema is created if missing)."""
    columns = ", ".join(f'"{name}" {data_type}' for name, data_type in marts_contract(table))
    con.execute("create schema if not exists marts")
    con.execute(f"create table marts.{table} ({columns})")


def insert_rows(con: duckdb.DuckDBPyConnection, table: str, rows: Iterable[Mapping[str, object]]) -> None:
    """Insert rows given by column name into marts.<table>; columns not given stay NULL."""
    known = [name for name, _ in marts_contract(table)]
    for row in rows:
        unknown = sorted(set(row) - set(known))
        if unknown:
            raise KeyError(f"marts.{table} has no column {unknown} in its contract")
        names = [name for name in known if name in row]
        con.execute(
            f"insert into marts.{table} ({', '.join(names)}) values ({', '.join(['?'] * len(names))})",
            [row[name] for name in names],
        )


def _check_vocabulary(values: Iterable[object], allowed: Iterable[object], what: str) -> None:
    wrong = sorted({v for v in values if v is not None} - set(allowed))
    if wrong:
        raise ValueError(f"{what}: {wrong} is not one of {sorted(allowed)}")


# ---- the rows ----------------------------------------------------------------------------------------


def org_rows() -> list[dict[str, object]]:
    university_code, university_name = UNIVERSITY
    rows: list[dict[str, object]] = [
        {
            "year": 2024,
            "org_code": university_code,
            "org_name": university_name,
            "org_type": "党委",
            "is_branch": False,
            "is_college": False,
            "is_university": True,
        }
    ]
    rows += [
        {
            "year": 2024,
            "org_code": code,
            "org_name": name,
            "org_type": COLLEGE_TYPES[code],
            "parent_code": university_code,
            "college_code": code,
            "college_name": name,
            "is_branch": False,
            "is_college": True,
            "is_university": False,
        }
        for code, name in COLLEGES.items()
    ]
    rows += [
        {
            "year": 2024,
            "org_code": code,
            "org_name": name,
            "org_type": "党支部",
            "parent_code": college,
            "college_code": college,
            "college_name": COLLEGES[college],
            "branch_category": category,
            "is_branch": True,
            "is_college": False,
            "is_university": False,
        }
        for code, name, college, category, _ in BRANCHES
    ]
    return rows


def branch_score_rows() -> list[dict[str, object]]:
    branch_info = {code: (name, college, cat, members) for code, name, college, cat, members in BRANCHES}
    columns = (*branch_dimensions(), *SCORE_TAIL)
    rows = []
    for period, by_branch in SCORES.items():
        for code, values in by_branch.items():
            name, college, category, members = branch_info[code]
            rows.append(
                {
                    "period": period,
                    "year": int(period[:4]),
                    "quarter": int(period[-1]),
                    "branch_code": code,
                    "branch_name": name,
                    "college_code": college,
                    "college_name": COLLEGES[college],
                    "branch_category": category,
                    "member_count": members,
                    **dict(zip(columns, values, strict=True)),
                }
            )
    return rows


def load_summary_rows() -> list[dict[str, object]]:
    return [
        {**dict(zip(LOAD_SUMMARY_COLUMNS, row, strict=True)), "years": FILE_YEARS[row[0]]}
        for row in LOAD_SUMMARY
    ]


def reject_rows() -> list[dict[str, object]]:
    loaded_at = {row[0]: row[6] for row in LOAD_SUMMARY}
    rows = []
    for values in REJECTS:
        row = dict(zip(REJECT_COLUMNS, values, strict=True))
        if row["row_values"] is not None:
            row["row_values"] = json.dumps(row["row_values"], ensure_ascii=False)
        rows.append({**row, "loaded_at": loaded_at[row["source_file"]]})
    return rows


def tiers() -> tuple[str, ...]:
    """The tiers branch_scores can hold: the rulebook's (seeds/rule_tiers.csv)."""
    with (SEEDS_DIR / "rule_tiers.csv").open(encoding="utf-8") as f:
        return tuple(row["tier"] for row in csv.DictReader(f))


FIXTURE_TABLES = {
    "dim_org": org_rows,
    "branch_scores": branch_score_rows,
    "load_summary": load_summary_rows,
    "rejects": reject_rows,
}


def check_vocabulary() -> None:
    """The fixture's categorical values are the contracts' and the rulebook's (a ValueError if not)."""
    orgs = org_rows()
    _check_vocabulary((r["org_type"] for r in orgs), ORG_TYPES, "dim_org.org_type")
    _check_vocabulary((r.get("branch_category") for r in orgs), BRANCH_CATEGORIES, "dim_org.branch_category")
    scores = branch_score_rows()
    _check_vocabulary(
        (r["branch_category"] for r in scores), BRANCH_CATEGORIES, "branch_scores.branch_category"
    )
    _check_vocabulary((r["tier"] for r in scores), tiers(), "branch_scores.tier")
    rejects = reject_rows()
    _check_vocabulary((r["kind"] for r in rejects), KINDS, "rejects.kind")
    _check_vocabulary((r["check_stage"] for r in rejects), CHECK_STAGES, "rejects.check_stage")
    file_kinds = (k for r in LOAD_SUMMARY if r[2] for k in r[2].split(","))
    _check_vocabulary(file_kinds, KINDS, "load_summary.kinds")


def build_serving_db(path: str | Path) -> Path:
    """Write the fixture snapshot to `path` (replacing it) and return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    check_vocabulary()
    with duckdb.connect(str(path)) as con:
        for table, rows in FIXTURE_TABLES.items():
            create_mart(con, table)
            insert_rows(con, table, rows())
        # Comments as a snapshot could carry them (the 自助查询 catalog prefers them over dbt's manifest).
        con.execute("comment on table marts.load_summary is '数据质量：每个收件箱文件一行'")
        con.execute("comment on column marts.load_summary.rows_read is '读取行数（行）'")
        add_rulebook(con)
    return path


def add_rulebook(con: duckdb.DuckDBPyConnection) -> None:
    """marts.rule_dimensions / rule_grades / rule_tiers with their contracts' columns, the rows from
    the rulebook CSVs (the pages take dimension names, grades and tiers from these tables)."""
    dimensions, grades, tiers_ = (_seed(name) for name in ("rule_dimensions", "rule_grades", "rule_tiers"))
    for level in ("branch", "college"):
        ranked = sorted(
            (d for d in dimensions if d["level"] == level),
            key=lambda d: (len(d["dimension"]), d["dimension"]),
        )
        for order, row in enumerate(ranked, start=1):
            row.update(score_column=row["dimension"].lower(), sort_order=order)
    for table, rows in (("rule_dimensions", dimensions), ("rule_grades", grades), ("rule_tiers", tiers_)):
        create_mart(con, table)
        insert_rows(con, table, rows)


def _seed(name: str) -> list[dict[str, object]]:
    with (SEEDS_DIR / f"{name}.csv").open(encoding="utf-8") as f:
        return [{k: (v if v != "" else None) for k, v in row.items()} for row in csv.DictReader(f)]


def rulebook_dimensions(level: str) -> dict[str, str]:
    """{score column: dimension name} of `level` from seeds/rule_dimensions.csv, in rulebook order."""
    with duckdb.connect() as con:
        con.execute("create schema marts")
        add_rulebook(con)
        rows = con.execute(
            "select score_column, dimension_name from marts.rule_dimensions where level = ? order by sort_order",
            [level],
        ).fetchall()
    return dict(rows)


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
