"""The 趋势 line chart: scores across the quarterly periods, one line per series and year.

A period's scores are cumulative from January ("2024Q2" = January–June), so each year starts again:
a line drawn from Q4 of one year to Q1 of the next would show a fall that is only the new year's
count starting. Each series is therefore drawn as one line per year (`detail` = year), and the chart
never joins Q4 of Y to Q1 of Y+1.
"""

import altair as alt
import polars as pl

# Trend lines in series order: the college's composite (party red), its total, the university mean,
# then a branch.
TREND_COLORS: tuple[str, ...] = ("#c0392b", "#f0a04b", "#7f7f7f", "#1f77b4", "#2ca02c", "#9467bd")
DASHES: tuple[list[int], ...] = ([1, 0], [6, 4], [2, 3], [1, 0], [1, 0], [1, 0])


def score_trend_line(
    df: pl.DataFrame, periods: list[str], series_order: list[str] | None = None
) -> alt.LayerChart:
    """Scores across periods: one line per `series` (e.g. 综合得分, the total, a branch's total) and year.

    `df` needs period, series and score (a `year` column is used when present, else the period's
    first four characters); `periods` is the x order (oldest first). Missing scores leave a gap
    instead of a zero. `series_order` fixes the legend order and styles: the first series is drawn
    in party red, the second dashed, the third dotted.
    """
    data = (
        df.with_columns(
            pl.col("year").cast(pl.Int64)
            if "year" in df.columns
            else pl.col("period").cast(pl.String).str.slice(0, 4).cast(pl.Int64).alias("year")
        )
        .select(
            pl.col("period").cast(pl.String),
            pl.col("year"),
            pl.col("series").cast(pl.String),
            pl.col("score").cast(pl.Float64),
        )
        .drop_nulls("score")
    )
    present = list(dict.fromkeys(data["series"].to_list()))
    series = [name for name in series_order or [] if name in present]
    series += [name for name in present if name not in series]
    x = alt.X(
        "period:O",
        sort=list(periods),
        scale=alt.Scale(domain=list(periods)),
        title="考核期（每年1月起重新累计）",
        axis=alt.Axis(labelAngle=0),
    )
    y = alt.Y("score:Q", title="得分", scale=alt.Scale(zero=False, nice=True))
    color = alt.Color(
        "series:N",
        title=None,
        sort=series,
        scale=alt.Scale(domain=series, range=list(TREND_COLORS)),
        legend=alt.Legend(orient="bottom", labelLimit=320, labelFontSize=12),
    )
    tooltip = [
        alt.Tooltip("period:N", title="考核期"),
        alt.Tooltip("series:N", title="指标"),
        alt.Tooltip("score:Q", title="得分", format=".2f"),
    ]
    dash = alt.StrokeDash(
        "series:N",
        sort=series,
        scale=alt.Scale(domain=series, range=[list(d) for d in DASHES]),
        legend=None,
    )
    base = alt.Chart(data).encode(x=x, y=y, color=color, tooltip=tooltip)
    # detail = year: a separate line per series and year, so Q4 and the next Q1 are never joined
    lines = base.mark_line(strokeWidth=2.5).encode(strokeDash=dash, detail="year:O")
    points = base.mark_point(filled=True, size=60)
    return alt.layer(lines, points).properties(height=320)
