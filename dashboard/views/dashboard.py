"""The registry entries of the first round's views: KPIs, funnel, heatmap, NPS trend and
mix, segments, what moved, and the feedback comments.

Each entry glues a service computation (statement -> db -> statistics) to its chart and
titles; the pages, ``cxdash query``, ``cxdash export`` and the report packs all use them.
"""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl
import sqlalchemy as sa

from dashboard import charts, service
from dashboard.charts.heatmap import metric_short
from dashboard.charts.labels import dimension_noun
from dashboard.charts.table import table_trace
from dashboard.charts.theme import font_family
from dashboard.config import get_settings
from dashboard.i18n import N_, _
from dashboard.i18n.formats import (
    MISSING,
    fmt_int,
    fmt_number,
    fmt_pct,
    fmt_score,
    fmt_vnd,
    fmt_vnd_short,
)
from dashboard.metrics.scores import KPI_KEYS
from dashboard.views.base import Options, Rule, View, needs
from queries.filters import Filters

DEFAULT_BY = "segment"  # an exported heatmap or segment table needs a dimension
# KPI names in tables people read (marked for translation: shown with _()).
KPI_LABELS = {
    "customers": N_("Customers"),
    "revenue": N_("Revenue (VND)"),
    "orders": N_("Orders"),
    "purchasers": N_("Purchasers"),
    "aov": N_("Average order value (VND)"),
    "repeat_rate": N_("Repeat rate (%)"),
    "responses": N_("Survey responses"),
    "nps": "NPS",
    "moe": N_("NPS margin of error (±)"),
    "csat": N_("CSAT (% 4–5)"),
    "ces": N_("CES (1–7)"),
}
NEEDS_BY = N_("{view} needs --by DIMENSION (e.g. --by segment)")


def _with_breakdown(columns: tuple[str, ...], by: str | None, at: int) -> tuple[str, ...]:
    """``columns`` with the breakdown's dimension inserted at position ``at``."""
    if by is None or by in columns:
        return columns
    return (*columns[:at], by, *columns[at:])


def _by_default(options: Options) -> Options:
    return options if options.by else options.replace(by=DEFAULT_BY)


def window_days(options: Options) -> float:
    """The conversion window of ``options``, else the configured one."""
    if options.window_days is not None:
        return options.window_days
    return get_settings().conversion_window_days


def window_words(options: Options) -> str:
    """``30-day conversion window`` / ``thời hạn chuyển đổi 30 ngày``."""
    days = window_days(options)
    decimals = f"{days:g}".partition(".")[2]  # as many as it has: 30, 14.5, 0.25 (6 h)
    shown = fmt_number(days, len(decimals) if decimals.isdigit() else 0)
    return _("{days}-day conversion window").format(days=shown)


# -- KPIs -------------------------------------------------------------------------------


def _kpis(engine: sa.Engine, f: Filters, options: Options):
    if options.compare:
        return service.compare_kpis(engine, f)
    return service.get_kpis(engine, f)


def kpi_labels(frame: pl.DataFrame) -> pl.DataFrame:
    """KPI changes with the metric names in words, in the current language (for tables
    people read)."""
    return frame.with_columns(pl.col("metric").replace({k: _(v) for k, v in KPI_LABELS.items()}))


def _signed_money(value: float | None) -> str:
    if value is None:
        return MISSING
    return ("+" if value >= 0 else "-") + fmt_vnd_short(abs(value))


def _signed_vnd(value: float | None) -> str:
    if value is None:
        return MISSING
    return ("+" if value >= 0 else "-") + fmt_vnd(abs(value))


# How each KPI is written in tables for people: (value and previous, delta).
KPI_FORMATS = {
    "revenue": (fmt_vnd_short, _signed_money),
    "aov": (fmt_vnd, _signed_vnd),  # as its tile: whole đồng
    "repeat_rate": (fmt_pct, lambda d: fmt_number(d, 1, signed=True)),
    "csat": (fmt_pct, lambda d: fmt_number(d, 1, signed=True)),
    "ces": (lambda v: fmt_number(v, 2), lambda d: fmt_number(d, 2, signed=True)),
}
COUNT_FORMATS = (fmt_int, lambda d: fmt_number(d, 0, signed=True))
SCORE_FORMATS = (fmt_score, lambda d: fmt_score(d, signed=True))
COUNTS = frozenset({"customers", "orders", "purchasers", "responses"})


def kpi_table(frame: pl.DataFrame) -> pl.DataFrame:
    """KPI changes for people, in the current language: the metric in words and its values
    written as the tiles write them (``36,5 tỷ ₫``, ``42,4%``); p stays a number.

    Returns columns: metric, value, previous, delta (text), p, significant.
    """
    rows = []
    for row in frame.iter_rows(named=True):
        key = row["metric"]
        shown, change = KPI_FORMATS.get(key, COUNT_FORMATS if key in COUNTS else SCORE_FORMATS)
        label = KPI_LABELS.get(key)
        rows.append(
            {
                "metric": _(label) if label else key,
                "value": shown(row["value"]),
                "previous": shown(row["previous"]),
                "delta": MISSING if row["delta"] is None else change(row["delta"]),
                "p": row["p"],
                "significant": row["significant"],
            }
        )
    schema = {"metric": pl.String, "value": pl.String, "previous": pl.String,
              "delta": pl.String, "p": pl.Float64, "significant": pl.String}  # fmt: skip
    return pl.DataFrame(rows, schema=schema)


def _kpi_figure(result, options: Options) -> go.Figure:
    """The KPI changes as a table figure (the tiles are widgets, not a chart)."""
    fig = go.Figure(table_trace(kpi_table(result)))
    fig.update_layout(
        title_text=KPIS.title(options), template=charts.TEMPLATE, font_family=font_family()
    )
    return fig


KPIS = View(
    name="kpis",
    compute=_kpis,
    title=lambda options: (
        _("Key figures and their change") if options.compare else _("Key figures")
    ),
    figure=_kpi_figure,
    columns=lambda options: (
        ("metric", "value", "previous", "delta", "p", "significant")
        if options.compare
        else KPI_KEYS
    ),  # fmt: skip
    # A comparison needs the previous period, which only a closed period has.
    defaults=lambda options: options.replace(compare=True),
    compares=lambda options: options.compare,
    json_key="metric",
    exports=frozenset({"query", "chart"}),
    help="customers, revenue, orders, purchasers, AOV, repeat rate, NPS ± MoE, CSAT, CES",
)


# -- funnel -----------------------------------------------------------------------------

FUNNEL_COUNTS_NOTE = N_(
    "The funnel counts the customers who entered at “{first}” in the period and reached "
    "each step in order within the window, even after the period's end. “In the period” "
    "counts every customer with an event of that step in the period, whenever they "
    "entered: the way the KPI tiles count (Purchasers: every customer with a transaction)."
)


def _funnel(engine: sa.Engine, f: Filters, options: Options) -> pl.DataFrame:
    return service.get_funnel(
        engine, f, options.steps, options.window_days, options.by, top=options.top
    )


def _funnel_title(options: Options) -> str:
    if options.by is None:
        return _("Customers reaching each funnel step")
    return _("Overall conversion by step, per {dimension}").format(
        dimension=dimension_noun(options.by)
    )


FUNNEL = View(
    name="funnel",
    compute=_funnel,
    title=_funnel_title,
    table_title=lambda options: _("Funnel conversion"),
    figure=lambda frame, options: charts.funnel(frame, by=options.by, title=_funnel_title(options)),
    columns=lambda options: _with_breakdown(
        (
            "step",
            "customers",
            "conversion_from_previous",
            "conversion_overall",
            "dropoff",
            "median_seconds_from_previous",
        ),
        options.by,
        0,
    ),  # fmt: skip
    rules=(
        Rule(
            lambda options: options.steps is None or len(options.steps) >= 2,
            N_("Pick at least two steps: a funnel needs two or more."),
        ),
    ),
    describe=lambda options: (window_words(options),),
    exports=frozenset({"query", "chart", "table"}),
    help="customers reaching each step in order, within the conversion window",
)


def _reached_in_period(engine: sa.Engine, f: Filters, options: Options) -> pl.DataFrame:
    return service.get_reached_in_period(engine, f, options.steps, options.by)


FUNNEL_IN_PERIOD = View(
    name="funnel-in-period",
    compute=_reached_in_period,
    title=lambda options: _("Customers with each step in the period"),
    columns=lambda options: _with_breakdown(("step", "reached_in_period"), options.by, 0),
    exports=frozenset({"query"}),
    help="beside the funnel: customers with an event of each step in the period (KPI-style)",
)


# -- heatmap ----------------------------------------------------------------------------


SENTIMENT_METRIC = "sentiment"  # the heatmap's fourth score: net sentiment of the comments


def _heatmap(engine: sa.Engine, f: Filters, options: Options) -> pl.DataFrame:
    if options.metric == SENTIMENT_METRIC:
        from dashboard.text.service import sentiment_cells

        return sentiment_cells(engine, f, options.by, "net")
    return service.get_heatmap(engine, f, options.metric, options.by, top=options.top)


def _heatmap_figure(frame: pl.DataFrame, options: Options) -> go.Figure:
    if options.metric == SENTIMENT_METRIC:
        from dashboard.charts.comments import sentiment_heatmap

        return sentiment_heatmap(frame, by=options.by, score="net")
    return charts.heatmap(frame, metric=options.metric, by=options.by, wide=True)


HEATMAP = View(
    name="heatmap",
    compute=_heatmap,
    # The chart's title also says what the colours are centred on (from the data).
    title=lambda options: _("{metric} by touchpoint and {dimension}").format(
        metric=metric_short(options.metric), dimension=dimension_noun(options.by)
    ),
    # exports and report packs are a page wide: cell text fits in more columns
    figure=_heatmap_figure,
    columns=lambda options: _with_breakdown(
        ("touchpoint", "value", "n", "low_n", "p", "q", "significant"), options.by, 1
    ),
    rules=(needs("by", NEEDS_BY),),
    defaults=_by_default,
    exports=frozenset({"query", "chart", "table"}),
    help="touchpoint × group scores with Benjamini–Hochberg significance",
)


# -- NPS trend and mix ------------------------------------------------------------------


def _nps_trend(engine: sa.Engine, f: Filters, options: Options) -> pl.DataFrame:
    return service.get_nps_trend(engine, f, options.grain, options.by, top=options.top)


TREND_TITLES = {
    "day": N_("NPS by day with 95% margin of error"),
    "week": N_("NPS by week with 95% margin of error"),
    "month": N_("NPS by month with 95% margin of error"),
}
MIX_TITLES = {
    "day": N_("Promoters, passives and detractors by day"),
    "week": N_("Promoters, passives and detractors by week"),
    "month": N_("Promoters, passives and detractors by month"),
}


def _trend_title(options: Options) -> str:
    return _(TREND_TITLES[options.grain])


NPS_TREND = View(
    name="nps-trend",
    compute=_nps_trend,
    title=_trend_title,
    figure=lambda frame, options: charts.nps_trend(
        frame, by=options.by, title=_trend_title(options), grain=options.grain
    ),
    columns=lambda options: _with_breakdown(
        ("period", "n", "promoters", "passives", "detractors", "nps", "moe", "low_n"),
        options.by,
        1,
    ),  # fmt: skip
    exports=frozenset({"query", "chart"}),
    help="NPS per day, week or month with its 95% margin of error",
)

NPS_MIX = View(
    name="nps-mix",
    compute=_nps_trend,
    title=lambda options: _(MIX_TITLES[options.grain]),
    figure=lambda frame, options: charts.nps_mix(
        frame, title=NPS_MIX.title(options), grain=options.grain
    ),
)


# -- segments ---------------------------------------------------------------------------


def _segments(engine: sa.Engine, f: Filters, options: Options) -> pl.DataFrame:
    return service.get_segments(engine, f, options.by, top=options.top)


SEGMENTS = View(
    name="segments",
    compute=_segments,
    title=lambda options: _("KPIs by {dimension}").format(dimension=dimension_noun(options.by)),
    figure=lambda frame, options: charts.segment_bars(frame, by=options.by),
    columns=lambda options: (options.by, *KPI_KEYS, "low_n"),
    rules=(needs("by", NEEDS_BY),),
    defaults=_by_default,
    exports=frozenset({"query", "table"}),
    help="every KPI per group of a customer dimension",
)


# -- what moved -------------------------------------------------------------------------


def _what_moved(engine: sa.Engine, f: Filters, options: Options) -> pl.DataFrame:
    return service.what_moved(engine, f, options.metric, options.by_kind)


WHAT_MOVED = View(
    name="what-moved",
    compute=_what_moved,
    title=lambda options: _("What moved: {metric} change").format(
        metric=charts.METRIC_SHORT.get(options.metric, options.metric)
    ),
    # the chart's own title names "previous period"; the view's fits either comparison
    figure=lambda frame, options: charts.what_moved(frame, metric=options.metric).update_layout(
        title_text=WHAT_MOVED.title(options)
    ),
    compares=lambda options: True,
)


# -- feedback comments --------------------------------------------------------------------


def _feedback(engine: sa.Engine, f: Filters, options: Options) -> pl.DataFrame:
    if options.limit is None:  # every matching comment (exports)
        total = service.count_comments(engine, f, options.band, options.search)
        return service.get_comments(engine, f, options.band, options.search, max(total, 1), 0)
    return service.get_comments(
        engine, f, options.band, options.search, options.limit, options.offset
    )


FEEDBACK = View(
    name="feedback",
    compute=_feedback,
    title=lambda options: _("Customer feedback"),
    exports=frozenset({"table"}),
    help="the comments behind the numbers, newest first",
)

VIEWS = (
    KPIS, FUNNEL, FUNNEL_IN_PERIOD, HEATMAP, NPS_TREND, NPS_MIX, SEGMENTS, WHAT_MOVED, FEEDBACK,
)  # fmt: skip
