"""The dashboard tests' snapshot (tests/support/serving_fixture.py) holds the marts as dbt builds them:
every table it writes has its contract's columns, in order, with their types; its categories are the
contracts' and the rulebook's. A page tested on the fixture then reads the columns the real snapshot has."""

from pathlib import Path

import duckdb
import pytest

from tests.support import serving_fixture as fx
from tests.trust.test_auth import build_college_snapshot

# Tables of the fixtures that are not marts on purpose: a table with no college column, which a
# 学院 login must not see (tests/trust/test_auth.py).
NOT_MARTS = {"university_notes"}


def _columns(path: Path) -> dict[str, list[tuple[str, str]]]:
    with duckdb.connect(str(path), read_only=True) as con:
        rows = con.execute(
            "select table_name, column_name, data_type from information_schema.columns "
            "where table_schema = 'marts' order by table_name, ordinal_position"
        ).fetchall()
    tables: dict[str, list[tuple[str, str]]] = {}
    for table, column, data_type in rows:
        tables.setdefault(table, []).append((column, data_type))
    return tables


def _contract(table: str) -> list[tuple[str, str]]:
    """The contract's columns read straight from its yml, each type as DuckDB names it."""
    model = fx.contract_model(table)
    with duckdb.connect() as con:
        return [
            (c["name"], con.execute(f"select typeof(null::{c['data_type']})").fetchone()[0])
            for c in model["columns"]
        ]


@pytest.fixture(scope="module")
def fixture_tables(tmp_path_factory) -> dict[str, list[tuple[str, str]]]:
    folder = tmp_path_factory.mktemp("fixture")
    tables = _columns(fx.build_serving_db(folder / "serving.duckdb"))
    tables.update(_columns(build_college_snapshot(folder / "college.duckdb")))
    return tables


def test_every_fixture_table_is_a_mart_with_its_contract_columns_and_types(fixture_tables):
    assert set(fixture_tables) - NOT_MARTS == {
        "dim_org",
        "branch_scores",
        "load_summary",
        "rejects",
        "dim_member",
        "rule_dimensions",
        "rule_grades",
        "rule_tiers",
    }
    for table, columns in fixture_tables.items():
        if table in NOT_MARTS:
            continue
        assert fx.contract_model(table), f"marts.{table} has no contract"
        assert columns == _contract(table), table


def test_the_fixture_tables_are_the_built_marts(fixture_tables, demo_home):
    """Against the snapshot dbt really built (the demo university): same columns, same types."""
    home, _, _ = demo_home
    built = _columns(home / "serving.duckdb")
    for table, columns in fixture_tables.items():
        if table not in NOT_MARTS:
            assert columns == built[table], table


def test_the_typed_in_values_fill_the_columns_the_pages_read(tmp_path):
    path = fx.build_serving_db(tmp_path / "serving.duckdb")
    with duckdb.connect(str(path), read_only=True) as con:
        orgs = con.execute(
            "select org_code, org_type, college_code, college_name, is_branch, is_college, is_university "
            "from marts.dim_org order by org_code"
        ).fetchall()
        assert orgs == [
            ("C01", "党委", "C01", "计算机学院", False, True, False),
            ("C01B01", "党支部", "C01", "计算机学院", True, False, False),
            ("C01B02", "党支部", "C01", "计算机学院", True, False, False),
            ("C02", "党总支", "C02", "马克思主义学院", False, True, False),
            ("C02B01", "党支部", "C02", "马克思主义学院", True, False, False),
            ("C02B02", "党支部", "C02", "马克思主义学院", True, False, False),
            ("PARTY", "党委", None, None, False, False, True),
        ]
        assert con.execute(
            "select b1, b7, total, stars, tier, veto, rank_overall from marts.branch_scores "
            "where period = '2024Q4' and branch_code = 'C02B01'"
        ).fetchone() == (89.0, 88.5, 89.14, 4, "红旗", False, 2)
        assert con.execute("select years from marts.load_summary order by source_file").fetchall() == [
            ([2024],),
            ([2024],),
            ([],),
        ]


def test_a_column_or_a_category_the_contracts_do_not_have_is_refused(tmp_path, monkeypatch):
    with duckdb.connect() as con:
        fx.create_mart(con, "dim_org")
        with pytest.raises(KeyError, match="org_level"):
            fx.insert_rows(con, "dim_org", [{"year": 2024, "org_code": "C01", "org_level": "学院"}])
    monkeypatch.setitem(fx.COLLEGE_TYPES, "C01", "学院党组织")
    with pytest.raises(ValueError, match="学院党组织"):
        fx.build_serving_db(tmp_path / "serving.duckdb")
