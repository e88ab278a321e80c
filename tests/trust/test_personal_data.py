"""Personal data in what is published: an attacker's attempt on the demo university.

The attacker holds everything a dashboard page, a download or the SQL page can reach — the published
snapshot `serving.duckdb`, a frozen year's Parquet files, the reject list and the result sheet — plus
the repository and everything the pipeline leaves in the home except the warehouse and the
submitted workbooks: dbt's compiled SQL and logs, Dagster's files, exports. With that, the attacker
tries to recover any demo member's 公民身份证号码 or full birth date:

- the number itself, anywhere (also in the compiled SQL and logs, also in the repository);
- a part of it: the masked form (first 4 + last 4) or any run of 6 or more of its digits;
- a hash of it: sha256/sha1/md5 of the number with every salt-looking string found in the repository
  and the compiled SQL (and none), and HMAC-SHA256 keyed with each;
- a full birth date in a row that names the member (member key), and a birth date in a reject.

It finds none, while schema `raw` of the warehouse holds more than 1,000 numbers (so it could).
Names of people may appear only in the rejects (a college needs them to fix its own file).
"""

import datetime as dt
import hashlib
import hmac
import json
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import openpyxl
import polars as pl
import pytest

from dagster_project.contracts import KINDS, SHEET_KINDS
from dagster_project.ingest.reader import parse_file
from dagster_project.reports.rejects import write_rejects_workbook
from dagster_project.reports.result_sheet import write_result_sheet
from dagster_project.serving.freeze import freeze_year
from tests.support import tiny_university as tu
from tests.support.workbooks import write_workbook

REPO = Path(__file__).resolve().parents[2]

# Text an ID-card number can hide in: 17 digits and a check character (looked for at every offset).
ID_AT = re.compile(r"(?=([0-9]{17}[0-9Xx]))")
# The old masked form (first 4 characters, stars, last 4) of any number.
MASKED = re.compile(r"[0-9]{4}\*{6,}[0-9Xx]{2,}")
DIGIT_RUN = re.compile(r"[0-9]{6,}")
# Digests and run ids the system computes itself (file hashes, build ids): not data, skipped when
# looking for digit runs, since their digits would match ID fragments by chance.
COMPUTED_TOKEN = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-fA-F]{32,}")
# Tables whose rows are organisations, not people, holding money summed over a college (党费 应交 and
# 实交 of a year run to six digits): their digit runs cannot come from one person's number.
SUMS_OVER_ORGS = {"marts.dues_report"}
HEX_TOKEN = re.compile(r"[0-9a-fA-F]{32,128}")
# A quoted literal on a line that talks about hashing: where a salt or key would be written.
SALTY_LINE = re.compile(r"salt|secret|hmac|sha\d|md5|hash|pepper|digest", re.IGNORECASE)
LITERAL = re.compile(r"""'([^'\n]{1,200})'|"([^"\n]{1,200})\"""")


@dataclass
class Person:
    member_key: str
    id_card: str
    born_on: dt.date | None


@dataclass
class Published:
    """What the attacker reads: {place: frame} of published tables, and plain texts by place."""

    tables: dict[str, pl.DataFrame] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)


@dataclass
class Loot:
    people: list[Person]
    names: set[str]
    published: Published
    side_texts: dict[str, str]  # repo files and the home's dbt/Dagster/export files


def _frame_texts(frame: pl.DataFrame) -> list[str]:
    """Every cell of a frame as text (JSON cells also as their values)."""
    out = []
    for column in frame.columns:
        for value in frame[column].drop_nulls().to_list():
            out.append(str(value))
    return out


def _atoms(value: object) -> list[str]:
    """A cell as the strings it shows: itself, and a JSON object's values."""
    if value is None:
        return []
    text = str(value)
    atoms = [text]
    if text.startswith("{"):
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = None
        if isinstance(parsed, dict):
            atoms += [str(v) for v in parsed.values() if v is not None]
    return atoms


def _snapshot_tables(path: Path) -> dict[str, pl.DataFrame]:
    with duckdb.connect(str(path), read_only=True) as con:
        names = con.execute(
            "select schema_name, table_name from duckdb_tables() where database_name = current_database()"
        ).fetchall()
        return {f"{s}.{t}": con.sql(f'select * from "{s}"."{t}"').pl() for s, t in names}


def _xlsx_frames(path: Path) -> dict[str, pl.DataFrame]:
    workbook = openpyxl.load_workbook(path, read_only=True)
    frames = {}
    for ws in workbook.worksheets:
        rows = [[None if v is None else str(v) for v in row] for row in ws.iter_rows(values_only=True)]
        width = max((len(r) for r in rows), default=0)
        frames[f"{path.name}:{ws.title}"] = pl.DataFrame(
            [r + [None] * (width - len(r)) for r in rows],
            schema=[f"c{j}" for j in range(width)],
            orient="row",
        )
    workbook.close()
    return frames


def _read_text(path: Path) -> str:
    return path.read_bytes().decode("utf-8", errors="replace")


@pytest.fixture(scope="module")
def loot(demo_home, tmp_path_factory) -> Loot:
    home = demo_home[0]
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        people = [
            Person(k, i.upper(), b)
            for k, i, b in con.execute(
                "select distinct member_key, id_card, born_on from raw.members where id_card is not null"
            ).fetchall()
        ]
        names = {
            n
            for (n,) in con.execute(
                "select member_name from raw.members union select member_name from raw.training "
                "union select secretary_name from raw.orgs union select person_name from raw.development"
            ).fetchall()
            if n
        }

    published = Published(tables=_snapshot_tables(home / "serving.duckdb"))
    out = tmp_path_factory.mktemp("attacker")
    with duckdb.connect(str(home / "serving.duckdb"), read_only=True) as con:
        year = con.execute("select max(year) from marts.college_scores where quarter = 4").fetchone()[0]
    freeze_year(home / "serving.duckdb", out / "frozen", year)
    for parquet in sorted((out / "frozen").rglob("*.parquet")):
        published.tables[f"frozen/{parquet.name}"] = pl.read_parquet(parquet)
    published.texts["frozen/manifest.json"] = _read_text(out / "frozen" / str(year) / "manifest.json")
    write_rejects_workbook(home / "serving.duckdb", out / "rejects.xlsx")
    write_result_sheet(home / "serving.duckdb", year, out / "result.xlsx")
    for xlsx in (out / "rejects.xlsx", out / "result.xlsx"):
        published.tables.update(_xlsx_frames(xlsx))

    side = {}
    tracked = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True, text=True
    ).stdout.split("\0")
    for name in filter(None, tracked):
        path = REPO / name
        if path.is_file() and path.stat().st_size < 5 << 20:
            side[f"repo/{name}"] = _read_text(path)
    for folder in ("dbt", "dagster", "exports"):
        for path in sorted((home / folder).rglob("*")):
            if path.is_file():
                side[f"home/{path.relative_to(home)}"] = _read_text(path)
    assert any("/compiled/" in p and p.endswith("stg_inbox__members.sql") for p in side), (
        "no compiled dbt SQL"
    )
    return Loot(people, names, published, side)


def _published_texts(loot: Loot) -> dict[str, list[str]]:
    texts = {place: _frame_texts(frame) for place, frame in loot.published.tables.items()}
    texts.update({place: [text] for place, text in loot.published.texts.items()})
    return texts


def test_the_attacker_has_something_to_find(loot):
    assert len({p.id_card for p in loot.people}) > 1000
    assert sum(p.born_on is not None for p in loot.people) > 1000
    assert "marts.dim_member" in loot.published.tables and "marts.rejects" in loot.published.tables
    assert len(loot.published.tables["marts.rejects"]) > 0


def test_no_id_card_number_anywhere(loot):
    ids = {p.id_card for p in loot.people}
    found = {}
    places = {**{p: "\n".join(t) for p, t in _published_texts(loot).items()}, **loot.side_texts}
    for place, text in places.items():
        hits = {m.upper() for m in ID_AT.findall(text)} & ids
        if hits:
            found[place] = len(hits)
    assert found == {}


def test_no_masked_form_and_no_run_of_six_digits_of_one(loot):
    fragments = {
        p.id_card[i:j]
        for p in loot.people
        for i in range(18)
        for j in range(i + 6, 19)
        if p.id_card[i:j].isdigit()
    }
    # A member key (工号/学号, 8 or 10 digits in the demo) is an identifier the college gave; one in
    # about 5,000 equals a piece of some other member's number by chance. It counts only if it is a
    # piece of its own member's number.
    own = {}
    for p in loot.people:
        own.setdefault(p.member_key, set()).add(p.id_card)
    masked, runs = {}, {}
    for place, texts in _published_texts(loot).items():
        for text in texts:
            if MASKED.search(text):
                masked[place] = text
            if place in SUMS_OVER_ORGS:
                continue
            for run in DIGIT_RUN.findall(COMPUTED_TOKEN.sub(" ", text)):
                if any(run in i for i in own[run]) if run in own else run in fragments:
                    runs.setdefault(place, set()).add(run)
    # the repository's own examples are made-up numbers: there, only a demo member's mask counts
    masks = {p.id_card[:4] + "*" * 10 + p.id_card[-4:] for p in loot.people}
    for place, text in loot.side_texts.items():
        if hits := set(re.findall(r"[0-9]{4}\*{10}[0-9X]{4}", text.upper())) & masks:
            masked[place] = hits
    assert masked == {}
    assert runs == {}


def _salts(loot: Loot) -> set[str]:
    salts = {""}
    for place, text in loot.side_texts.items():
        if not place.endswith(
            (".sql", ".yml", ".yaml", ".py", ".toml", ".json", ".log", ".md", ".cfg", ".env")
        ):
            continue
        for line in text.splitlines():
            if SALTY_LINE.search(line):
                for a, b in LITERAL.findall(line):
                    salts.add(a or b)
    return salts


def test_no_hash_of_an_id_card_number(loot):
    salts = _salts(loot)
    assert "" in salts and len(salts) > 10  # the search looked at real lines
    published_hex = set()
    for texts in _published_texts(loot).values():
        for text in texts:
            published_hex.update(h.lower() for h in HEX_TOKEN.findall(text))
    ids = {p.id_card for p in loot.people}
    matched = []
    for salt in salts:
        key = salt.encode()
        for number in ids:
            for variant in {number, number.lower()}:
                n = variant.encode()
                digests = {
                    hashlib.sha256(key + n).hexdigest(),
                    hashlib.sha256(n + key).hexdigest(),
                    hashlib.sha1(key + n).hexdigest(),
                    hashlib.md5(key + n).hexdigest(),
                    hmac.new(key, n, hashlib.sha256).hexdigest(),
                }
                if digests & published_hex:
                    matched.append((salt, number))
    assert matched == []


def _check_character(first17: str) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return "10X98765432"[sum(int(d) * w for d, w in zip(first17, weights, strict=True)) % 11]


def test_no_id_card_number_can_be_rebuilt_from_the_pieces_of_a_row(loot):
    """The attack that worked on the first release: a masked number (first 4 + last 4) and a birth
    date in the same row leave 100 district codes; the check character keeps about 9; a digest in
    the row (under any salt found) or a single survivor picks the number."""
    salts = _salts(loot)
    ids = {p.id_card for p in loot.people}
    rebuilt = set()
    for frame in loot.published.tables.values():
        for row in frame.iter_rows():
            atoms = [a for value in row for a in _atoms(value)]
            masks = [m for a in atoms for m in re.findall(r"([0-9]{4})\*{10}([0-9]{3}[0-9Xx])", a)]
            days = {a[:10].replace("-", "") for a in atoms if re.fullmatch(r"(19|20)\d\d-\d\d-\d\d.*", a)}
            if not masks or not days:
                continue
            digests = {h.lower() for a in atoms for h in HEX_TOKEN.findall(a)}
            for (head, tail), day in ((m, d) for m in masks for d in days):
                candidates = [
                    f"{head}{district:02d}{day}{tail[:3]}"
                    for district in range(100)
                    if _check_character(f"{head}{district:02d}{day}{tail[:3]}") == tail[3].upper()
                ]
                candidates = [c + tail[3].upper() for c in candidates]
                hashed = [
                    c
                    for c in candidates
                    for s in salts
                    if hashlib.sha256(s.encode() + c.encode()).hexdigest() in digests
                ]
                rebuilt.update(hashed or (candidates if len(candidates) == 1 else []))
    assert len(rebuilt & ids) == 0


def _birth_date_texts(day: dt.date) -> set[str]:
    return {
        day.isoformat(),
        day.strftime("%Y%m%d"),
        day.strftime("%Y/%m/%d"),
        day.strftime("%Y.%m.%d"),
        f"{day.year}-{day.month}-{day.day}",
        f"{day.year}/{day.month}/{day.day}",
        f"{day.year}年{day.month}月{day.day}日",
    }


def test_no_full_birth_date_next_to_a_member(loot):
    born: dict[str, set[str]] = {}
    for p in loot.people:
        if p.born_on is not None:
            born.setdefault(p.member_key, set()).update(_birth_date_texts(p.born_on))
    tied = {}
    for place, frame in loot.published.tables.items():
        for row in frame.iter_rows():
            atoms = [a for value in row for a in _atoms(value)]
            for key in born.keys() & set(atoms):
                if any(d in a for a in atoms for d in born[key]):
                    tied.setdefault(place, set()).add(key)
    assert {place: len(keys) for place, keys in tied.items()} == {}


def test_birth_dates_in_rejects_show_the_year_only(loot):
    rejects = loot.published.tables["marts.rejects"]
    shown = [
        json.loads(v)["出生日期"]
        for v in rejects["row_values"].drop_nulls().to_list()
        if json.loads(v).get("出生日期") is not None
    ]
    shown += rejects.filter(pl.col("column_name") == "出生日期")["raw_value"].drop_nulls().to_list()
    assert len(shown) >= 2  # the demo's roster rejects carry a birth date
    assert [s for s in shown if re.search(r"[0-9]", s[4:])] == []
    assert all(re.fullmatch(r"(19|20)[0-9]{2}\D.*", s) for s in shown), shown


def test_names_only_in_rejects(loot):
    found = {}
    for place, frame in loot.published.tables.items():
        if place in ("marts.rejects", "rejects.xlsx:退回清单"):
            continue  # a college needs the name to find the row in its own file
        for row in frame.iter_rows():
            for value in row:
                hits = set(_atoms(value)) & loot.names
                if hits:
                    found.setdefault(place, set()).update(hits)
    assert {place: len(names) for place, names in found.items()} == {}


def test_names_of_the_rosters_and_the_ledger_are_only_in_their_own_file(demo_home, loot):
    """The downloads' names live beside the snapshot, not in it: people.duckdb holds (member_key,
    college_code, person_name) of the people on the 花名册 and the 发展党员台账 and nothing else,
    readable by its owner only."""
    home = demo_home[0]
    path = home / "people.duckdb"
    assert path.stat().st_mode & 0o077 == 0
    with duckdb.connect(str(path), read_only=True) as con:
        tables = con.execute("select schema_name, table_name from duckdb_tables()").fetchall()
        described = con.execute(
            "select column_name from duckdb_columns() where table_name = 'names' order by column_index"
        ).fetchall()
        columns = [c for (c,) in described]
        named = {n for (n,) in con.execute("select person_name from names").fetchall()}
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        ledger = {n for (n,) in con.execute("select person_name from raw.development").fetchall()}
        roster = {n for (n,) in con.execute("select member_name from raw.members").fetchall()}
    assert tables == [("main", "names")] and columns == ["member_key", "college_code", "person_name"]
    assert named <= (ledger | roster) and named <= loot.names
    assert named & ledger and named & (roster - ledger)


# --- an ID-card number in another column is a reject ---------------------------------------------

REASON = "身份证号不应填在「{}」列"
VALID_ID = "11010519491231002X"  # GB 11643 check character X
WRONG_CHECK = "110105194912310021"  # the same number with a wrong check character: still someone's


def test_an_id_card_number_typed_into_another_column_is_a_reject(tmp_path):
    member = tu.MEMBER
    path = write_workbook(
        tmp_path / "文学院.xlsx",
        {
            "花名册": (
                "members",
                [
                    {**member, "member_key": "000123", "id_card": VALID_ID},  # row 4: where it belongs
                    {**member, "member_key": VALID_ID},  # row 5: in 工号/学号
                    {**member, "member_key": WRONG_CHECK.lower()},  # row 6: checksum wrong, still rejected
                    {**member, "member_key": "000126", "member_name": f"张三{VALID_ID.lower()}"},  # row 7
                    {**member, "member_key": 110105194912310021},  # row 8: a number, as Excel keeps it
                    {**member, "member_key": "6222020200112233445"},  # row 9: 19 digits, a bank card
                    {**member, "member_key": "1101051949123100"},  # row 10: 16 digits
                ],
            ),
            "培训": (
                "training",
                [
                    {"member_key": "000123", "course": "党史", "started_on": dt.date(2024, 3, 1), "hours": 2},
                    {"member_key": VALID_ID, "course": "党史", "started_on": dt.date(2024, 3, 1), "hours": 2},
                ],
            ),
            "组织生活": (
                "activities",
                [
                    {
                        "org_code": "0101",
                        "activity_type": "党课",
                        "held_on": dt.date(2024, 3, 1),
                        "topic": f"为 {VALID_ID} 同志补课",
                        "speaker_key": f" {VALID_ID} ",
                    },
                ],
            ),
        },
    )
    result = parse_file(path, "文学院.xlsx", today=dt.date(2026, 1, 1))
    rejects = result.rejects.select("sheet", "row_number", "column_name", "raw_value", "reason").rows()
    assert sorted(rejects) == sorted(
        [
            ("花名册", 5, "工号/学号", VALID_ID, REASON.format("工号/学号")),
            ("花名册", 6, "工号/学号", WRONG_CHECK.lower(), REASON.format("工号/学号")),
            ("花名册", 7, "姓名", f"张三{VALID_ID.lower()}", REASON.format("姓名")),
            ("花名册", 8, "工号/学号", "1.1010519491231e+17", REASON.format("工号/学号")),  # 15 digits kept
            ("培训", 5, "工号/学号", VALID_ID, REASON.format("工号/学号")),
            ("组织生活", 4, "主题", f"为 {VALID_ID} 同志补课", REASON.format("主题")),
            ("组织生活", 4, "主讲人工号", VALID_ID, REASON.format("主讲人工号")),
        ]
    )
    loaded = {s.kind: s.loaded for s in result.sheets}
    assert loaded["members"]["member_key"].to_list() == ["000123", "6222020200112233445", "1101051949123100"]
    assert loaded["members"]["id_card"].to_list() == [VALID_ID, None, None]
    assert loaded["training"]["member_key"].to_list() == ["000123"]
    assert loaded["activities"].height == 0


def test_the_published_rejects_hide_the_columns_the_contract_declares():
    """dbt/macros/personal_data.sql names the ID-card and birth-date headers; they are the contract's."""
    macro = (REPO / "dbt" / "macros" / "personal_data.sql").read_text(encoding="utf-8")
    id_headers = [h for k in SHEET_KINDS for c in k.columns if c.type == "idcard" for h in c.headers]
    assert id_headers == ["公民身份证号码", "身份证号"]
    assert all(f"'{h}'" in macro for h in id_headers)
    assert f"'{KINDS['members'].column('born_on').header}'" in macro
