"""What a college's 考核反馈报告 says, read from the published marts — every number in the document
comes from here, so that "no number in the report differs from the marts" is one place to check.

Works on any connection holding `marts` — the published snapshot, or a 学院 login's own copy (whose
college_scores has only its own row: the number of colleges N and the university's mean and best
come from the shared marts.college_benchmarks, not from counting rows).
"""

from dataclasses import dataclass

import duckdb

# How many indicators the 存在问题 paragraph names.
LOST_INDICATORS = 3


@dataclass(frozen=True)
class Dimension:
    code: str  # C1
    name: str  # 政治引领到位
    score: float | None
    mean: float | None
    best: float | None


@dataclass(frozen=True)
class Branch:
    name: str
    category: str | None
    total: float | None
    stars: int | None
    tier: str | None
    veto: bool


@dataclass(frozen=True)
class Votes:
    good: int
    fair_good: int
    average: int
    poor: int
    total: int


@dataclass(frozen=True)
class Problem:
    problem_id: str | None
    org_name: str | None
    source_name: str | None
    severity: str | None
    description: str
    status: str | None = None  # for last year's problems: 未整改 / 整改中 / 已销号 / 逾期
    completed_on: str | None = None


@dataclass(frozen=True)
class LostIndicator:
    name: str
    dimension_name: str
    score: float


@dataclass(frozen=True)
class CollegeReport:
    year: int
    college_code: str
    college_name: str
    issuing_unit: str
    university_name: str
    composite: float | None
    total: float | None
    evaluation_score: float | None
    grade: str | None
    stars: int | None
    rank: int | None
    colleges: int  # N of "rank of N"
    year_end_rank_change: int | None
    veto: bool
    veto_detail: str | None
    composite_mean: float | None
    composite_best: float | None
    dimensions: list[Dimension]
    branches: list[Branch]
    votes: Votes | None
    problems: list[Problem]
    last_year_problems: list[Problem]
    lost: list[LostIndicator]

    @property
    def scored_dimensions(self) -> list[Dimension]:
        return [d for d in self.dimensions if d.score is not None]

    @property
    def strongest(self) -> Dimension | None:
        """The dimension with the highest score (the first in the rulebook's order on a tie)."""
        scored = self.scored_dimensions
        return max(scored, key=lambda d: d.score) if scored else None

    @property
    def weakest(self) -> Dimension | None:
        scored = self.scored_dimensions
        return min(scored, key=lambda d: d.score) if scored else None


def year_end_colleges(con: duckdb.DuckDBPyConnection, year: int) -> list[tuple[str, str]]:
    """[(college_code, college_name)] with 年终 (Q4) results in `year`, by code. ValueError (Chinese)
    naming the years that have them when `year` has none."""
    rows = con.execute(
        "select college_code, coalesce(college_name, college_code) from marts.college_scores "
        "where year = ? and quarter = 4 order by college_code",
        [int(year)],
    ).fetchall()
    if not rows:
        years = [
            str(r[0])
            for r in con.execute(
                "select distinct year from marts.college_scores where quarter = 4 order by year"
            ).fetchall()
        ]
        listed = "、".join(years) if years else "（暂无）"
        raise ValueError(f"{year}年度没有年终（第四季度）考核结果。已有年终考核结果的年度：{listed}")
    return [(str(code), str(name)) for code, name in rows]


def read_college_report(con: duckdb.DuckDBPyConnection, year: int, college: str) -> CollegeReport:
    """The report of `college` (its code) for `year`. ValueError (Chinese) for a college without Q4
    results that year."""
    year = int(year)
    period = f"{year}Q4"
    known = dict(year_end_colleges(con, year))
    if college not in known:
        listed = "、".join(f"{code} {name}" for code, name in known.items())
        raise ValueError(f"{year}年度没有二级党组织“{college}”的年终考核结果。该年度的二级党组织：{listed}")
    dims = con.execute(
        "select dimension, dimension_name, score_column from marts.rule_dimensions "
        "where level = 'college' order by sort_order"
    ).fetchall()
    score_columns = ", ".join(f'"{column}"' for _, _, column in dims)
    row = con.execute(
        f"select college_name, composite, total, evaluation_score, grade, stars, rank, year_end_rank_change, "
        f"coalesce(veto, false), veto_detail, {score_columns} "
        f"from marts.college_scores where period = ? and college_code = ?",
        [period, college],
    ).fetchone()
    (name, composite, total, evaluation, grade, stars, rank, change, veto, veto_detail) = row[:10]
    scores = row[10:]
    benchmarks = {
        measure: (colleges, mean, best)
        for measure, colleges, mean, best in con.execute(
            "select measure, colleges, mean, best from marts.college_benchmarks where period = ?", [period]
        ).fetchall()
    }
    dimensions = [
        Dimension(code, dim_name, score, *benchmarks.get(column, (None, None, None))[1:])
        for (code, dim_name, column), score in zip(dims, scores, strict=True)
    ]
    settings = dict(con.execute("select setting, value from marts.rule_report_settings").fetchall())
    return CollegeReport(
        year=year,
        college_code=college,
        college_name=name or college,
        issuing_unit=settings.get("issuing_unit", ""),
        university_name=settings.get("university_name", ""),
        composite=composite,
        total=total,
        evaluation_score=evaluation,
        grade=grade,
        stars=stars,
        rank=rank,
        colleges=int(benchmarks.get("composite", (0, None, None))[0] or 0),
        year_end_rank_change=change,
        veto=bool(veto),
        veto_detail=veto_detail,
        composite_mean=benchmarks.get("composite", (None, None, None))[1],
        composite_best=benchmarks.get("composite", (None, None, None))[2],
        dimensions=dimensions,
        branches=_branches(con, period, college),
        votes=_votes(con, year, college),
        problems=_problems(con, year, college),
        last_year_problems=_rectifications(con, year - 1, college),
        lost=_lost(con, period, college),
    )


def _branches(con: duckdb.DuckDBPyConnection, period: str, college: str) -> list[Branch]:
    rows = con.execute(
        "select coalesce(branch_name, branch_code), branch_category, total, stars, tier, "
        "coalesce(veto, false) "
        "from marts.branch_scores where period = ? and college_code = ? "
        "order by total desc nulls last, branch_code",
        [period, college],
    ).fetchall()
    return [Branch(*r) for r in rows]


def _votes(con: duckdb.DuckDBPyConnection, year: int, college: str) -> Votes | None:
    row = con.execute(
        "select votes_good, votes_fair_good, votes_average, votes_poor, votes_total "
        "from marts.college_votes where year = ? and college_code = ?",
        [year, college],
    ).fetchone()
    return Votes(*row) if row else None


def _problems(con: duckdb.DuckDBPyConnection, year: int, college: str) -> list[Problem]:
    rows = con.execute(
        "select problem_id, org_name, source_name, severity, description from marts.problems "
        "where year = ? and college_code = ? order by problem_id",
        [year, college],
    ).fetchall()
    return [Problem(*r) for r in rows]


def _rectifications(con: duckdb.DuckDBPyConnection, year: int, college: str) -> list[Problem]:
    """Last year's problems (those of 问题清单 and those the college found itself) and their 整改 status."""
    rows = con.execute(
        "select problem_id, org_name, source_name, severity, description, status, "
        "strftime(completed_on, '%Y-%m-%d') from marts.rectifications "
        "where year = ? and college_code = ? order by problem_id nulls last, description",
        [year, college],
    ).fetchall()
    return [Problem(*r) for r in rows]


def _lost(con: duckdb.DuckDBPyConnection, period: str, college: str) -> list[LostIndicator]:
    """The college's own indicators of the year that lost most points (lowest scores below 100)."""
    rows = con.execute(
        "select coalesce(i.indicator_name, i.indicator), coalesce(d.dimension_name, i.dimension), i.score "
        "from marts.college_indicators i "
        "left join marts.rule_dimensions d on d.level = 'college' and d.dimension = i.dimension "
        "where i.period = ? and i.org_code = ? and i.score < 100 "
        "order by i.score, i.indicator limit ?",
        [period, college, LOST_INDICATORS],
    ).fetchall()
    return [LostIndicator(*r) for r in rows]
