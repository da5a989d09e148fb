"""Helpers every chart builder shares: a themed figure, an empty state, column access."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from dashboard.charts.formats import fmt_date, fmt_month
from dashboard.charts.theme import TEMPLATE, font_family
from dashboard.i18n import _
from dashboard.i18n.formats import d3_date_format, plotly_layout

MAX_DATE_TICKS = 6  # a year of months in half a page, unrotated: 'thg 11 2025' is long


def _figure(title: str, height: int = 380) -> go.Figure:
    """A themed figure in the current language (decimal and thousands marks)."""
    fig = go.Figure()
    fig.update_layout(
        template=TEMPLATE, title=dict(text=title), height=height, font_family=font_family(),
        **plotly_layout(),
    )  # fmt: skip
    return fig


def empty_figure(title: str, message: str | None = None) -> go.Figure:
    """A blank figure that says why it is blank (keeps the layout stable)."""
    fig = _figure(title, height=260)
    fig.add_annotation(
        text=message if message is not None else _("No data for these filters"),
        showarrow=False, font=dict(size=14, color="#6B7075"), x=0.5, y=0.5,
    )  # fmt: skip
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig


def _column(frame: pl.DataFrame, name: str) -> list:
    return frame.get_column(name).to_list() if name in frame.columns else [None] * frame.height


def _flag(frame: pl.DataFrame, name: str) -> list[bool]:
    return [bool(v) for v in _column(frame, name)]


def date_axis(fig: go.Figure, periods: list, grain: str) -> str:
    """Label a date x axis the way the language writes dates; return the hover placeholder.

    Ticks are the periods themselves (every k-th one, at most ``MAX_DATE_TICKS``), written
    by the table formatters (``thg 3 2026`` / ``Mar 2026``, ``05/03/2026`` / ``2026-03-05``):
    plotly's own date ticks only know English month names, and between monthly points
    they would repeat a month. The returned placeholder (``%{x|<d3 format>}``) writes the
    same in hover text.
    """
    if grain not in ("day", "week", "month"):
        grain = "day"
    shown = sorted({str(p)[:10] for p in periods if p is not None})
    step = max(1, -(-len(shown) // MAX_DATE_TICKS))
    ticks = shown[::-1][::step][::-1]  # counted back from the latest period, which is labelled
    write = fmt_month if grain == "month" else fmt_date
    fig.update_xaxes(
        type="date", tickmode="array", tickvals=ticks, ticktext=[write(t) for t in ticks]
    )
    fig.update_layout(margin_r=40)  # the latest period's label is centred on the last point
    return "%{x|" + d3_date_format(grain) + "}"


def legend_below(fig: go.Figure, title_px: int = 44) -> go.Figure:
    """Put the legend under the title, left-aligned, growing downwards: a legend of many
    groups wraps onto several rows and, anchored to the plot's top, would run up into the
    title. Plotly makes room for it by pushing the plot down."""
    height = fig.layout.height or 450
    fig.update_layout(
        legend=dict(orientation="h", yref="container", y=1 - title_px / height, yanchor="top",
                    x=0, xanchor="left", title=None),
    )  # fmt: skip
    return fig
