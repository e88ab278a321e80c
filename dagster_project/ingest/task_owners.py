"""Who owns each task of a 任务清单: its 责任单位 cell read as task lists write it.

辽宁科技学院's task list (《中共辽宁科技学院委员会开展“基层党建制度落实年”活动的实施方案》 正文二 and
附件2) names party organisations and functional departments, often several in one cell
("党委组织部，财务处"; "党委组织部，各党总支、直属党支部"). A cell is read here, once every file is in:

* separators ，,、;；/ split it into owners, the first being the 牵头单位 (`is_lead`; a group that
  comes first makes every org of it a lead);
* an owner is a party org of the task's year's 组织架构 (by code or by full name), a department of
  the rulebook's `departments.csv`, or a group: "各党总支、直属党支部" (every college-level 党总支 and
  直属党支部), "各二级党组织"/"各院系党组织" (every college-level org);
* a year without a 组织架构 is checked against the nearest year that has one (the earlier on a tie),
  so a task list sent before the year's structure still shows;
* an owner that cannot be placed, or one owner given the same task in two rows, makes the row a
  reject naming it: a loaded row is never left without an owner.

The result is raw.task_owners, one row per task row and owner, rebuilt on every run (the other checks
across files look again only at the rows a change reaches: cross_changes.py).
"""

import csv
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from dagster_project.contracts import KINDS
from dagster_project.home import REPO_ROOT

DEPARTMENTS_CSV = REPO_ROOT / "seeds" / "departments.csv"
COLUMN = "责任单位"
PARTY_ORG = "党组织"
DEPARTMENT = "职能部门"
COLLEGE_TYPES = ("党委", "党总支", "直属党支部")

# Owners written as a group, after NFKC (（）→ ()): the org types they stand for, None = every type.
GROUPS: dict[str, tuple[str, ...] | None] = {
    "各党总支、直属党支部": ("党总支", "直属党支部"),
    "各党总支(直属党支部)": ("党总支", "直属党支部"),
    "各党总支、直属支部": ("党总支", "直属党支部"),
    "各党总支(直属支部)": ("党总支", "直属党支部"),
    "各党总支": ("党总支",),
    "各直属党支部": ("直属党支部",),
    "各二级学院党委": ("党委",),
    "各二级党组织": None,
    "各院系党组织": None,
    "各院(系)党组织": None,
}
SEPARATORS = ",、;/"  # after NFKC: ，→ ,  ；→ ;  ／→ /

OWNERS_TABLE = "task_owners"
OWNERS_DDL = (
    "_source_file VARCHAR, _sheet VARCHAR, _row_number BIGINT, owner_seq INTEGER, owner_name VARCHAR, "
    "owner_kind VARCHAR, org_code VARCHAR, is_lead BOOLEAN, structure_year INTEGER"
)
OWNERS_DOCS: dict[str, str] = {
    "_source_file": "任务所在文件（与 raw.tasks 的 _source_file 相同）",
    "_sheet": "任务所在工作表",
    "_row_number": "任务所在 Excel 行号",
    "owner_seq": "该责任单位在「责任单位」格中的次序（从1起；“各二级党组织”等按组织编码展开）",
    "owner_name": "责任单位名称：党组织取组织架构中的全称，职能部门取 departments.csv 中的名称",
    "owner_kind": "党组织 或 职能部门",
    "org_code": "党组织的组织编码（职能部门为空）",
    "is_lead": "是否牵头单位：格中第一个单位（写作“各……”时其中每个组织）",
    "structure_year": "核对所用的组织架构年度：任务年度有组织架构时即该年度，否则为最近的有组织架构的年度",
}


def _nfkc(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def departments(path: Path | None = None) -> dict[str, str]:
    """The rulebook's departments: {name as matched (NFKC, no spaces): name as written}."""
    with (path or DEPARTMENTS_CSV).open(encoding="utf-8", newline="") as fh:
        return {_nfkc(row["department"]): row["department"].strip() for row in csv.DictReader(fh)}


@dataclass(frozen=True)
class Owner:
    name: str
    kind: str
    org_code: str | None
    is_lead: bool


@dataclass
class _Structure:
    """One year's 组织架构, as the owners are matched against it."""

    year: int
    by_code: dict[str, str]  # org code → name
    by_name: dict[str, list[str]]  # NFKC name → codes
    college_level: list[tuple[str, str, str]]  # (code, name, type) of orgs directly under the root

    @classmethod
    def of(cls, year: int, orgs: list[dict]) -> "_Structure":
        roots = {o["org_code"] for o in orgs if o["parent_code"] is None}
        by_name: dict[str, list[str]] = {}
        for o in orgs:
            by_name.setdefault(_nfkc(o["org_name"]), []).append(o["org_code"])
        college = sorted(
            (o["org_code"], o["org_name"], o["org_type"]) for o in orgs if o["parent_code"] in roots
        )
        return cls(year, {o["org_code"]: o["org_name"] for o in orgs}, by_name, college)


def _split(cell: str) -> list[str]:
    """The owners of a cell, a group kept whole (its 、 is not a separator)."""
    text = _nfkc(cell)
    pieces: list[str] = []
    current = ""
    i = 0
    while i < len(text):
        group = next((g for g in sorted(GROUPS, key=len, reverse=True) if text.startswith(g, i)), None)
        if group is not None and not current:
            pieces.append(group)
            i += len(group)
            continue
        if text[i] in SEPARATORS:
            if current:
                pieces.append(current)
            current = ""
        else:
            current += text[i]
        i += 1
    if current:
        pieces.append(current)
    return pieces


def read_owners(
    cell: str, year: int, structure: _Structure | None, known_departments: dict[str, str]
) -> tuple[list[Owner], str | None]:
    """(owners, None) or ([], why the cell cannot be placed)."""
    pieces = _split(cell)
    if not pieces:
        return [], f"「{COLUMN}」没有填写任何单位"
    where = _where(year, structure)
    owners: list[Owner] = []
    for n, piece in enumerate(pieces):
        lead = n == 0
        if piece in GROUPS:
            if structure is None:
                return [], f"「{piece}」无法展开：没有任何年度的组织架构"
            types = GROUPS[piece]
            found = [
                Owner(name, PARTY_ORG, code, lead)
                for code, name, org_type in structure.college_level
                if types is None or org_type in types
            ]
            if not found:
                return [], f"「{piece}」在{where}中没有对应的组织"
            owners += found
        elif structure is not None and piece in structure.by_code:
            owners.append(Owner(structure.by_code[piece], PARTY_ORG, piece, lead))
        elif structure is not None and len(codes := structure.by_name.get(piece, [])) > 1:
            return [], f"「{piece}」在{where}中有{len(codes)}个同名组织（{'、'.join(codes)}），请改填组织编码"
        elif structure is not None and codes:
            owners.append(Owner(structure.by_code[codes[0]], PARTY_ORG, codes[0], lead))
        elif piece in known_departments:
            owners.append(Owner(known_departments[piece], DEPARTMENT, None, lead))
        elif structure is None:
            return [], f"「{piece}」不是规则表 departments.csv 中的职能部门，且没有任何年度的组织架构可以核对"
        else:
            return [], (
                f"「{piece}」既不是{where}中的组织编码或组织名称，也不是规则表 departments.csv 中的职能部门"
            )
    unique: dict[tuple[str, str], Owner] = {}
    for owner in owners:  # the same owner twice in one cell counts once, at its first place
        unique.setdefault((owner.kind, owner.org_code or owner.name), owner)
    return list(unique.values()), None


def _where(year: int, structure: _Structure | None) -> str:
    if structure is None or structure.year == year:
        return f"{year}年度组织架构"
    return f"{structure.year}年度组织架构（{year}年度没有组织架构，按最近的{structure.year}年度核对）"


def nearest_year(year: int, years: list[int]) -> int | None:
    """The year itself when it has a 组织架构, else the nearest that has one (the earlier on a tie)."""
    return min(years, key=lambda y: (abs(y - year), y)) if years else None


def _loaded_orgs(con: duckdb.DuckDBPyConnection, orgs_table: str = "raw.orgs") -> dict[int, list[dict]]:
    rows = con.execute(
        f"""
        select year, org_code, org_name, org_type, parent_code from {orgs_table} as o
        where not exists (
            select 1 from raw.rejects as r
            where r.check_stage = 'cross' and r.source_file = o._source_file
              and r.sheet = o._sheet and r.row_number = o._row_number
        )
        """
    ).fetchall()
    by_year: dict[int, list[dict]] = {}
    for year, code, name, org_type, parent in rows:
        by_year.setdefault(int(year), []).append(
            {"org_code": code, "org_name": name, "org_type": org_type, "parent_code": parent}
        )
    return by_year


_LINEAGE = ("_source_file", "_sheet", "_row_number")


def place_task_owners(
    con: duckdb.DuckDBPyConnection, departments_csv: Path | None = None, orgs_table: str = "raw.orgs"
) -> None:
    """raw.task_owners for every task row; a row whose owners cannot be placed becomes a reject."""
    con.execute(f"create table if not exists raw.{OWNERS_TABLE} ({OWNERS_DDL})")
    con.execute(f"delete from raw.{OWNERS_TABLE}")
    tasks = con.execute(
        """
        select t._source_file, t._sheet, t._row_number, t.year, t.task_id, t.owners,
               exists (
                   select 1 from raw.rejects as r
                   where r.check_stage = 'cross' and r.source_file = t._source_file
                     and r.sheet = t._sheet and r.row_number = t._row_number
               ) as rejected
        from raw.tasks as t
        order by t._source_file, t._sheet, t._row_number
        """
    ).fetchall()
    if not tasks:
        return
    orgs = _loaded_orgs(con, orgs_table)
    known = departments(departments_csv or DEPARTMENTS_CSV)
    structures = {y: _Structure.of(y, o) for y, o in orgs.items()}
    cells: dict[tuple[int, str], tuple[list[Owner], str | None, int | None]] = {}
    placed: list[tuple[tuple, int, str, str, list[Owner], int | None, bool]] = []
    problems: list[tuple] = []
    rows_of: dict[tuple, list[tuple]] = {}  # (year, task_id, owner) → the rows that give it
    for source_file, sheet, row_number, year, task_id, cell, rejected in tasks:
        key = (int(year), cell)
        if key not in cells:
            structure_year = nearest_year(int(year), sorted(structures))
            owners, reason = read_owners(cell, int(year), structures.get(structure_year), known)
            cells[key] = (owners, reason, structure_year)
        owners, reason, structure_year = cells[key]
        lineage = (source_file, sheet, row_number)
        if reason is not None:
            problems.append((*lineage, COLUMN, cell, reason))
            continue
        placed.append((lineage, int(year), task_id, cell, owners, structure_year, rejected))
        if not rejected:  # a row already rejected (a duplicate row, …) claims no owner
            for owner in owners:
                rows_of.setdefault(_identity(year, task_id, owner), []).append(lineage)
    owner_rows: list[tuple] = []
    for lineage, year, task_id, cell, owners, structure_year, rejected in placed:
        clash = None if rejected else _clash(year, task_id, owners, lineage, rows_of)
        if clash is not None:
            problems.append((*lineage, COLUMN, cell, clash))
            continue
        for seq, owner in enumerate(owners, start=1):
            owner_rows.append(
                (*lineage, seq, owner.name, owner.kind, owner.org_code, owner.is_lead, structure_year)
            )
    if owner_rows:
        frame = pl.DataFrame(
            owner_rows,
            schema=[
                *_LINEAGE,
                "owner_seq",
                "owner_name",
                "owner_kind",
                "org_code",
                "is_lead",
                "structure_year",
            ],
            orient="row",
        )
        con.register("placed_owners", frame)
        con.execute(f"insert into raw.{OWNERS_TABLE} select * from placed_owners")
        con.unregister("placed_owners")
    if problems:
        _reject(con, problems)


def _identity(year: int, task_id: str, owner: Owner) -> tuple:
    return (int(year), task_id, owner.kind, owner.org_code or owner.name)


def _clash(year: int, task_id: str, owners: list[Owner], lineage: tuple, rows_of: dict) -> str | None:
    """Why this row repeats an owner another row already gives the same task, or None."""
    for owner in owners:
        others = [r for r in rows_of[_identity(year, task_id, owner)] if r != lineage]
        if others:
            where = "、".join(f"「{f}」{sheet}第{row}行" for f, sheet, row in others[:3])
            more = f"等{len(others)}行" if len(others) > 3 else ""
            return (
                f"任务编号 {task_id} 分派给「{owner.name}」重复：{where}{more}也是，"
                "同一任务同一责任单位只应出现一次，这些行均未入库"
            )
    return None


def _reject(con: duckdb.DuckDBPyConnection, problems: list[tuple]) -> None:
    from dagster_project.ingest.crosscheck import insert_rejects  # here: crosscheck calls this module

    frame = pl.DataFrame(
        problems, schema=[*_LINEAGE, "column_name", "raw_value", "reason"], orient="row"
    ).unique(maintain_order=True)
    con.register("unplaced_owners", frame)
    insert_rejects(con, KINDS["tasks"], "r", "select * from unplaced_owners")
    con.unregister("unplaced_owners")
