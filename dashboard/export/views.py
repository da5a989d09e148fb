"""What each export contains: a registry view (``dashboard.views``) rendered to a file.

The CLI (``cxdash export``) and the dashboard's download and report buttons both come
through here, so a scheduled report and a click in the app give the same pages and
numbers.
"""

from __future__ import annotations

import datetime as dt

import plotly.graph_objects as go
import polars as pl
import sqlalchemy as sa

from dashboard import access, audit, service, state, views
from dashboard.export.charts import SOURCE, ExportContext
from dashboard.export.report import ReportSection, report_pdf
from dashboard.i18n import _
from dashboard.views import Options, View
from dashboard.views.dashboard import KPIS, kpi_table
from dashboard.views.reports import REPORTS, Section
from queries.filters import Filters

CHART_FORMATS = ("png", "svg", "pdf", "html")
TABLE_FORMATS = ("csv", "xlsx")


def with_period(engine: sa.Engine, f: Filters, preset: str | None = None) -> Filters:
    """``f`` with a closed period: missing bounds come from ``preset`` (default: the
    dashboard's, the last 12 months ending at the newest data) or, when one bound is
    given, from the data's range -- comparisons with the previous period need both."""
    if f.date_from is not None and f.date_to is not None:
        return f
    earliest, latest = service.data_range(engine)
    if latest is None:
        return f
    if f.date_from is None and f.date_to is None:
        start, end = state.resolve_period(preset or state.DEFAULT_PRESET, latest, earliest)
        return f.replace(date_from=start, date_to=end)
    return f.replace(date_from=f.date_from or earliest, date_to=f.date_to or latest)


def as_of(engine: sa.Engine) -> dt.date | None:
    """The newest day with data (the service gives days, not times)."""
    return service.data_range(engine)[1]


def context_for(
    engine: sa.Engine, f: Filters, title: str, extra: tuple[str, ...] = ()
) -> ExportContext:
    return ExportContext(
        title=title,
        filters_words=state.describe_filters(f, extra),
        as_of=as_of(engine),
        exported_by=audit.exported_by(),
    )


def exported(kind: str, name: str) -> View:
    """The registry view ``name`` if it can be exported as ``kind`` (chart or table)."""
    offered = views.exported_as(kind)
    if name not in offered:
        raise ValueError(f"unknown {kind} {name!r}; choose one of {', '.join(offered)}")
    return views.get(name)


def chart_for(
    engine: sa.Engine, name: str, f: Filters, options: Options
) -> tuple[go.Figure, ExportContext]:
    """The dashboard's figure for chart ``name`` with the context to stamp on it."""
    view = exported("chart", name)
    options = view.defaults(options)
    fig = view.figure(view.run(engine, f, options), options)
    title = fig.layout.title.text or name
    extra = (*view.describe(options), *compared(view, f, options))
    return fig, context_for(engine, f, title, extra)


def table_for(
    engine: sa.Engine, name: str, f: Filters, options: Options
) -> tuple[pl.DataFrame, ExportContext]:
    """The dashboard's table ``name`` (all rows) with its context."""
    view = exported("table", name)
    options = view.defaults(options)
    frame = view.run(engine, f, options)
    return frame, context_for(engine, f, view.heading(options), compared(view, f, options))


def compared(view: View, f: Filters, options: Options) -> tuple[str, ...]:
    """The comparison period in words when ``view`` compares (exports state it)."""
    words = state.describe_comparison(f) if view.compares(options) else ""
    return (words,) if words else ()


def kpi_frame(engine: sa.Engine, f: Filters) -> pl.DataFrame:
    """KPIs now and in the previous period, for people (see ``kpi_table``).

    Returns columns: metric, value, previous, delta (written), p, significant.
    """
    return kpi_table(KPIS.run(engine, f, Options(compare=True)))


# -- report packs --------------------------------------------------------------------------


def report_sections(
    engine: sa.Engine, page: str, f: Filters, options: Options
) -> list[ReportSection]:
    """The charts of dashboard page ``page``, each with a caption drawn from its numbers."""
    if page not in REPORTS:
        raise ValueError(f"unknown report page {page!r}; choose one of {', '.join(REPORTS)}")
    report = REPORTS[page]
    if report.needs is not None and not access.may(report.needs):
        raise PermissionError(
            _("The {page} report holds comments: your role may not see them.").format(
                page=_(report.title)
            )
        )
    results: dict[tuple, object] = {}  # views sharing a computation (trend, mix) run it once
    return [part for s in report.sections(f, options) for part in _section(engine, f, s, results)]


def _section(engine: sa.Engine, f: Filters, section: Section, results: dict) -> list[ReportSection]:
    """The section's pages: its chart, or its table over as many pages as it takes."""
    view, options = section.view, section.options
    key = (view.compute, options)
    if key not in results:
        results[key] = view.run(engine, f, options)
    frame = results[key]
    figures = section.draw(frame, options) if section.draw else [view.figure(frame, options)]
    caption = section.caption(frame, options, f)
    for fig in figures:
        if section.title is not None:
            fig.update_layout(title_text=section.title(f))
    return [ReportSection(fig, caption) for fig in figures]


def report_for(engine: sa.Engine, page: str, f: Filters, options: Options | None = None) -> bytes:
    """The PDF report pack of dashboard page ``page`` for filters ``f``, in the current
    language (wrap the call in ``with dashboard.i18n.language(lang):``)."""
    options = options or Options()
    f = with_period(engine, f)
    sections = report_sections(engine, page, f, options)
    kpis = kpi_frame(engine, f) if f.date_from and f.date_to else None
    return report_pdf(
        sections,
        title=f"{SOURCE} — {_(REPORTS[page].title)}",
        filters_words=state.describe_filters(f),
        period_words=state.describe_period(f.date_from, f.date_to),
        kpi_table=kpis,
        as_of=as_of(engine),
        exported_by=audit.exported_by(),
    )
