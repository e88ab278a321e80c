"""Personal data (issue 6.6): 公民身份证号码 in clear exist only in schema `raw` of the warehouse.

Checked on the demo university, whose rosters carry a valid ID-card number for every member: every
text column of every other schema of the warehouse, and of the published snapshot, is searched for
anything shaped like an ID-card number (18 characters, a birth date inside, GB 11643)."""

import duckdb

# 6-digit area, birth date 19xx/20xx, 3-digit sequence, check character
ID_CARD = r"[1-9]\d{5}(19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])\d{3}[0-9Xx]"


def _id_cards_by_column(path, schemas_sql: str) -> dict[str, int]:
    """{schema.table.column: rows holding something shaped like an ID-card number}."""
    with duckdb.connect(str(path), read_only=True) as con:
        columns = con.execute(
            "select schema_name, table_name, column_name from duckdb_columns() "
            f"where database_name = current_database() and data_type = 'VARCHAR' and {schemas_sql}"
        ).fetchall()
        assert columns, "no text columns found: the scan would prove nothing"
        found = {}
        for schema, table, column in columns:
            n = con.execute(
                f'select count(*) from {schema}."{table}" where regexp_matches("{column}", ?)', [ID_CARD]
            ).fetchone()[0]
            if n:
                found[f"{schema}.{table}.{column}"] = n
    return found


def test_id_card_numbers_are_in_raw_and_nowhere_else(demo_home):
    home, summary, _ = demo_home
    in_raw = _id_cards_by_column(home / "warehouse.duckdb", "schema_name = 'raw'")
    # the demo's rosters do carry them (otherwise the checks below could not fail)
    assert in_raw.get("raw.members.id_card", 0) > 1000
    assert _id_cards_by_column(home / "warehouse.duckdb", "schema_name <> 'raw'") == {}
    assert _id_cards_by_column(home / "serving.duckdb", "true") == {}


def test_marts_carry_the_masked_form(demo_home):
    home, _, _ = demo_home
    with duckdb.connect(str(home / "serving.duckdb"), read_only=True) as con:
        masked, hashed, members = con.execute(
            "select count(id_card_masked), count(distinct id_card_hash), count(distinct member_key) "
            "from marts.dim_member"
        ).fetchone()
        shape_ok = con.execute(
            r"select bool_and(regexp_full_match(id_card_masked, '\d{4}\*{10}[\dX]{4}')) from marts.dim_member"
        ).fetchone()[0]
    assert masked > 0 and shape_ok
    assert hashed == members  # one salted hash per member: joins work without the number itself
