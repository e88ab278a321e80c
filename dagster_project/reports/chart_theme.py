"""One Altair theme for every chart: the dashboards' and the images in the report documents.

Chinese labels need a CJK font the machine has: Noto Sans CJK SC (Debian's fonts-noto-cjk), with
the usual Chinese sans-serif fonts after it for a browser on another machine. Sizes are for reading
on a page or a projector (labels 12 pt, titles 14 pt), not the Vega defaults of 10–11 px.

Images are rendered offline by vl-convert (Vega in an embedded JavaScript engine, fonts from the
system): nothing is fetched from the internet.
"""

import altair as alt

THEME_NAME = "dangjian"
FONT = "Noto Sans CJK SC"
# A browser without Noto Sans CJK SC falls back along this list (CSS font-family syntax).
FONT_STACK = f"{FONT}, Noto Sans SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif"
LABEL_SIZE = 12
TITLE_SIZE = 14
# The 五个到位 / 七个有力 palette: a calm blue for this college, grey for the university.
OWN_COLOR = "#1f5fa8"
MEAN_COLOR = "#9aa5b1"
BEST_COLOR = "#d98c1f"


def theme_config() -> alt.theme.ThemeConfig:
    font = FONT_STACK
    return alt.theme.ThemeConfig(
        config={
            "font": font,
            "title": {"font": font, "fontSize": TITLE_SIZE, "anchor": "start", "fontWeight": "bold"},
            "axis": {
                "labelFont": font,
                "titleFont": font,
                "labelFontSize": LABEL_SIZE,
                "titleFontSize": LABEL_SIZE,
                "labelLimit": 260,
            },
            "legend": {
                "labelFont": font,
                "titleFont": font,
                "labelFontSize": LABEL_SIZE,
                "titleFontSize": LABEL_SIZE,
                "labelLimit": 260,
            },
            "header": {"labelFont": font, "titleFont": font, "labelFontSize": LABEL_SIZE},
            "text": {"font": font, "fontSize": LABEL_SIZE},
            "mark": {"font": font},
            "view": {"stroke": None},
        }
    )


def register_theme() -> str:
    """Register and enable the theme (idempotent); returns its name. The dashboards call this once at
    start-up (dashboards/app.py); chart_png enables it for the document images."""
    if THEME_NAME not in alt.theme.names():
        alt.theme.register(THEME_NAME, enable=False)(theme_config)
    alt.theme.enable(THEME_NAME)
    return THEME_NAME


def chart_png(chart: alt.TopLevelMixin, *, scale: float = 2.0) -> bytes:
    """The chart as a PNG, rendered offline with the theme and Noto Sans CJK SC."""
    import vl_convert as vlc

    register_theme()
    return vlc.vegalite_to_png(chart.to_dict(), scale=scale)
