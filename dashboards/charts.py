"""Altair charts built from polars frames.

Pure functions (no Streamlit), so tests can inspect `chart.to_dict()` without rendering. Numbers are
cast to Float64 here as a second guard against DECIMAL columns, which Vega-Lite plots at the wrong scale.
"""

from collections.abc import Mapping

import altair as alt
import polars as pl

from dashboards.labels import MAX_STARS, STAR_LABELS, star_label

# Party red for ★5 fading to pale gold for ★1; grey for 不定级 (一票否决).
STAR_COLORS: tuple[str, ...] = ("#9e9e9e", "#f3d9a4", "#f0b45c", "#e57c3a", "#d1432b", "#a50f15")
BAR_STEP = 22  # px per branch row


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
            legend=alt.Legend(orient="bottom", direction="horizontal"),
        ),
    )
    text = base.mark_text(align="left", dx=3, fontSize=11).encode(
        x=alt.X("total:Q"), text=alt.Text("total:Q", format=".2f")
    )
    return alt.layer(bars, text).properties(height=alt.Step(BAR_STEP))


def dimension_heatmap(df: pl.DataFrame, dimensions: Mapping[str, str]) -> alt.LayerChart:
    """Branch × dimension grid of the 七个有力 scores (0–100), rows in rank order."""
    data = _prepare(df, dimensions)
    order = data["label"].to_list()
    long = (
        data.select("rank_overall", "label", *dimensions)
        .unpivot(index=["rank_overall", "label"], variable_name="code", value_name="score")
        .drop_nulls("score")
        .with_columns(
            pl.col("code").replace_strict(dict(dimensions), return_dtype=pl.String).alias("dimension")
        )
        .with_columns(pl.col("dimension").str.strip_suffix("有力").alias("short"))
    )
    base = alt.Chart(long).encode(
        # 教育党员有力 -> 教育党员: seven full names do not fit side by side above narrow cells.
        x=alt.X(
            "short:N",
            sort=[name.removesuffix("有力") for name in dimensions.values()],
            title=None,
            axis=alt.Axis(
                orient="top",
                labelAngle=0,
                labelOverlap=False,
                labelFontSize=10,
                labelLimit=60,
                labelFlush=False,
                ticks=False,
                domain=False,
            ),
        ),
        y=alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelLimit=260, labelFlush=False)),
    )
    cells = base.mark_rect().encode(
        color=alt.Color("score:Q", scale=alt.Scale(scheme="orangered", domain=[0, 100]), legend=None),
        tooltip=[
            alt.Tooltip("label:N", title="支部"),
            alt.Tooltip("dimension:N", title="维度"),
            alt.Tooltip("score:Q", title="得分", format=".2f"),
        ],
    )
    text = base.mark_text(fontSize=10).encode(
        text=alt.Text("score:Q", format=".0f"),
        color=alt.when(alt.datum.score >= 70).then(alt.value("white")).otherwise(alt.value("#333")),
    )
    return alt.layer(cells, text).properties(height=alt.Step(BAR_STEP))
