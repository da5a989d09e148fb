"""Charts that stand alone: PNG/SVG/PDF through kaleido, or interactive HTML.

An exported chart carries its title, the filters in words, the data's as-of time
and the source in a footnote, so a slide built from it needs no explanation.
The context is added to a copy of the figure; the dashboard's figure is untouched.
"""

from __future__ import annotations

import datetime as dt
import html
import textwrap
from dataclasses import dataclass

import plotly.graph_objects as go

from dashboard.charts.formats import format_time
from dashboard.export import render as export_render
from dashboard.export.render import IMAGE_FORMATS, ImageFormat
from dashboard.i18n import _

SOURCE = "CX Insights"
DEFAULT_WIDTH = 1200  # 16:9, a slide's shape
DEFAULT_HEIGHT = 675
FOOTNOTE_FONT_SIZE = 11
FOOTNOTE_LINE_PX = 15
# Bottom margin kept for the x-axis ticks and title above the footnote. Plotly's
# annotations do not push margins, so the footnote sits this far below the plot.
AXIS_ROOM_PX = 90
FOOTNOTE_COLOUR = "#555555"


@dataclass(frozen=True)
class ExportContext:
    """What makes an exported chart or table self-explanatory.

    ``title`` replaces the figure's own title when given; ``filters_words`` is the
    active filters in words ("Jan–Mar 2025 · SMB, Enterprise · all regions");
    ``as_of`` is the time of the newest data behind the numbers.
    """

    title: str = ""
    filters_words: str = ""
    as_of: dt.datetime | dt.date | str | None = None
    source: str = SOURCE
    # Who exported it, in which role and scope (dashboard.audit.exported_by).
    exported_by: str = ""

    def as_of_words(self) -> str:
        return format_time(self.as_of)

    def footnote_lines(self) -> list[str]:
        """Plain-text lines in the current language: filters, then as-of and source."""
        lines = []
        if self.filters_words:
            lines.append(_("Filters: {filters}").format(filters=self.filters_words))
        tail = []
        if self.as_of is not None:
            tail.append(_("Data as of {time}").format(time=self.as_of_words()))
        tail.append(_("Source: {source}").format(source=self.source))
        lines.append(" · ".join(tail))
        if self.exported_by:
            lines.append(self.exported_by)
        return lines


def plotly_text(text: str, *, width_chars: int) -> str:
    """Escape for plotly's HTML-ish text and wrap long lines with ``<br>``."""
    lines = textwrap.wrap(text, width=max(width_chars, 20)) or [""]
    return "<br>".join(html.escape(line, quote=False) for line in lines)


def figure_title(fig: go.Figure) -> str:
    title = fig.layout.title.text if fig.layout.title else None
    return str(title) if title else ""


def with_context(
    fig: go.Figure,
    context: ExportContext,
    *,
    width: int = DEFAULT_WIDTH,
    height: int = DEFAULT_HEIGHT,
) -> go.Figure:
    """A copy of ``fig`` sized for export, with its title and a footnote (filters, as-of,
    source)."""
    out = go.Figure(fig)
    title = context.title or figure_title(fig)
    if title:
        # Aligned with the plot area, not the page edge, so it is not clipped on slides.
        out.update_layout(title_text=html.escape(title, quote=False), title_x=0, title_xref="paper")
    chars_per_line = int(width / (FOOTNOTE_FONT_SIZE * 0.55))
    text_lines = [
        plotly_text(line, width_chars=chars_per_line) for line in context.footnote_lines()
    ]
    footnote = "<br>".join(text_lines)
    n_lines = footnote.count("<br>") + 1
    footer_px = n_lines * FOOTNOTE_LINE_PX + 12
    bottom = max(_margin(out, "b"), AXIS_ROOM_PX)
    out.update_layout(
        width=width,
        height=height,
        # The dashboard's theme is transparent (it sits on the page); a file needs paper.
        paper_bgcolor="white",
        margin={"b": bottom + footer_px, "t": max(_margin(out, "t"), 70)},
    )
    note_below_plot(out, footnote, below_px=bottom,
                    font={"size": FOOTNOTE_FONT_SIZE, "color": FOOTNOTE_COLOUR})  # fmt: skip
    return out


def note_below_plot(fig: go.Figure, text: str, *, below_px: int, font: dict) -> None:
    """Left-aligned text ``below_px`` under the plot area (footnotes, captions).

    Also lets the axes grow their margins: plotly only makes room for long category
    labels on axes that ask, and the note must not overlap them.
    """
    fig.update_xaxes(automargin=True)
    fig.update_yaxes(automargin=True)
    fig.add_annotation(
        text=text, xref="paper", yref="paper", x=0, y=0, xanchor="left", yanchor="top",
        yshift=-below_px, align="left", showarrow=False, font=font,
    )  # fmt: skip


def _margin(fig: go.Figure, side: str) -> int:
    value = getattr(fig.layout.margin, side, None) if fig.layout.margin else None
    return int(value) if value is not None else 0


def check_format(fmt: str) -> ImageFormat:
    fmt = fmt.lower().lstrip(".")
    if fmt not in IMAGE_FORMATS:
        raise ValueError(f"unknown chart format {fmt!r}; choose one of {', '.join(IMAGE_FORMATS)}")
    return fmt  # type: ignore[return-value]


def figure_bytes(
    fig: go.Figure,
    fmt: str,
    *,
    context: ExportContext | None = None,
    width: int = DEFAULT_WIDTH,
    height: int = DEFAULT_HEIGHT,
    scale: float | None = None,
) -> bytes:
    """The chart as PNG, SVG or PDF bytes, rendered by the shared Chromium session.

    ``scale`` defaults to 2 for PNG (sharp on high-density screens and slides) and 1
    for the vector formats. A PNG is ``width*scale`` by ``height*scale`` pixels.

    Raises
    ------
    ChromiumUnavailable
        At once when no browser is installed; use :func:`figure_html` instead.
    """
    fmt = check_format(fmt)
    if scale is None:
        scale = 2 if fmt == "png" else 1
    prepared = (
        with_context(fig, context, width=width, height=height)
        if context is not None
        else go.Figure(fig).update_layout(width=width, height=height, paper_bgcolor="white")
    )
    return export_render.render(
        prepared.to_dict(), fmt=fmt, width=width, height=height, scale=scale
    )


def figure_html(
    fig: go.Figure,
    context: ExportContext | None = None,
    *,
    width: int = DEFAULT_WIDTH,
    height: int = DEFAULT_HEIGHT,
) -> bytes:
    """A self-contained interactive HTML page (plotly.js inlined; works offline, no browser
    needed on the server)."""
    prepared = (
        with_context(fig, context, width=width, height=height)
        if context is not None
        else go.Figure(fig)
    )
    title = (context.title if context else "") or figure_title(fig) or SOURCE
    page = prepared.to_html(
        include_plotlyjs=True,
        full_html=True,
        config={"displaylogo": False, "responsive": True},
    )
    head_title = f"<title>{html.escape(title)}</title>"
    charset = '<meta charset="utf-8" />'
    if charset in page:
        page = page.replace(charset, charset + head_title, 1)
    else:
        page = page.replace("<head>", f"<head>{head_title}", 1)
    return page.encode("utf-8")
