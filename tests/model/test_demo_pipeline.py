"""The demo university through the whole graph: every deliberately messy row is in marts.rejects,
nothing else is, and per file rows read = rows loaded + rows rejected."""

import duckdb


def _query(home, sql):
    with duckdb.connect(str(home / "serving.duckdb"), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_messy_rows_and_only_them_are_rejected(demo_home):
    home, summary, _ = demo_home
    rejected = _query(home, "select distinct source_file, sheet, row_number, column_name from marts.rejects")
    assert sorted(rejected) == sorted((m.file, m.sheet, m.row, m.column) for m in summary.messy)
    assert len(summary.messy) == 9


def test_rows_read_equal_loaded_plus_rejected_per_file(demo_home):
    home, summary, checks = demo_home
    files = _query(
        home, "select source_file, rows_read, rows_loaded, rows_rejected, problem from marts.load_summary"
    )
    assert len(files) == len(summary.files)
    assert all(read == loaded + rejected and problem is None for _, read, loaded, rejected, problem in files)
    assert sum(r for _, _, _, r, _ in files) == 9
    # dbt's own reconciliation (staged rows per file) ran inside the build and passed
    assert checks["warehouse_state_consistent"] is True
    assert checks["rejects_per_file"] is False  # a warning: the demo has messy rows


def test_one_score_row_per_branch_per_quarter(demo_home):
    home, _, _ = demo_home
    (rows, branches, periods) = _query(
        home, "select count(*), count(distinct branch_code), count(distinct period) from marts.branch_scores"
    )[0]
    per_period = _query(home, "select count(*) from marts.dim_org where is_branch group by year")
    assert periods == 12 and rows == sum(n for (n,) in per_period) * 4


def test_overdue_college_has_no_regularised_branch(demo_home):
    home, summary, _ = demo_home
    tiers = _query(
        home,
        f"select distinct tier from marts.branch_scores where quarter = 4 and college_code = '{summary.overdue_college}'",
    )
    assert tiers == [(None,)]


def test_branch_total_recomputes_by_hand_from_its_indicators(demo_home):
    """Any branch score opens to its indicators: weighted mean per dimension, plain mean of the
    dimensions, + capped 加分 − 扣分, clamped, rounded — to the cent."""
    home, _, _ = demo_home
    for branch, period in _query(
        home,
        "select branch_code, period from marts.branch_scores where period in ('2024Q2', '2025Q4') limit 6",
    ):
        indicators = _query(
            home,
            f"select dimension, score, weight from marts.branch_indicators "
            f"where org_code = '{branch}' and period = '{period}'",
        )
        dimensions: dict[str, list[tuple[float, float]]] = {}
        for dimension, score, weight in indicators:
            dimensions.setdefault(dimension, []).append((score, weight))
        means = [sum(s * w for s, w in rows) / sum(w for _, w in rows) for rows in dimensions.values()]
        base = sum(means) / len(means)
        total, bonus, deduction = _query(
            home,
            f"select total, bonus, deduction from marts.branch_scores where branch_code = '{branch}' and period = '{period}'",
        )[0]
        # branch_scores averages the published (rounded) indicator scores, so this is exact to the cent
        assert abs(round(max(0.0, min(100.0, base + bonus - deduction)), 2) - total) < 0.006


def test_vetoed_college_is_poor_with_no_stars_and_lax_colleges_rank_low(demo_home):
    home, summary, _ = demo_home
    year, college = summary.veto
    grade, stars, rank, colleges = _query(
        home,
        f"select grade, stars, rank, (select count(*) from marts.college_scores where period = '{year}Q4') "
        f"from marts.college_scores where period = '{year}Q4' and college_code = '{college}'",
    )[0]
    assert (grade, stars, rank) == ("差", 0, colleges)
    ranks = dict(
        _query(home, "select college_code, avg(rank) from marts.college_scores where quarter = 4 group by 1")
    )
    lax = [ranks[c] for c, profile in summary.profiles.items() if profile == "lax" and c != college]
    diligent = [ranks[c] for c, profile in summary.profiles.items() if profile == "diligent" and c != college]
    assert min(lax) > max(diligent)


def test_college_composite_recomputes_by_hand_from_its_indicators(demo_home):
    home, _, _ = demo_home
    for college, period in _query(
        home,
        "select college_code, period from marts.college_scores where period in ('2024Q2', '2025Q4') limit 6",
    ):
        dimensions: dict[str, list[tuple[float, float]]] = {}
        for dimension, score, weight in _query(
            home,
            f"select dimension, score, weight from marts.college_indicators "
            f"where org_code = '{college}' and period = '{period}'",
        ):
            dimensions.setdefault(dimension, []).append((score, weight))
        means = [sum(s * w for s, w in rows) / sum(w for _, w in rows) for rows in dimensions.values()]
        total_, bonus, deduction, evaluation, composite = _query(
            home,
            f"select total, bonus, deduction, evaluation_score, composite from marts.college_scores "
            f"where college_code = '{college}' and period = '{period}'",
        )[0]
        total = round(max(0.0, min(100.0, sum(means) / len(means) + bonus - deduction)), 2)
        assert abs(total - total_) < 0.006
        # 0.8 × 总分 + 0.2 × 述职评议 (year end); before it, or without votes, the total alone
        expected = total if evaluation is None else 0.8 * total + 0.2 * evaluation
        assert abs(round(expected, 2) - composite) < 0.006


def test_every_loaded_row_of_the_demo_reaches_a_mart(demo_home):
    """Each row a file loaded, of every sheet kind, is in a public table or feeds a published score
    (tests/support/reconcile.py): nothing loads and then shows nowhere."""
    from tests.support.reconcile import loaded_counts, unplaced_rows

    home, _, _ = demo_home
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        assert all(n > 0 for n in loaded_counts(con).values())
        assert unplaced_rows(con) == {}


def test_demo_task_lists_hold_departments_groups_and_compound_deadlines(demo_home):
    home, _, _ = demo_home
    rows = _query(
        home,
        "select owner_name, owner_kind, is_lead, college_code, ongoing, deadline from marts.tasks "
        "where period = '2024Q4' and task like '推动制度贯彻落实%' order by owner_seq",
    )
    # "党委组织部，各党总支、直属党支部": the department leads; 后勤党总支 and 图书馆直属党支部 follow
    assert [(r[0], r[1], r[2], r[3] is None) for r in rows] == [
        ("党委组织部", "职能部门", True, True),
        ("后勤党总支", "党组织", False, False),
        ("图书馆直属党支部", "党组织", False, False),
    ]
    (ongoing,) = _query(
        home,
        "select deadline from marts.tasks where period = '2024Q4' and deadline_text = '12月底前，长期坚持' and ongoing",
    )[0]
    assert str(ongoing) == "2024-12-31"
    departments = _query(
        home,
        "select count(distinct owner_name) from marts.tasks where owner_kind = '职能部门' and year = 2024",
    )[0][0]
    assert departments >= 10


def test_the_demo_returns_cover_every_source_whose_ids_it_knows(demo_home):
    """The 整改台账 returns of 2025 answer 2024's problems of every source the demo wrote the rows of —
    自查 否/部分, overdue tasks, 发展党员 faults — each with some closed on time, some late and some
    never reported (and none names an unknown 问题编号: the messy rows are the only rejects, above)."""
    home, _, _ = demo_home
    rows = _query(
        home,
        """
        select p.problem_source, r.status, r.completed_on_time
        from marts.rectifications r join marts.problems p on p.problem_id = r.problem_id and p.year = r.year
        where r.year = 2024
        """,
    )
    for source in ("checklist_no", "checklist_partial", "overdue_task", "development"):
        statuses = [(s, on_time) for src, s, on_time in rows if src == source]
        assert ("已销号", True) in statuses, source
        assert ("未整改", None) in statuses or source == "development", source
    late = {src for src, s, on_time in rows if s == "已销号" and on_time is False}
    assert "overdue_task" in late and late & {"checklist_no", "checklist_partial"}


def test_rectification_rate_differs_between_colleges(demo_home):
    home, _, _ = demo_home
    scores = [s for (s,) in _query(
        home,
        "select score from marts.college_indicators where indicator = 'rectification_rate' and period = '2025Q4'",
    )]  # fmt: skip
    assert len(scores) >= 15 and len(set(scores)) >= 10 and max(scores) - min(scores) >= 30
