"""The PDF report pack: cover, KPI table with deltas, then one chart per page.

Every page is a plotly figure (the cover and the KPI table too, drawn with
annotations and ``go.Table``) rendered to a one-page PDF by the shared kaleido
session, then merged with pypdf. The page count is known before rendering, so
each page carries "Page i of n" and the filters in words in its footer.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import plotly.graph_objects as go
import polars as pl
from pypdf import PdfReader, PdfWriter

from dashboard.charts.formats import format_time
from dashboard.charts.table import table_trace
from dashboard.charts.theme import language_font
from dashboard.export import render as export_render
from dashboard.export.charts import (
    SOURCE,
    figure_title,
    note_below_plot,
    plotly_text,
)
from dashboard.i18n import _

PAGE_WIDTH = 1123  # A4 landscape at 96 px per inch
PAGE_HEIGHT = 794
FOOTER_FONT = {"size": 10, "color": "#666666"}
CAPTION_FONT = {"size": 13, "color": "#333333"}
KPI_ROWS_PER_PAGE = 16
AXIS_ROOM_PX = 90  # x-axis ticks and title above the caption (annotations push no margins)
FOOTER_ROOM_PX = 34


@dataclass(frozen=True)
class ReportSection:
    """One chart page: the figure, a caption under it, and an optional title override."""

    figure: go.Figure
    caption: str = ""
    title: str = ""


def report_pdf(
    sections: Iterable[ReportSection | tuple[go.Figure, str]],
    *,
    title: str,
    filters_words: str,
    period_words: str,
    kpi_table: pl.DataFrame | None = None,
    as_of: dt.datetime | dt.date | str | None = None,
    generated_at: dt.datetime | None = None,
    source: str = SOURCE,
    exported_by: str = "",
) -> bytes:
    """One PDF: cover, KPI table (if given), then every section's chart on its own page.

    The cover states the title, the period, the filters in words, the generation time
    and the data's as-of time. All charts are rendered in one Chromium session.

    Raises
    ------
    ChromiumUnavailable
        At once when no browser is installed.
    """
    export_render.find_chromium()  # fail before building anything
    sections = [_as_section(s) for s in sections]
    generated_at = generated_at or dt.datetime.now(dt.UTC)
    kpi_chunks = _kpi_chunks(kpi_table)
    total = 1 + len(kpi_chunks) + len(sections)
    footer = _Footer(title=title, filters_words=filters_words, total=total, source=source)

    pages = [
        cover_page(
            title=title,
            period_words=period_words,
            filters_words=filters_words,
            generated_at=generated_at,
            as_of=as_of,
            source=source,
            footer=footer.text(1),
            exported_by=exported_by,
        )
    ]
    for i, chunk in enumerate(kpi_chunks):
        title = (
            _("Key figures ({part} of {parts})").format(part=i + 1, parts=len(kpi_chunks))
            if len(kpi_chunks) > 1
            else _("Key figures")
        )
        pages.append(
            kpi_page(
                chunk,
                title=title,
                period_words=period_words,
                footer=footer.text(len(pages) + 1),
            )
        )
    for section in sections:
        pages.append(chart_page(section, footer=footer.text(len(pages) + 1)))
    return merge_pdfs(render_pages(pages), title=title, source=source)


def _as_section(item: ReportSection | tuple[go.Figure, str]) -> ReportSection:
    if isinstance(item, ReportSection):
        return item
    figure, caption = item
    return ReportSection(figure=figure, caption=caption)


@dataclass(frozen=True)
class _Footer:
    title: str
    filters_words: str
    total: int
    source: str

    def text(self, page: int) -> str:
        source = "" if self.source in self.title else self.source
        page_words = _("Page {page} of {total}").format(page=page, total=self.total)
        parts = [source, self.title, self.filters_words, page_words]
        return " · ".join(p for p in parts if p)


def render_pages(pages: Sequence[go.Figure]) -> list[bytes]:
    """Each page figure as a one-page PDF, all through the one shared browser."""
    return [
        export_render.render(
            page.to_dict(), fmt="pdf", width=PAGE_WIDTH, height=PAGE_HEIGHT, scale=1
        )
        for page in pages
    ]


def merge_pdfs(parts: Sequence[bytes], *, title: str, source: str) -> bytes:
    writer = PdfWriter()
    for part in parts:
        writer.append(PdfReader(io.BytesIO(part)))
    writer.add_metadata({"/Title": title, "/Creator": source, "/Producer": source})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# -- pages -------------------------------------------------------------------


def _footer_annotation(text: str) -> dict:
    # On pages whose margins we set, paper y=0 is the plot bottom; the footer sits in
    # the bottom margin, anchored to the plot so it moves with it.
    return {
        "text": plotly_text(text, width_chars=170),
        "xref": "paper",
        "yref": "paper",
        "x": 1,
        "y": 0,
        "xanchor": "right",
        "yanchor": "top",
        "showarrow": False,
        "font": FOOTER_FONT,
        "align": "right",
    }


def _blank_page(footer: str, *, bottom: int = 60) -> go.Figure:
    fig = go.Figure()
    fig.update_layout(
        width=PAGE_WIDTH,
        height=PAGE_HEIGHT,
        template="plotly_white",
        **language_font(),
        xaxis={"visible": False, "range": [0, 1]},
        yaxis={"visible": False, "range": [0, 1]},
        margin={"l": 60, "r": 60, "t": 60, "b": bottom},
        showlegend=False,
    )
    fig.add_annotation(**_footer_annotation(footer), yshift=-(bottom - FOOTER_ROOM_PX))
    return fig


def cover_page(
    *,
    title: str,
    period_words: str,
    filters_words: str,
    generated_at: dt.datetime,
    as_of: dt.datetime | dt.date | str | None,
    source: str,
    footer: str,
    exported_by: str = "",
) -> go.Figure:
    """The cover (in the current language): title, period, filters in words, generation and
    as-of times, source, and who exported it in which scope."""
    fig = _blank_page(footer)
    period = _("Period: {period}").format(period=period_words)
    filters = _("Filters: {filters}").format(filters=filters_words)
    lines = [
        (0.78, plotly_text(title, width_chars=50), 34, "#1f2d3d"),
        (0.64, plotly_text(period, width_chars=90), 18, "#333333"),
        (0.54, plotly_text(filters, width_chars=100), 15, "#333333"),
        (0.34, _("Generated {time}").format(time=format_time(generated_at)), 13, "#555555"),
        (
            0.24,
            plotly_text(_("Source: {source}").format(source=source), width_chars=100),
            13,
            "#555555",
        ),
    ]
    if as_of is not None:
        as_of_words = _("Data as of {time}").format(time=format_time(as_of))
        lines.append((0.29, as_of_words, 13, "#555555"))
    if exported_by:
        lines.append((0.19, plotly_text(exported_by, width_chars=100), 13, "#555555"))
    for y, text, size, colour in lines:
        fig.add_annotation(
            text=text,
            x=0,
            y=y,
            xref="paper",
            yref="paper",
            xanchor="left",
            yanchor="top",
            align="left",
            showarrow=False,
            font={"size": size, "color": colour},
        )
    return fig


def _kpi_chunks(kpi_table: pl.DataFrame | None) -> list[pl.DataFrame]:
    if kpi_table is None or kpi_table.is_empty():
        return []
    count = math.ceil(kpi_table.height / KPI_ROWS_PER_PAGE)
    return [kpi_table.slice(i * KPI_ROWS_PER_PAGE, KPI_ROWS_PER_PAGE) for i in range(count)]


def kpi_page(frame: pl.DataFrame, *, title: str, period_words: str, footer: str) -> go.Figure:
    """A page with ``frame`` as a table (e.g. metric, value, previous, delta, p, significant)."""
    fig = _blank_page(footer)
    fig.add_trace(table_trace(frame, domain={"x": [0, 1], "y": [0, 0.9]}))
    fig.update_layout(title={"text": f"{title} · {plotly_text(period_words, width_chars=90)}"})
    return fig


def chart_page(section: ReportSection, *, footer: str) -> go.Figure:
    """One chart filling the page, with its title, a caption under it and the footer."""
    fig = go.Figure(section.figure)
    title = section.title or figure_title(section.figure)
    caption = plotly_text(section.caption, width_chars=150) if section.caption else ""
    caption_px = (caption.count("<br>") + 1) * 18 if caption else 0
    bottom = AXIS_ROOM_PX + caption_px + FOOTER_ROOM_PX
    fig.update_layout(
        width=PAGE_WIDTH,
        height=PAGE_HEIGHT,
        title={"text": plotly_text(title, width_chars=90)} if title else None,
        margin={"t": 80, "b": bottom, "l": 80, "r": 60},
    )
    note_below_plot(fig, caption or "", below_px=AXIS_ROOM_PX, font=CAPTION_FONT)
    fig.add_annotation(**_footer_annotation(footer), yshift=-(bottom - FOOTER_ROOM_PX + 8))
    return fig
