"""Altair charts built from polars frames.

Pure functions (no Streamlit), so tests can inspect `chart.to_dict()` without rendering. Numbers are
cast to Float64 here as a second guard against DECIMAL columns, which Vega-Lite plots at the wrong scale.
"""

import os
from collections.abc import Mapping, Sequence

import altair as alt
import polars as pl

from dashboards.labels import MAX_STARS, STAR_LABELS, TOTAL_LABEL, star_label

# Party red for ★5 fading to pale gold for ★1; grey for 不定级 (一票否决).
STAR_COLORS: tuple[str, ...] = ("#9e9e9e", "#f3d9a4", "#f0b45c", "#e57c3a", "#d1432b", "#a50f15")
BAR_STEP = 22  # px per branch row
TICKS = [0, 20, 40, 60, 80, 100]  # score / percentage axes
HEADER_LINES = (
    "length(datum.label) > 4 ? [substring(datum.label, 0, 4), substring(datum.label, 4)] : datum.label"
)


def _branch_labels() -> pl.Expr:
    """Branch names as y-axis labels; a name used twice gets its college appended so bars never merge."""
    return (
        pl.when(pl.col("branch_name").is_duplicated())
        .then(pl.format("{}（{}）", pl.col("branch_name"), pl.col("college_name")))
        .otherwise(pl.col("branch_name"))
        .alias("label")
    )


def _prepare(df: pl.DataFrame, dimensions: Mapping[str, str]) -> pl.DataFrame:
    data = df.sort("rank_overall", nulls_last=True, maintain_order=True)
    return data.with_columns(
        _branch_labels(),
        pl.col(["total", *dimensions]).cast(pl.Float64),
        pl.col("rank_overall").cast(pl.Int64),
        pl.col("stars")
        .cast(pl.Int64)
        .replace_strict({n: star_label(n) for n in range(MAX_STARS + 1)}, default="", return_dtype=pl.String)
        .alias("star_label"),
    )


def readable_legend(**options) -> alt.Legend:
    """A legend above the chart (a tall chart's bottom is out of sight) in type a reader can read."""
    return alt.Legend(
        orient="top", direction="horizontal", labelFontSize=13, titleFontSize=13, symbolSize=180, **options
    )


def branch_total_bar(df: pl.DataFrame, dimensions: Mapping[str, str]) -> alt.LayerChart:
    """Horizontal bars of `total` per branch, ordered by `rank_overall`, coloured by stars.

    `df` needs rank_overall, branch_name, college_name, branch_category, stars, total and the
    dimension columns named in `dimensions` (code -> Chinese name), shown in the tooltip.
    """
    data = _prepare(df, dimensions).select(
        "rank_overall",
        "label",
        "branch_name",
        "college_name",
        "branch_category",
        "star_label",
        "total",
        *dimensions,
    )
    order = data["label"].to_list()
    y = alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelLimit=260, labelFlush=False))
    tooltip = [
        alt.Tooltip("rank_overall:Q", title="排名"),
        alt.Tooltip("branch_name:N", title="支部"),
        alt.Tooltip("college_name:N", title="学院"),
        alt.Tooltip("branch_category:N", title="类别"),
        alt.Tooltip("star_label:N", title="星级"),
        alt.Tooltip("total:Q", title="总分", format=".2f"),
        *[alt.Tooltip(f"{code}:Q", title=name, format=".2f") for code, name in dimensions.items()],
    ]
    base = alt.Chart(data).encode(y=y, tooltip=tooltip)
    bars = base.mark_bar(cornerRadiusEnd=3).encode(
        # Axis on top, like the heat map's dimension labels, so the two charts' rows line up side by side.
        x=alt.X(
            "total:Q",
            title=None,
            scale=alt.Scale(domain=[0, 100]),
            axis=alt.Axis(orient="top", labelFontSize=10, labelFlush=False),
        ),
        color=alt.Color(
            "star_label:N",
            title="星级",
            scale=alt.Scale(domain=list(STAR_LABELS), range=list(STAR_COLORS)),
            legend=readable_legend(),
        ),
    )
    text = base.mark_text(align="left", dx=3, fontSize=11).encode(
        x=alt.X("total:Q"), text=alt.Text("total:Q", format=".2f")
    )
    return alt.layer(bars, text).properties(height=alt.Step(BAR_STEP))


def dimension_heatmap(df: pl.DataFrame, dimensions: Mapping[str, str]) -> alt.LayerChart:
    """Branch × dimension grid of the 七个有力 scores (0–100), rows in rank order."""
    return _score_grid(
        _prepare(df, dimensions), "rank_overall", dimensions, "支部", label_limit=260, short_limit=90
    )


def short_names(names: list[str]) -> dict[str, str]:
    """Names without the ending they all share ("教育党员有力", "管理党员有力" -> "教育党员", "管理党员"):
    the full names of seven dimensions do not fit side by side above narrow cells."""
    if len(names) < 2:
        return {n: n for n in names}
    suffix = os.path.commonprefix([n[::-1] for n in names])[::-1]
    if any(len(n) == len(suffix) for n in names):
        suffix = ""
    return {n: n.removesuffix(suffix) if suffix else n for n in names}


def _score_grid(
    data: pl.DataFrame,
    rank: str,
    dimensions: Mapping[str, str],
    what: str,
    *,
    label_limit: int,
    short_limit: int,
) -> alt.LayerChart:
    """Org × dimension grid of scores (0–100), rows in `rank` order, a row label `label` per org."""
    order = data["label"].to_list()
    short = short_names(list(dimensions.values()))
    long = (
        data.select(rank, "label", *dimensions)
        .unpivot(index=[rank, "label"], variable_name="code", value_name="score")
        .drop_nulls("score")
        .with_columns(
            pl.col("code").replace_strict(dict(dimensions), return_dtype=pl.String).alias("dimension")
        )
        .with_columns(pl.col("dimension").replace_strict(short, return_dtype=pl.String).alias("short"))
    )
    base = alt.Chart(long).encode(
        x=alt.X(
            "short:N",
            sort=[short[name] for name in dimensions.values()],
            title=None,
            axis=alt.Axis(
                orient="top",
                labelAngle=0,
                labelOverlap=False,
                labelFontSize=12,
                labelLimit=short_limit,
                # four characters a line: a long dimension name runs into its neighbour's otherwise
                labelExpr=HEADER_LINES,
                labelFlush=False,
                ticks=False,
                domain=False,
            ),
        ),
        y=alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelLimit=label_limit, labelFlush=False)),
    )
    cells = base.mark_rect().encode(
        # the colour scale's legend: without it a cell's shade says nothing to a reader of a printout
        color=alt.Color(
            "score:Q",
            title="得分",
            scale=alt.Scale(scheme="orangered", domain=[0, 100]),
            legend=readable_legend(gradientLength=220, values=TICKS),
        ),
        tooltip=[
            alt.Tooltip("label:N", title=what),
            alt.Tooltip("dimension:N", title="维度"),
            alt.Tooltip("score:Q", title="得分", format=".2f"),
        ],
    )
    text = base.mark_text(fontSize=10).encode(
        text=alt.Text("score:Q", format=".0f"),
        color=alt.when(alt.datum.score >= 70).then(alt.value("white")).otherwise(alt.value("#333")),
    )
    return alt.layer(cells, text).properties(height=alt.Step(BAR_STEP))


def college_dimension_bar(df: pl.DataFrame, dimensions: Mapping[str, str]) -> alt.LayerChart:
    """One horizontal bar per 五个到位 dimension (0–100) of one college, in C1…C5 order.

    `df` is one row of marts.college_scores with the columns named in `dimensions` (code -> name);
    a dimension that is NULL (not computed this period) is left out.
    """
    long = (
        df.head(1)
        .select([pl.col(code).cast(pl.Float64) for code in dimensions])
        .unpivot(variable_name="code", value_name="score")
        .drop_nulls("score")
        .with_columns(
            pl.format(
                "{} {}",
                pl.col("code").str.to_uppercase(),
                pl.col("code").replace_strict(dict(dimensions), return_dtype=pl.String),
            ).alias("dimension")
        )
    )
    order = [f"{code.upper()} {name}" for code, name in dimensions.items()]
    base = alt.Chart(long).encode(
        y=alt.Y("dimension:N", sort=order, title=None, axis=alt.Axis(labelLimit=200)),
        tooltip=[
            alt.Tooltip("dimension:N", title="维度"),
            alt.Tooltip("score:Q", title="得分", format=".2f"),
        ],
    )
    bars = base.mark_bar(cornerRadiusEnd=3, color=STAR_COLORS[4]).encode(
        x=alt.X("score:Q", title="得分", scale=alt.Scale(domain=[0, 100]), axis=alt.Axis(values=TICKS))
    )
    text = base.mark_text(align="left", dx=3, fontSize=12).encode(
        x=alt.X("score:Q"), text=alt.Text("score:Q", format=".2f")
    )
    # right padding: the label of a full 100 bar stays inside the chart
    return alt.layer(bars, text).properties(height=alt.Step(34), padding={"right": 40})


def task_completion_bar(df: pl.DataFrame, highlight: str | None = None) -> alt.LayerChart:
    """按期完成率 per college: horizontal bars of `on_time_rate` (%), highest first.

    `df` needs college_name, due (tasks due by the period end), on_time (of those, completed by the
    deadline) and on_time_rate (0–100, NULL when nothing was due — such colleges are left out).
    `highlight` (a college_name) is drawn in party red, the others in grey-gold.
    """
    data = (
        df.select(
            "college_name",
            pl.col("due").cast(pl.Int64),
            pl.col("on_time").cast(pl.Int64),
            pl.col("on_time_rate").cast(pl.Float64),
        )
        .drop_nulls("on_time_rate")
        .sort(["on_time_rate", "college_name"], descending=[True, False])
        .with_columns((pl.col("college_name") == (highlight or "")).alias("selected"))
    )
    order = data["college_name"].to_list()
    base = alt.Chart(data).encode(
        y=alt.Y("college_name:N", sort=order, title=None, axis=alt.Axis(labelLimit=220)),
        tooltip=[
            alt.Tooltip("college_name:N", title="学院"),
            alt.Tooltip("due:Q", title="到期任务数"),
            alt.Tooltip("on_time:Q", title="按期完成数"),
            alt.Tooltip("on_time_rate:Q", title="按期完成率（%）", format=".1f"),
        ],
    )
    bars = base.mark_bar(cornerRadiusEnd=3).encode(
        x=alt.X(
            "on_time_rate:Q",
            title="按期完成率（%）",
            scale=alt.Scale(domain=[0, 100]),
            axis=alt.Axis(values=TICKS),
        ),
        color=alt.Color(
            "selected:N",
            scale=alt.Scale(domain=[True, False], range=[STAR_COLORS[5], STAR_COLORS[2]]),
            legend=None,
        ),
    )
    text = base.mark_text(align="left", dx=3, fontSize=11).encode(
        x=alt.X("on_time_rate:Q"), text=alt.Text("on_time_rate:Q", format=".1f")
    )
    return alt.layer(bars, text).properties(height=alt.Step(BAR_STEP))


# ---- 二级党组织 (marts.college_scores): 排名 and 趋势 -------------------------------------------------

# Grades best first (好, 较好, 一般, 差 in the rulebook); a grade past the last colour gets the worst one.
GRADE_COLORS: tuple[str, ...] = ("#a50f15", "#e57c3a", "#f3d9a4", "#9e9e9e")
COLLEGE_LABEL_LIMIT = 200


def grade_colors(count: int) -> list[str]:
    """A colour per grade, best first; a rulebook with more grades than colours repeats the worst's."""
    return [GRADE_COLORS[min(i, len(GRADE_COLORS) - 1)] for i in range(count)]


def _college_labels() -> pl.Expr:
    """College names as labels; a name used twice gets its code appended so rows never merge."""
    return (
        pl.when(pl.col("college_name").is_duplicated())
        .then(pl.format("{}（{}）", pl.col("college_name"), pl.col("college_code")))
        .otherwise(pl.col("college_name"))
        .alias("label")
    )


def _prepare_colleges(df: pl.DataFrame, dimensions: Mapping[str, str]) -> pl.DataFrame:
    numbers = [c for c in ("composite", "total", "evaluation_score", *dimensions) if c in df.columns]
    data = df.sort("rank", nulls_last=True, maintain_order=True)
    return data.with_columns(
        _college_labels(),
        pl.col(numbers).cast(pl.Float64),
        pl.col("rank").cast(pl.Int64),
        pl.col("stars")
        .cast(pl.Int64)
        .replace_strict({n: star_label(n) for n in range(MAX_STARS + 1)}, default="", return_dtype=pl.String)
        .alias("star_label"),
    )


def college_score_bar(
    df: pl.DataFrame, dimensions: Mapping[str, str], grades: Sequence[str] = ()
) -> alt.LayerChart:
    """Horizontal bars of `composite` per college (二级党组织), ordered by `rank`.

    Coloured by the year-end grade when the period has grades (Q4; `grades` best first, from the
    rulebook), else by stars. `df` needs rank,
    college_code, college_name, composite, total, evaluation_score, stars, grade and the dimension
    columns named in `dimensions` (shown in the tooltip).
    """
    data = _prepare_colleges(df, dimensions).select(
        "rank",
        "label",
        "college_name",
        "star_label",
        "grade",
        "composite",
        "total",
        "evaluation_score",
        *dimensions,
    )
    order = data["label"].to_list()
    by_grade = data["grade"].null_count() < data.height
    if by_grade:
        color = alt.Color(
            "grade:N",
            title="等次",
            scale=alt.Scale(domain=list(grades), range=grade_colors(len(grades))),
            legend=readable_legend(),
        )
    else:
        color = alt.Color(
            "star_label:N",
            title="星级",
            scale=alt.Scale(domain=list(STAR_LABELS), range=list(STAR_COLORS)),
            legend=readable_legend(),
        )
    tooltip = [
        alt.Tooltip("rank:Q", title="排名"),
        alt.Tooltip("college_name:N", title="二级党组织"),
        alt.Tooltip("composite:Q", title="综合得分", format=".2f"),
        alt.Tooltip("total:Q", title=TOTAL_LABEL, format=".2f"),
        alt.Tooltip("evaluation_score:Q", title="述职评议得分", format=".2f"),
        alt.Tooltip("star_label:N", title="星级"),
        *([alt.Tooltip("grade:N", title="等次")] if by_grade else []),
        *[alt.Tooltip(f"{code}:Q", title=name, format=".2f") for code, name in dimensions.items()],
    ]
    y = alt.Y(
        "label:N", sort=order, title=None, axis=alt.Axis(labelLimit=COLLEGE_LABEL_LIMIT, labelFlush=False)
    )
    base = alt.Chart(data).encode(y=y, tooltip=tooltip)
    bars = base.mark_bar(cornerRadiusEnd=3).encode(
        x=alt.X(
            "composite:Q",
            title=None,
            scale=alt.Scale(domain=[0, 100]),
            axis=alt.Axis(orient="top", labelFontSize=10, labelFlush=False),
        ),
        color=color,
    )
    text = base.mark_text(align="left", dx=3, fontSize=11).encode(
        x=alt.X("composite:Q"), text=alt.Text("composite:Q", format=".2f")
    )
    return alt.layer(bars, text).properties(height=alt.Step(BAR_STEP), padding={"right": 40})


def college_dimension_heatmap(df: pl.DataFrame, dimensions: Mapping[str, str]) -> alt.LayerChart:
    """College × dimension grid of the 五个到位 scores (0–100), rows in rank order."""
    data = _prepare_colleges(df, dimensions)
    return _score_grid(
        data, "rank", dimensions, "二级党组织", label_limit=COLLEGE_LABEL_LIMIT, short_limit=80
    )


def rank_bump(df: pl.DataFrame, periods: list[str], highlight: str | None = None) -> alt.LayerChart:
    """Bump chart: each college's `rank` across periods, 1 at the top.

    `highlight` (a college_code) is drawn bold and the others faded. `df` needs period, college_code,
    college_name and rank; `periods` is the x order (oldest first). Each line is labelled with the
    college's name at its last period.
    """
    data = df.select(
        pl.col("period").cast(pl.String),
        pl.col("college_code").cast(pl.String),
        pl.col("college_name").cast(pl.String),
        pl.col("rank").cast(pl.Int64),
    ).drop_nulls("rank")
    # One label per college (the name repeats across periods, so label the distinct pairs).
    names = (
        data.unique(["college_code", "college_name"])
        .group_by("college_code")
        .agg(pl.col("college_name").max())
    )
    labels_by_code = names.with_columns(_college_labels()).select("college_code", "label")
    data = data.join(labels_by_code, on="college_code", how="left").with_columns(
        (pl.col("college_code") == (highlight or "")).alias("highlight")
    )
    position = {p: i for i, p in enumerate(periods)}
    last = (
        data.with_columns(
            pl.col("period").replace_strict(position, default=-1, return_dtype=pl.Int64).alias("_pos")
        )
        .sort("_pos")
        .group_by("college_code", maintain_order=True)
        .last()
        .drop("_pos")
    )
    max_rank = int(data["rank"].max() or 1)
    x = alt.X(
        "period:O",
        sort=list(periods),
        scale=alt.Scale(domain=list(periods)),
        title="考核期",
        axis=alt.Axis(labelAngle=0),
    )
    y = alt.Y(
        "rank:Q",
        title="全校排名",
        scale=alt.Scale(domain=[max_rank + 0.5, 0.5], nice=False, zero=False),
        axis=alt.Axis(values=list(range(1, max_rank + 1)), format="d", grid=False),
    )
    color = alt.Color("label:N", legend=None, scale=alt.Scale(scheme="tableau20"))
    tooltip = [
        alt.Tooltip("period:N", title="考核期"),
        alt.Tooltip("college_name:N", title="二级党组织"),
        alt.Tooltip("rank:Q", title="排名"),
    ]
    dim = highlight is not None and bool(data["highlight"].any())
    opacity = (
        alt.when(alt.datum.highlight).then(alt.value(1.0)).otherwise(alt.value(0.25))
        if dim
        else alt.value(0.9)
    )
    width = (
        alt.when(alt.datum.highlight).then(alt.value(4)).otherwise(alt.value(1.5)) if dim else alt.value(2)
    )
    base = alt.Chart(data).encode(x=x, y=y, color=color, detail="college_code:N", tooltip=tooltip)
    lines = base.mark_line().encode(opacity=opacity, strokeWidth=width)
    points = base.mark_circle(size=50).encode(opacity=opacity)
    # Names at each line's last period; the highlighted college's in bold, the others faded when one is.
    label_base = alt.Chart(last).encode(x=x, y=y, text="label:N", color=color)
    labels = label_base.mark_text(align="left", dx=8, fontSize=11).encode(
        opacity=alt.when(alt.datum.highlight).then(alt.value(0.0)).otherwise(alt.value(1.0)),
        **({"color": alt.value("#6b6b6b")} if dim else {}),
    )
    bold = label_base.transform_filter(alt.datum.highlight).mark_text(
        align="left", dx=8, fontSize=12, fontWeight="bold"
    )
    return alt.layer(lines, points, labels, bold).properties(height=max(260, 26 * max_rank))
