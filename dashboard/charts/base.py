"""Helpers every chart builder shares: a themed figure, an empty state, column access."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from dashboard.charts.theme import TEMPLATE


def _figure(title: str, height: int = 380) -> go.Figure:
    fig = go.Figure()
    fig.update_layout(template=TEMPLATE, title=dict(text=title), height=height)
    return fig


def empty_figure(title: str, message: str = "No data for these filters") -> go.Figure:
    """A blank figure that says why it is blank (keeps the layout stable)."""
    fig = _figure(title, height=260)
    fig.add_annotation(
        text=message, showarrow=False, font=dict(size=14, color="#6B7075"), x=0.5, y=0.5
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig


def _column(frame: pl.DataFrame, name: str) -> list:
    return frame.get_column(name).to_list() if name in frame.columns else [None] * frame.height


def _flag(frame: pl.DataFrame, name: str) -> list[bool]:
    return [bool(v) for v in _column(frame, name)]
