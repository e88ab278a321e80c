"""marts.indicator_sources says where the rows behind every indicator are, and the one generic query it
describes finds exactly the rows the score was computed from: on the demo, for every org and period,
the count, sum or share of those rows is the indicator's published value (or target)."""

import duckdb
import pytest

# What the rows behind an indicator add up to (an aggregate over the detail rows `d`), and which
# published number it must equal. Indicators not listed here are still checked: their rows exist.
RECONCILED: dict[tuple[str, str], list[tuple[str, str]]] = {
    ("branch", "training_compliance"): [
        ("value", "count(*) filter (where d.met)"),
        ("target", "count(d.period)"),
    ],
    ("branch", "party_lectures"): [("value", "count(d.held_on)")],
    ("branch", "theme_day_months"): [("value", "count(distinct month(d.held_on))")],
    ("branch", "no_lost_contact"): [("value", "count(d.member_key)")],
    ("branch", "size_ok"): [("value", "count(d.member_key)")],
    ("branch", "org_life_meeting"): [("value", "count(d.held_on)")],
    ("branch", "democratic_review"): [("value", "count(d.held_on)")],
    ("branch", "heart_talks"): [("value", "coalesce(sum(d.attended), 0)")],
    ("branch", "member_meetings"): [("value", "count(d.held_on)")],
    ("branch", "committee_meetings"): [("value", "count(d.held_on)")],
    ("branch", "attendance"): [
        ("value", "sum(d.attended) filter (where d.expected is not null)"),
        ("target", "sum(d.expected) filter (where d.attended is not null)"),
    ],
    ("branch", "publicity"): [("value", "count(d.held_on)")],
    # the member-months of 党费 of the branch's members from January to the period's end
    ("branch", "dues_on_time"): [
        ("value", "count(*) filter (where d.on_time)"),
        ("target", "count(d.month)"),
    ],
    ("branch", "secretary_lecture"): [("value", "count(d.held_on)")],
    ("branch", "dual_leader"): [("value", "max(case when d.secretary_dual_leader then 1 else 0 end)")],
    ("branch", "volunteering"): [("value", "count(d.held_on)")],
    ("branch", "funds_used"): [
        ("value", "sum(d.amount) filter (where d.funding_type = '支出')"),
        ("target", "0.8 * sum(d.amount) filter (where d.funding_type = '拨款')"),
    ],
    ("college", "center_group_study"): [("value", "count(d.held_on)")],
    ("college", "joint_meetings"): [("value", "count(d.held_on)")],
    ("college", "tasks_on_time"): [
        ("value", "sum(d.weight) filter (where d.on_time)"),
        ("target", "sum(d.weight)"),
    ],
    ("college", "tasks_done"): [
        ("value", "coalesce(sum(d.weight) filter (where d.done_in_period), 0)"),
        ("target", "sum(d.weight)"),
    ],
    ("college", "checklist"): [
        ("value", "count(*) filter (where d.answer = '是') + 0.5 * count(*) filter (where d.answer = '部分')")
    ],
    ("college", "training_compliance"): [
        ("value", "count(*) filter (where d.met)"),
        ("target", "count(d.period)"),
    ],
    ("college", "leader_training"): [
        ("value", "count(*) filter (where d.met)"),
        ("target", "count(d.period)"),
    ],
    ("college", "secretary_lectures"): [("value", "count(d.held_on)")],
    ("college", "branches_standard"): [("target", "count(d.org_code)")],
    ("college", "elections_on_time"): [("target", "count(d.org_code)")],
    ("college", "dual_leader_coverage"): [
        ("value", "count(*) filter (where d.secretary_dual_leader)"),
        ("target", "count(d.org_code)"),
    ],
    ("college", "organizers"): [("value", "coalesce(max(d.organizer_count), 0)")],
    ("college", "funding_adequacy"): [("value", "sum(d.amount)")],
    ("college", "other_spend_share"): [
        ("value", "100.0 * sum(d.amount) filter (where d.category = '其它') / sum(d.amount)")
    ],
}


def detail_join(source: dict) -> str:
    """The generic filter of marts.indicator_sources, for every published indicator row `i` at once."""
    conditions = [f"d.{source['org_column']} = i.org_code", "d.year = i.year"]
    if source["period_column"]:
        conditions.append(f"d.{source['period_column']} = i.period")
    if source["date_column"]:
        period_end = "last_day(make_date(i.year, i.quarter * 3, 1))"
        conditions.append(f"(d.{source['date_column']} is null or d.{source['date_column']} <= {period_end})")
    if source["filter_column"]:
        values = ", ".join("'" + v.replace("'", "''") + "'" for v in source["filter_values"])
        conditions.append(f"d.{source['filter_column']} in ({values})")
    if source["flag_column"]:
        conditions.append(f"d.{source['flag_column']}")
    return f"left join marts.{source['detail_table']} as d on " + " and ".join(conditions)


@pytest.fixture(scope="module")
def snapshot(demo_home):
    home, _, _ = demo_home
    with duckdb.connect(str(home / "serving.duckdb"), read_only=True) as con:
        yield con


def sources(con) -> list[dict]:
    frame = con.sql("select * from marts.indicator_sources order by level, indicator").pl()
    return frame.to_dicts()


def test_every_rulebook_indicator_has_a_source(snapshot):
    published = {(s["level"], s["indicator"]) for s in sources(snapshot)}
    ruled = set(snapshot.execute("select level, indicator from marts.rule_indicators").fetchall())
    assert published == ruled
    unpublished = {
        (s["indicator"], s["source_sheet"]) for s in sources(snapshot) if s["detail_table"] is None
    }
    assert unpublished == {("satisfaction", "述职评议"), ("no_veto", "加减分")}


def reconcile(con, source: dict) -> tuple[list[str], int]:
    """What is wrong with one indicator's published rows, and how many org-periods were compared."""
    key = (source["level"], source["indicator"])
    checks = RECONCILED.get(key, [])
    sql = f"""
        select i.period, i.org_code, any_value(i.value) as value, any_value(i.target) as target,
            count(d.{source["org_column"]}) as rows_behind
            {"".join(f", {agg} as check_{n}" for n, (_, agg) in enumerate(checks))}
        from marts.{source["level"]}_indicators as i
        {detail_join(source)}
        where i.indicator = '{source["indicator"]}'
        group by i.period, i.org_code
    """
    result = con.sql(sql).pl()
    if result.is_empty():
        return [f"{key}: never scored on the demo"], 0
    problems = []
    if result["rows_behind"].max() == 0:
        problems.append(f"{key}: the generic query finds no rows for any org or period")
    for n, (column, _) in enumerate(checks):
        computed = result[f"check_{n}"].cast(float).fill_null(0.0).round(2)
        wrong = result.filter((result[column].fill_null(0.0) - computed).abs() > 0.006)
        if wrong.height:
            problems.append(
                f"{key}: {column} ≠ its rows for {wrong.height} of {result.height}: {wrong.head(2).to_dicts()}"
            )
    return problems, result.height * len(checks)


def test_the_generic_query_finds_the_rows_behind_every_indicator(snapshot):
    problems, compared = [], 0
    for source in sources(snapshot):
        # 报送按时率 is never scored on the demo's backfilled history (tests/test_rulebook_coverage.py)
        if source["detail_table"] is not None and source["indicator"] != "submissions_on_time":
            found, n = reconcile(snapshot, source)
            problems += found
            compared += n
    assert not problems, "\n".join(problems)
    assert compared > 10_000  # every org and period of the demo, not a sample


def test_a_source_that_names_the_wrong_rows_is_caught(snapshot):
    by_key = {(s["level"], s["indicator"]): s for s in sources(snapshot)}
    lectures = by_key[("branch", "party_lectures")]
    problems, _ = reconcile(snapshot, {**lectures, "filter_values": ["主题党日"]})
    assert problems and problems[0].startswith("('branch', 'party_lectures'): value ≠ its rows for")
    leaders = by_key[("college", "leader_training")]
    problems, _ = reconcile(snapshot, {**leaders, "flag_column": None})
    assert any(p.startswith("('college', 'leader_training'): target ≠ its rows") for p in problems)
    problems, _ = reconcile(snapshot, {**lectures, "filter_values": ["没有这种活动"]})
    assert "('branch', 'party_lectures'): the generic query finds no rows for any org or period" in problems


def test_the_leader_flag_is_the_rulebook_s_highest_hours(snapshot):
    """dim_member.is_leader_role (what 书记支委学时达标率 counts) is the roles with the most yearly hours in
    rule_training_hours (书记, 副书记, 组织委员, 宣传委员, 纪检委员, 组织员: 56), not a guess from the data."""
    by_role = dict(
        snapshot.execute(
            "select party_role, bool_and(is_leader_role) from marts.dim_member group by 1"
        ).fetchall()
    )
    assert {role for role, leader in by_role.items() if leader} == {
        role for role in by_role if role in {"书记", "副书记", "组织委员", "宣传委员", "纪检委员", "组织员"}
    }
    assert by_role.get("普通党员") is False


def test_every_detail_table_names_the_file_and_row_of_each_row(snapshot):
    # the rows behind an indicator cite their own source: no table needs a page-side join to find it
    # (submission_status is the 报送 calendar: a period not received has no file)
    tables = {s["detail_table"] for s in sources(snapshot) if s["detail_table"]} - {"submission_status"}
    columns = {
        t: {c for (c,) in snapshot.execute(
            "select column_name from information_schema.columns where table_schema = 'marts' and table_name = ?",
            [t],
        ).fetchall()}
        for t in tables
    }  # fmt: skip
    assert {t for t, c in columns.items() if not {"source_file", "source_row"} <= c} == set()


def test_member_training_rows_cite_the_roster_row_of_the_member(snapshot):
    counted, cited, differing = snapshot.execute(
        """
        select count(*), count(t.source_row),
            count(*) filter (where t.source_file is distinct from m.source_file
                             or t.source_row is distinct from m.source_row)
        from marts.member_training t
        join marts.dim_member m on m.year = t.year and m.member_key = t.member_key
        """
    ).fetchone()
    assert counted == cited > 0 and differing == 0
