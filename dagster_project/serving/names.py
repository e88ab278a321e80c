"""The names of the people on the 花名册 and the 发展党员台账, kept out of the published snapshot.

The snapshot (`serving.duckdb`) is what every page, download and the SQL page can reach, so it holds
no names. The 组织员's audit list and the 党费 arrears list are only useful with them, and only the
组织部 and a person's own college may see a person's name. So publishing also writes a second,
separate read-only file beside the snapshot, `people.duckdb`, holding only (member_key, college_code,
person_name) of the people on the rosters and the development ledger (dbt's `int_people_named`), and
only `names_for` reads it — filtered to one college for a 学院 login before a name leaves the file.
No page attaches it and the SQL page never opens it.
"""

import os
from pathlib import Path

import duckdb

from dagster_project.home import PRIVATE_FILE

NAMES_FILE = "people.duckdb"
# who each key is, per college (the warehouse's own schema, never published)
PEOPLE = "intermediate.int_people_named"


def names_path(serving: Path) -> Path:
    """Where the names file of the snapshot `serving` lives: beside it."""
    return Path(serving).with_name(NAMES_FILE)


def publish_names(warehouse: duckdb.DuckDBPyConnection, serving: Path) -> int:
    """Write the names file beside `serving` (a new file renamed over the old one, owner-only) from the
    warehouse `warehouse` is connected to; return how many people it holds. A warehouse without the
    model writes an empty file, so an old list never outlives the data it came from."""
    target = names_path(serving)
    tmp = target.with_name(target.name + ".tmp")
    for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
        leftover.unlink(missing_ok=True)
    (wh,) = warehouse.execute("select current_database()").fetchone()
    schema, table = PEOPLE.split(".")
    (has_people,) = warehouse.execute(
        "select count(*) from duckdb_tables() where database_name = ? and schema_name = ? and table_name = ?",
        [wh, schema, table],
    ).fetchone()
    source = (
        f'select member_key, college_code, person_name from "{wh}".{PEOPLE}'
        if has_people
        else "select null::varchar as member_key, null::varchar as college_code, "
        "null::varchar as person_name where false"
    )
    warehouse.execute(f"attach '{str(tmp).replace(chr(39), chr(39) * 2)}' as people_file")
    try:
        warehouse.execute(f"create table people_file.main.names as {source}")
        (count,) = warehouse.execute("select count(*) from people_file.main.names").fetchone()
    finally:
        warehouse.execute("detach people_file")
    os.chmod(tmp, PRIVATE_FILE)
    os.replace(tmp, target)
    return int(count)


def names_for(serving: Path, college: str | None) -> dict[tuple[str, str], str]:
    """{(member_key, college_code): name} a viewer may see: every person for the 组织部 (`college`
    None), only the people of `college` for a 学院 login; {} when there is no names file."""
    path = names_path(serving)
    if not path.is_file():
        return {}
    with duckdb.connect(str(path), read_only=True) as con:
        rows = con.execute(
            "select member_key, college_code, person_name from names "
            "where ?::varchar is null or college_code = ?",
            [college, college],
        ).fetchall()
    return {(key, code): name for key, code, name in rows}
