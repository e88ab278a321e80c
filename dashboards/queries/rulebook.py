"""The rulebook as the pages read it: dimension names and order, grades, tiers — from the published
rule tables of the snapshot (marts.rule_dimensions, rule_grades, rule_tiers), never typed in here.
A dimension added to seeds/rule_dimensions.csv shows up on every page with no change to the
dashboards."""

from dashboards.snapshot import query

DIMENSIONS_SQL = """
select score_column, dimension_name
from marts.rule_dimensions
where level = ?
order by sort_order
"""


ANNUAL_DIMENSIONS_SQL = """
select dimension
from marts.rule_dimensions
where level = ? and year_end_only
order by sort_order
"""


def dimensions(level: str) -> dict[str, str]:
    """{score column: dimension name} of `level` ("branch" 七个有力 / "college" 五个到位), rulebook order."""
    frame = query(DIMENSIONS_SQL, [level])
    return dict(zip(frame["score_column"].to_list(), frame["dimension_name"].to_list(), strict=True))


def annual_dimensions(level: str) -> list[str]:
    """The dimensions of `level` scored only at the year's end (marts.rule_dimensions.year_end_only)."""
    frame = query(ANNUAL_DIMENSIONS_SQL, [level])
    return frame["dimension"].to_list()


def dimension_label(code: str | None) -> str:
    """ "C1"/"c1" -> "C1 政治引领到位"; a code the rulebook does not know is returned as it is."""
    if not code:
        return ""
    name = {**dimensions("branch"), **dimensions("college")}.get(code.lower())
    return f"{code.upper()} {name}" if name else code


def score_columns_sql(level: str) -> str:
    """`b1::DOUBLE as b1, …` for the dimensions of `level` (DECIMAL would chart at the wrong scale)."""
    return ", ".join(f'"{c}"::DOUBLE as "{c}"' for c in dimensions(level))


def grades() -> tuple[str, ...]:
    """年终等次, best first (marts.rule_grades)."""
    return tuple(query("select grade from marts.rule_grades order by rank_order")["grade"].to_list())


def tiers() -> tuple[str, ...]:
    """晋位升级档次, highest first (marts.rule_tiers)."""
    return tuple(query("select tier from marts.rule_tiers order by rank_order")["tier"].to_list())
