"""What each export contains: the dashboard's views, built from the service and charts.

The CLI (``cxdash export``) and the report buttons both come through here, so a
scheduled report and a click in the app give the same pages and numbers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import plotly.graph_objects as go
import polars as pl
import sqlalchemy as sa

from dashboard import charts, service, state
from dashboard.config import get_settings
from dashboard.export.charts import ExportContext
from dashboard.export.report import ReportSection, report_pdf
from queries.filters import Filters

CHARTS = ("funnel", "heatmap", "nps-trend", "kpis")
TABLES = ("segments", "heatmap", "funnel", "feedback")
REPORT_PAGES = {"overview": "Overview", "funnel": "Funnel & touchpoints"}
CHART_FORMATS = ("png", "svg", "pdf", "html")
TABLE_FORMATS = ("csv", "xlsx")

DEFAULT_BY = "segment"  # heatmap and segment table need a dimension
KPI_LABELS = {
    "customers": "Customers",
    "revenue": "Revenue (VND)",
    "orders": "Orders",
    "purchasers": "Purchasers",
    "aov": "Average order value (VND)",
    "repeat_rate": "Repeat rate (%)",
    "responses": "Survey responses",
    "nps": "NPS",
    "moe": "NPS margin of error (±)",
    "csat": "CSAT (% 4–5)",
    "ces": "CES (1–7)",
}


@dataclass(frozen=True)
class ViewOptions:
    """The per-view choices of the dashboard (same names as ``cxdash query``)."""

    by: str | None = None
    metric: str = "nps"
    grain: str = "month"
    steps: tuple[str, ...] | None = None
    window_days: float | None = None
    band: str | None = None
    search: str | None = None


def with_period(engine: sa.Engine, f: Filters) -> Filters:
    """``f`` with a closed period: missing bounds come from the dashboard's default
    (last 12 months ending at the newest data) or, when one bound is given, from the
    data's range -- comparisons with the previous period need both."""
    if f.date_from is not None and f.date_to is not None:
        return f
    earliest, latest = service.data_range(engine)
    if latest is None:
        return f
    if f.date_from is None and f.date_to is None:
        start, end = state.resolve_period(state.DEFAULT_PRESET, latest, earliest)
        return f.replace(date_from=start, date_to=end)
    return f.replace(date_from=f.date_from or earliest, date_to=f.date_to or latest)


def as_of(engine: sa.Engine) -> dt.date | None:
    """The newest day with data (the service gives days, not times)."""
    return service.data_range(engine)[1]


def context_for(
    engine: sa.Engine, f: Filters, title: str, extra: tuple[str, ...] = ()
) -> ExportContext:
    return ExportContext(
        title=title, filters_words=state.describe_filters(f, extra), as_of=as_of(engine)
    )


def _window(options: ViewOptions) -> float:
    return (
        options.window_days
        if options.window_days is not None
        else get_settings().conversion_window_days
    )


def _window_words(options: ViewOptions) -> str:
    days = _window(options)
    return f"{days:g}-day conversion window"


# -- charts ------------------------------------------------------------------------------


def chart_for(
    engine: sa.Engine, kind: str, f: Filters, options: ViewOptions
) -> tuple[go.Figure, ExportContext]:
    """The dashboard's figure for chart ``kind`` with the context to stamp on it."""
    if kind == "funnel":
        frame = service.get_funnel(engine, f, options.steps, options.window_days, options.by)
        fig = charts.funnel(frame, by=options.by)
        extra: tuple[str, ...] = (_window_words(options),)
    elif kind == "heatmap":
        by = options.by or DEFAULT_BY
        frame = service.get_heatmap(engine, f, options.metric, by)
        fig = charts.heatmap(frame, metric=options.metric, by=by)
        extra = ()
    elif kind == "nps-trend":
        frame = service.get_nps_trend(engine, f, options.grain, options.by)
        fig = charts.nps_trend(
            frame, by=options.by, title=f"NPS by {options.grain} with 95% margin of error"
        )
        extra = ()
    elif kind == "kpis":
        fig = kpi_figure(kpi_frame(engine, f))
        extra = ()
    else:
        raise ValueError(f"unknown chart {kind!r}; choose one of {', '.join(CHARTS)}")
    title = fig.layout.title.text or kind
    return fig, context_for(engine, f, title, extra)


def kpi_frame(engine: sa.Engine, f: Filters) -> pl.DataFrame:
    """KPIs now and in the previous period, metric names in words.

    Returns columns: metric, value, previous, delta, p, significant.
    """
    frame = service.compare_kpis(engine, f)
    return frame.with_columns(pl.col("metric").replace(KPI_LABELS))


def kpi_figure(frame: pl.DataFrame, title: str = "Key figures vs previous period") -> go.Figure:
    """The KPI table as a figure (charts.py has no KPI figure; the tiles are widgets)."""
    from dashboard.charts.table import table_trace

    fig = go.Figure(table_trace(frame))
    fig.update_layout(title_text=title, template=charts.TEMPLATE)
    return fig


# -- tables ------------------------------------------------------------------------------


def table_for(
    engine: sa.Engine, kind: str, f: Filters, options: ViewOptions
) -> tuple[pl.DataFrame, ExportContext]:
    """The dashboard's table ``kind`` (all rows) with its context."""
    by = options.by or DEFAULT_BY
    if kind == "segments":
        frame = service.get_segments(engine, f, by)
        title = f"KPIs by {by.replace('_', ' ')}"
    elif kind == "heatmap":
        frame = service.get_heatmap(engine, f, options.metric, by)
        title = f"{options.metric.upper()} by touchpoint and {by.replace('_', ' ')}"
    elif kind == "funnel":
        frame = service.get_funnel(engine, f, options.steps, options.window_days, options.by)
        title = "Funnel conversion"
    elif kind == "feedback":
        total = service.count_comments(engine, f, options.band, options.search)
        frame = service.get_comments(
            engine, f, options.band, options.search, limit=max(total, 1), offset=0
        )
        title = "Customer feedback"
    else:
        raise ValueError(f"unknown table {kind!r}; choose one of {', '.join(TABLES)}")
    return frame, context_for(engine, f, title)


# -- report packs --------------------------------------------------------------------------


def report_sections(
    engine: sa.Engine, page: str, f: Filters, options: ViewOptions
) -> list[ReportSection]:
    """The charts of dashboard page ``page``, each with a caption drawn from its numbers."""
    builders: dict[str, Callable[[], list[ReportSection]]] = {
        "overview": lambda: _overview_sections(engine, f),
        "funnel": lambda: _funnel_sections(engine, f, options),
    }
    if page not in builders:
        raise ValueError(f"unknown report page {page!r}; choose one of {', '.join(REPORT_PAGES)}")
    return builders[page]()


def report_for(
    engine: sa.Engine, page: str, f: Filters, options: ViewOptions | None = None
) -> bytes:
    """The PDF report pack of dashboard page ``page`` for filters ``f``."""
    options = options or ViewOptions()
    f = with_period(engine, f)
    sections = report_sections(engine, page, f, options)
    kpis = kpi_frame(engine, f) if f.date_from and f.date_to else None
    return report_pdf(
        sections,
        title=f"CX Insights — {REPORT_PAGES[page]}",
        filters_words=state.describe_filters(f),
        period_words=state.describe_period(f.date_from, f.date_to),
        kpi_table=kpis,
        as_of=as_of(engine),
    )


def _overview_sections(engine: sa.Engine, f: Filters) -> list[ReportSection]:
    trend = service.get_nps_trend(engine, f, "month")
    sections = [
        ReportSection(
            charts.nps_trend(trend, title="NPS by month with 95% margin of error"),
            _trend_caption(trend),
        ),
        ReportSection(
            charts.nps_mix(trend, title="Promoters, passives and detractors by month"),
            "Share of promoters (9–10), passives (7–8) and detractors (0–6) among the "
            "responses that gave an NPS score; skipped answers are not counted.",
        ),
    ]
    if f.date_from is None or f.date_to is None:
        return sections
    previous = f.previous_period()
    period = state.describe_period(previous.date_from, previous.date_to)
    for by_kind, label in (("touchpoint", "Touchpoints"), ("segment", "Segments")):
        moved = service.what_moved(engine, f, "nps", by_kind)
        fig = charts.what_moved(moved, metric="nps")
        fig.update_layout(title_text=f"{label}: NPS change vs {period}")
        significant = moved.filter(pl.col("significant").is_not_null()).height
        sections.append(
            ReportSection(
                fig,
                f"NPS change of each {by_kind.replace('_', ' ')} against {period}. "
                f"Coloured bars marked * are significant at p < 0.05 ({significant} of "
                f"{moved.height}); grey ones may be noise.",
            )
        )
    return sections


def _funnel_sections(engine: sa.Engine, f: Filters, options: ViewOptions) -> list[ReportSection]:
    funnel = service.get_funnel(engine, f, options.steps, options.window_days)
    sections = [ReportSection(charts.funnel(funnel), _funnel_caption(funnel, options))]
    by = options.by or DEFAULT_BY
    split = service.get_funnel(engine, f, options.steps, options.window_days, by)
    sections.append(
        ReportSection(
            charts.funnel(split, by=by),
            f"Share of entering customers reaching each step, one line per "
            f"{by.replace('_', ' ')}; {_window_words(options)}.",
        )
    )
    cells = service.get_heatmap(engine, f, options.metric, by)
    sections.append(
        ReportSection(
            charts.heatmap(cells, metric=options.metric, by=by),
            _heatmap_caption(cells, options.metric, f.min_n),
        )
    )
    return sections


def _trend_caption(trend: pl.DataFrame) -> str:
    text = (
        "NPS per month; the band is the 95% margin of error. Grey points have fewer "
        "responses than the minimum sample."
    )
    scored = trend.filter(pl.col("nps").is_not_null()) if "nps" in trend.columns else trend
    if scored.is_empty():
        return text
    last = scored.sort("period").row(-1, named=True)
    return (
        f"{text} Latest month ({last['period']}): NPS {last['nps']:.1f} ± "
        f"{(last['moe'] or 0):.1f} from {last['n']:,} scored responses."
    )


def _funnel_caption(funnel: pl.DataFrame, options: ViewOptions) -> str:
    window = _window_words(options)
    if funnel.is_empty() or not funnel["customers"].sum():
        return f"No customers entered the funnel in this period ({window})."
    data = funnel.sort("position")
    first, last = data.row(0, named=True), data.row(-1, named=True)
    text = (
        f"Of {first['customers']:,} customers entering at “{first['step']}”, "
        f"{last['customers']:,} ({(last['conversion_overall'] or 0):.1f}%) reached "
        f"“{last['step']}” ({window})."
    )
    losses = data.slice(1).filter(pl.col("dropoff").is_not_null())
    if not losses.is_empty():
        worst = losses.sort("dropoff", descending=True).row(0, named=True)
        text += (
            f" The largest drop-off is into “{worst['step']}”: {worst['dropoff']:,} customers "
            f"({100 - (worst['conversion_from_previous'] or 0):.1f}% of the step before)."
        )
    return text


def _heatmap_caption(cells: pl.DataFrame, metric: str, min_n: int) -> str:
    text = (
        f"{metric.upper()} per touchpoint and group, coloured by the distance from the "
        f"touchpoint's target (or the neutral point). ▲/▼ mark cells significantly above/below "
        f"the rest of their row (Benjamini–Hochberg q ≤ 0.05); grey cells have fewer than "
        f"{min_n} responses, blank ones fewer than 5."
    )
    if "significant" in cells.columns and not cells.is_empty():
        above = cells.filter(pl.col("significant") == "above").height
        below = cells.filter(pl.col("significant") == "below").height
        text += f" {above} cells significantly above, {below} below."
    return text
