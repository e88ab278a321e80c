"""The baseline: the job done the way a department analyst scripts it today, with pandas + openpyxl.

For every file of an inbox — xlsx/xlsm with `pandas.read_excel(engine="openpyxl")`, csv with
`pandas.read_csv`, parquet with `pandas.read_parquet` — every sheet is read whole, its header row found
among the first 30 rows by the template's headers (and the aliases of 工号/学号), and the 党员花名册 and
学习培训台账 sheets kept. From them it computes B1's first indicator, training_compliance, for
each branch and year, and ranks the branches of a year by it:

* a member counts in year Y when on Y's roster and 入党日期 is blank or ≤ Dec 31 of Y;
* hours = the member's 学时 of trainings that started in Y;
* required = 56 for 书记/副书记/组织委员/宣传委员/纪检委员/组织员, else 32 (rule_training_hours.csv);
* score = 100 × members with hours ≥ required / members counted; rank 1 = best (ties share a rank).

That is the year-end (Q4) value of marts.branch_indicators' training_compliance. Like an analyst's
script it validates nothing: a value pandas cannot read as a date or a number is left out, where the
warehouse rejects the row and says why.

    uv run python bench/baseline_pandas.py INBOX [--out RESULT.xlsx]

`run_baseline(inbox)` is what the benchmark harness times.
"""

import argparse
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from dagster_project.contracts import SHEET_KINDS

HEADER_SCAN_ROWS = 30
FOOTERS = ("合计", "总计", "小计", "填表人", "审核人")
LEADER_ROLES = ("书记", "副书记", "组织委员", "宣传委员", "纪检委员", "组织员")
HOURS_LEADER, HOURS_MEMBER = 56, 32
NEEDED = {
    "members": ("year", "member_key", "branch_code", "party_role", "joined_on"),
    "training": ("member_key", "started_on", "hours"),
}
# what the analyst's script hard-codes: each template's headers (with aliases) and required columns
TEMPLATES = {
    k.kind: ({h: c.name for c in k.columns for h in c.headers}, {c.name for c in k.required})
    for k in SHEET_KINDS
}


@dataclass
class Tables:
    members: pd.DataFrame
    training: pd.DataFrame
    rows: int  # data rows read, every sheet of every file


def _sheets(path: Path) -> dict[str, pd.DataFrame]:
    """Every sheet of a file, no header row assumed (row 0 = the sheet's first row)."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return pd.read_excel(path, sheet_name=None, header=None, engine="openpyxl", dtype=object)
    if suffix == ".csv":
        return {path.stem: pd.read_csv(path, header=None, dtype=str, encoding="utf-8-sig")}
    if suffix == ".parquet":
        frame = pd.read_parquet(path)
        return {path.stem: pd.concat([pd.DataFrame([frame.columns], columns=frame.columns), frame])}
    return {}


def _table(sheet: pd.DataFrame) -> tuple[str | None, pd.DataFrame]:
    """(kind, the data rows under the header with the template's column names), or (None, nothing)
    when no row of the first 30 is a template's header (most headers wins)."""
    for i in range(min(HEADER_SCAN_ROWS, len(sheet))):
        texts = [str(v).strip() if pd.notna(v) else "" for v in sheet.iloc[i]]
        best: tuple[str, dict[int, str]] | None = None
        for kind, (headers, required) in TEMPLATES.items():
            found = {j: headers[t] for j, t in enumerate(texts) if t in headers}
            if required <= set(found.values()) and (best is None or len(found) > len(best[1])):
                best = (kind, found)
        if best is not None:
            kind, found = best
            data = sheet.iloc[i + 1 :].dropna(how="all")
            data = data[~data.iloc[:, 0].astype(str).str.strip().str.startswith(FOOTERS)]
            return kind, data.iloc[:, list(found)].set_axis(list(found.values()), axis=1)
    return None, sheet.iloc[0:0]


def read_inbox(inbox: Path) -> Tables:
    found: dict[str, list[pd.DataFrame]] = {kind: [] for kind in NEEDED}
    rows = 0
    for path in sorted(inbox.rglob("*")):
        if not path.is_file() or path.name.startswith(("~$", ".")):
            continue
        for sheet in _sheets(path).values():
            kind, data = _table(sheet)
            rows += len(data)
            if kind in found:
                found[kind].append(data)
    members, training = (
        pd.concat([pd.DataFrame(), *found[kind]], ignore_index=True).reindex(columns=list(columns))
        for kind, columns in NEEDED.items()
    )
    return Tables(members, training, rows)


def _dates(values: pd.Series) -> pd.Series:
    """Dates as people type them: Excel dates, 2024-03-01, 2024.3.1, 2024/3/1, 2024年3月1日."""
    text = values.astype(str).str.strip().str.replace(r"[年月/.]", "-", regex=True).str.replace("日", "")
    return pd.to_datetime(text, errors="coerce", format="ISO8601")


def training_compliance(tables: Tables) -> pd.DataFrame:
    """Per year and branch: members counted, members who met their hours, the score and the rank."""
    members = tables.members.copy()
    members["year"] = pd.to_numeric(members["year"], errors="coerce")
    members = members.dropna(subset=["year", "member_key", "branch_code"])
    members["year"] = members["year"].astype(int)
    members["member_key"] = members["member_key"].astype(str).str.strip()
    joined = _dates(members["joined_on"])
    members = members[joined.isna() | (joined.dt.year <= members["year"])]
    members["required"] = (
        members["party_role"].isin(LEADER_ROLES).map({True: HOURS_LEADER, False: HOURS_MEMBER})
    )

    training = tables.training.copy()
    training["member_key"] = training["member_key"].astype(str).str.strip()
    training["year"] = _dates(training["started_on"]).dt.year
    training["hours"] = pd.to_numeric(training["hours"], errors="coerce")
    hours = training.dropna(subset=["year", "hours"]).groupby(["year", "member_key"])["hours"].sum()
    hours.index = hours.index.set_levels(hours.index.levels[0].astype(int), level=0)

    members = members.join(hours.rename("trained"), on=["year", "member_key"])
    members["met"] = members["trained"].fillna(0) >= members["required"]
    branches = members.groupby(["year", "branch_code"]).agg(members=("met", "size"), met=("met", "sum"))
    branches["training_compliance"] = (100.0 * branches["met"] / branches["members"]).round(2)
    branches["rank"] = branches.groupby("year")["training_compliance"].rank(ascending=False, method="min")
    return branches.reset_index().astype({"rank": int}).sort_values(["year", "rank", "branch_code"])


def run_baseline(inbox: Path, out: Path | None = None) -> dict:
    """Read the inbox, score and rank every branch, write the result sheet; time all of it."""
    inbox = Path(inbox)
    out = Path(out) if out is not None else inbox.parent / "baseline_b1.xlsx"
    started = time.perf_counter()
    tables = read_inbox(inbox)
    result = training_compliance(tables)
    result.to_excel(out, index=False, engine="openpyxl")
    seconds = time.perf_counter() - started
    return {
        "rows": tables.rows,
        "seconds": seconds,
        "rows_per_s": tables.rows / seconds if seconds else None,
        "branches": int(result["branch_code"].nunique()),
        "result": str(out),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("inbox", type=Path)
    parser.add_argument("--out", type=Path, default=None, help="result workbook (default: next to the inbox)")
    args = parser.parse_args(argv)
    print(json.dumps(run_baseline(args.inbox, args.out), ensure_ascii=False))


if __name__ == "__main__":
    sys.exit(main())
