"""Are the marts of two checkouts the same on the same input? (a refactoring must not move a number)

    uv run python -m bench.same_marts --before REF [--after DIR] [--scale 1] [--seed 2026]
                                      [--inbox-from before|after|each] [--ignore TABLE[.COLUMN] ...]
                                      [--workdir DIR] [--keep]

Checks out REF (a commit, branch or tag of this repository) as a detached worktree beside the current
one (`--after`, default: this checkout, uncommitted changes included), generates the demo university
once with the `--inbox-from` side's generator, copies the same inbox into two fresh homes and runs
`dangjian run` in each with its own code, then compares every table of schema `marts` in the two
published snapshots: rows sorted by every column, `polars.DataFrame.equals`. Columns that describe the
run rather than the data (load times, build ids) are left out of the comparison; `--ignore` leaves out
more (a table, or one column of it), for changes that mean to alter them.

`--inbox-from each` lets each side generate its own demo (inbox and the archive's planted submissions
log) in its home: for a change of the demo generator, it shows what the new demo moves.

Prints one line per table (same / differs, with row counts and the first differing rows) and exits 0
only when every compared table is equal and both sides have the same tables (less the ignored ones).
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb
import polars as pl

REPO = Path(__file__).resolve().parents[1]
# They describe when and by which run a row was loaded or published, not what it says.
CLOCK_COLUMNS = {"loaded_at", "published_at", "build_id", "frozen_at"}


def _run(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> None:
    subprocess.run(args, cwd=cwd, env={**os.environ, **(env or {})}, check=True)


def checkout(ref: str, where: Path) -> Path:
    _run(["git", "worktree", "add", "--detach", "--force", str(where), ref], cwd=REPO)
    _run(["uv", "sync", "--locked", "--quiet"], cwd=where)
    return where


def dangjian(project: Path, home: Path, *args: str) -> None:
    env = {"DANGJIAN_HOME": str(home), "VIRTUAL_ENV": ""}
    _run(["uv", "run", "--project", str(project), "--quiet", "dangjian", *args], cwd=project, env=env)


def marts(snapshot: Path) -> dict[str, pl.DataFrame]:
    with duckdb.connect(str(snapshot), read_only=True) as con:
        names = [
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
            ).fetchall()
        ]
        return {name: con.sql(f'select * from marts."{name}"').pl() for name in names}


def comparable(frame: pl.DataFrame, ignored: set[str]) -> pl.DataFrame:
    kept = [c for c in frame.columns if c not in CLOCK_COLUMNS and c not in ignored]
    frame = frame.select(kept)
    # sort on a text rendering of every column: some types (lists, structs) do not sort directly
    key = [
        pl.col(c).map_elements(repr, return_dtype=pl.String) if frame.schema[c].is_nested() else pl.col(c)
        for c in kept
    ]
    return frame.sort(key, nulls_last=True) if kept else frame


def compare(before: dict[str, pl.DataFrame], after: dict[str, pl.DataFrame], ignore: list[str]) -> bool:
    ignored_tables = {i for i in ignore if "." not in i}
    ignored_columns: dict[str, set[str]] = {}
    for item in ignore:
        if "." in item:
            table, column = item.split(".", 1)
            ignored_columns.setdefault(table, set()).add(column)
    same = True
    for name in sorted((set(before) | set(after)) - ignored_tables):
        if name not in before or name not in after:
            print(f"  {name}: only {'after' if name not in before else 'before'}")
            same = False
            continue
        ignored = ignored_columns.get(name, set())
        a, b = comparable(before[name], ignored), comparable(after[name], ignored)
        if a.columns != b.columns:
            print(f"  {name}: columns differ: before {a.columns} after {b.columns}")
            same = False
        elif a.equals(b):
            print(f"  {name}: same ({a.height:,} rows)")
        else:
            same = False
            only_before = a.join(b, on=a.columns, how="anti", nulls_equal=True)
            only_after = b.join(a, on=a.columns, how="anti", nulls_equal=True)
            print(
                f"  {name}: DIFFERS (before {a.height:,} rows, after {b.height:,}; "
                f"{only_before.height:,} only before, {only_after.height:,} only after)"
            )
            with pl.Config(tbl_cols=-1, tbl_width_chars=200, fmt_str_lengths=40):
                print(only_before.head(3))
                print(only_after.head(3))
    for table in sorted(ignored_tables):
        print(f"  {table}: ignored")
    return same


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--before", required=True, help="git ref of the checkout to compare against")
    parser.add_argument("--after", type=Path, default=REPO, help="checkout to compare (default: this one)")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--inbox-from", choices=("before", "after", "each"), default="before")
    parser.add_argument("--ignore", nargs="*", default=[], help="TABLE or TABLE.COLUMN left out")
    parser.add_argument("--workdir", type=Path, help="where homes and the worktree go (default: a temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the worktree and homes")
    args = parser.parse_args(argv)

    work = args.workdir or Path(tempfile.mkdtemp(prefix="same-marts-"))
    work.mkdir(parents=True, exist_ok=True)
    before_dir = checkout(args.before, work / "before-checkout")
    try:
        sides = {"before": before_dir, "after": args.after.resolve()}
        inbox = work / "inbox"
        shutil.rmtree(inbox, ignore_errors=True)
        demo_home = work / "demo-home"
        shutil.rmtree(demo_home, ignore_errors=True)
        demo_args = ("--seed", str(args.seed), "--scale", str(args.scale))
        if args.inbox_from != "each":
            dangjian(sides[args.inbox_from], demo_home, "demo", *demo_args)
            shutil.copytree(demo_home / "inbox", inbox)
        snapshots = {}
        for side, project in sides.items():
            home = work / f"home-{side}"
            shutil.rmtree(home, ignore_errors=True)
            home.mkdir()
            if args.inbox_from == "each":
                dangjian(project, home, "demo", *demo_args)
            else:
                shutil.copytree(inbox, home / "inbox")
            print(f"== {side}: {project}")
            dangjian(project, home, "run")
            snapshots[side] = marts(home / "serving.duckdb")
        print(f"== marts compared (scale {args.scale:g}, seed {args.seed}, inbox from {args.inbox_from})")
        same = compare(snapshots["before"], snapshots["after"], args.ignore)
        print("SAME" if same else "DIFFERENT")
        return 0 if same else 1
    finally:
        if not args.keep:
            _run(["git", "worktree", "remove", "--force", str(before_dir)], cwd=REPO)
            if args.workdir is None:
                shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
