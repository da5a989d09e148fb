"""Pure chart builders: polars DataFrame in, plotly Figure out.

No streamlit here (a chart must render in a notebook or an export job just the
same). Every figure uses one template (:data:`TEMPLATE`), the Okabe-Ito
colour-blind-safe palette, a title that says what is shown, VND with thousands
separators and percentages / scores with one decimal. Points, bars and cells
with fewer than ``min_n`` scored responses are drawn grey (``low_n``); those
under the privacy threshold arrive with a null value and are left out or shown
as a blank cell.

The input frames are the ones :mod:`dashboard.service` returns; the columns each
builder reads are listed in its docstring.
"""

from __future__ import annotations

from dashboard.charts.base import date_axis, empty_figure
from dashboard.charts.formats import (
    fmt_date,
    fmt_datetime,
    fmt_int,
    fmt_month,
    fmt_number,
    fmt_p,
    fmt_pct,
    fmt_score,
    fmt_seconds,
    fmt_test,
    fmt_vnd,
    fmt_vnd_short,
)
from dashboard.charts.funnel import funnel
from dashboard.charts.groups import COMPARE_METRICS, compare_groups, segment_bars, what_moved
from dashboard.charts.heatmap import cell_from_selection, heatmap, heatmap_centre
from dashboard.charts.labels import (
    column_label,
    dimension_label,
    dimension_noun,
    group_label,
    metric_label,
    step_label,
)
from dashboard.charts.theme import (
    BAD,
    BAND_COLOURS,
    BAND_FILL,
    DIVERGING,
    FONT,
    GOOD,
    LOW_N,
    METRIC_LABELS,
    METRIC_SHORT,
    NEUTRAL,
    NEUTRAL_POINT,
    PALETTE,
    PRIMARY,
    TEMPLATE,
)
from dashboard.charts.trend import nps_mix, nps_trend, sparkline
from queries.definitions import nps_band

__all__ = [
    "BAD", "BAND_COLOURS", "BAND_FILL", "COMPARE_METRICS", "DIVERGING", "FONT", "GOOD", "LOW_N",
    "METRIC_LABELS", "METRIC_SHORT", "NEUTRAL", "NEUTRAL_POINT", "PALETTE", "PRIMARY", "TEMPLATE",
    "cell_from_selection", "column_label", "compare_groups", "date_axis", "dimension_label",
    "dimension_noun", "empty_figure", "fmt_date", "fmt_datetime", "fmt_int", "fmt_month",
    "fmt_number", "fmt_p", "fmt_pct", "fmt_score", "fmt_seconds", "fmt_test", "fmt_vnd",
    "fmt_vnd_short", "funnel", "group_label", "heatmap", "heatmap_centre", "metric_label",
    "nps_band", "nps_mix", "nps_trend", "segment_bars", "sparkline", "step_label", "what_moved",
]  # fmt: skip
