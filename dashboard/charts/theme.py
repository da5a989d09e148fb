"""The charts' look: Okabe-Ito palette, colours with a meaning, the plotly template."""

from __future__ import annotations

import plotly.graph_objects as go
import plotly.io as pio

from dashboard.charts.labels import METRIC_LABELS  # noqa: F401 -- (N_-marked) re-exported
from dashboard.i18n import current_language
from dashboard.metrics.groups import OTHER
from queries.filters import UNKNOWN

# Okabe & Ito (2008): distinguishable with every common colour-vision deficiency.
PALETTE = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
    "#000000",
)
# Beyond eight groups (a breakdown shown whole): Paul Tol's "muted" scheme, also
# colour-blind safe, so no two groups share a colour up to seventeen.
MORE_COLOURS = (
    "#332288", "#88CCEE", "#44AA99", "#117733", "#999933", "#DDCC77", "#CC6677",
    "#882255", "#AA4499",
)  # fmt: skip
GROUP_COLOURS = tuple(c for c in PALETTE if c != "#F0E442") + MORE_COLOURS  # no pale yellow
PRIMARY = PALETTE[0]
GOOD = "#0072B2"  # blue for "better" (never green/red alone: colour-blind safe)
BAD = "#D55E00"  # vermillion for "worse"
NEUTRAL = "#9AA0A6"  # muted grey: low sample, not significant
LOW_N = "#C8CCD0"
BAND_FILL = "rgba(0,114,178,0.15)"
# Diverging scale for the heatmap: vermillion (below) -> near white -> blue (above).
DIVERGING = [
    [0.0, "#B2400C"],
    [0.25, "#F0A27A"],
    [0.5, "#F7F7F7"],
    [0.75, "#8EC1E6"],
    [1.0, "#08519C"],
]
# Promoters / passives / detractors: blue, grey, vermillion.
BAND_COLOURS = {"promoters": "#0072B2", "passives": "#B8BEC4", "detractors": "#D55E00"}
FONT = "Inter, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"
# Vietnamese needs every precomposed letter (ổ, ự, ỷ ...) in one font: Helvetica and the
# Liberation Sans that stands in for Arial on Linux servers lack them, so a letter would
# come from a fallback font -- a different shape mid-word, and PDF text that copies as
# "T ổ ng". Fonts with full coverage come first; the English stack is unchanged.
FONT_VI = "Inter, 'Segoe UI', Roboto, 'Noto Sans', 'DejaVu Sans', Arial, sans-serif"
FONTS = {"vi": FONT_VI, "en": FONT}

METRIC_SHORT = {"nps": "NPS", "csat": "CSAT", "ces": "CES"}
# Where the diverging heatmap scale is centred when no target applies.
NEUTRAL_POINT = {"nps": 0.0, "ces": 4.0}

TEMPLATE = "cxdash"
pio.templates[TEMPLATE] = go.layout.Template(
    layout=go.Layout(
        font=dict(family=FONT, size=13, color="#262730"),
        title=dict(font=dict(size=16), x=0, xanchor="left", y=0.98, yanchor="top"),
        colorway=list(PALETTE),
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        margin=dict(l=10, r=10, t=56, b=10),
        hoverlabel=dict(font=dict(family=FONT, size=12)),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1, title=None),
        xaxis=dict(showgrid=False, linecolor="#D0D3D7", ticks="outside", tickcolor="#D0D3D7"),
        yaxis=dict(gridcolor="#ECEEF0", zerolinecolor="#D0D3D7"),
        separators=".,",  # decimal point, thousands comma
    )
)


def group_colours(groups) -> dict:
    """A colour per group, none used twice while the palette lasts (seventeen): the
    folded "(other)" group and "(unknown)" are grey, after the named groups."""
    colours, index = {}, 0
    for group in groups:
        if group == OTHER:
            colours[group] = NEUTRAL
        elif group == UNKNOWN or group is None:
            colours[group] = "#6B7075"
        else:
            colours[group] = GROUP_COLOURS[index % len(GROUP_COLOURS)]
            index += 1
    return colours


def group_order(groups) -> list:
    """Groups in the order charts list them: by name, "(unknown)" and "(other)" last."""
    last = {UNKNOWN: 1, None: 1, OTHER: 2}
    return sorted(groups, key=lambda g: (last.get(g, 0), str(g)))


def font_family(lang: str | None = None) -> str:
    """The chart font stack for ``lang`` (default: the current language)."""
    return FONTS.get(lang or current_language(), FONT)


def language_font() -> dict[str, str]:
    """Layout settings for figures drawn outside the template (report pages): the font
    stack of the current language where it differs from plotly's default (Vietnamese)."""
    lang = current_language()
    return {"font_family": FONTS[lang]} if lang != "en" and lang in FONTS else {}
