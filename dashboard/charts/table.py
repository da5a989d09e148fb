"""A frame as a formatted plotly table (the KPI changes in exports and report packs)."""

from __future__ import annotations

import datetime as dt
import math

import plotly.graph_objects as go
import polars as pl

from dashboard.charts.formats import format_time


def table_trace(frame: pl.DataFrame, domain: dict | None = None) -> go.Table:
    """``frame`` as a formatted plotly table: dark header, banded rows, numbers right."""
    columns = frame.columns
    align = ["left"] + ["right"] * (len(columns) - 1)
    return go.Table(
        domain=domain or {"x": [0, 1], "y": [0, 1]},
        columnwidth=[2.2 if c in ("metric", "label", "name") else 1 for c in columns],
        header={
            "values": [f"<b>{column_label(c)}</b>" for c in columns],
            "fill_color": "#1f2d3d",
            "font": {"color": "white", "size": 13},
            "align": align,
            "height": 30,
        },
        cells={
            "values": [[format_cell(v, c) for v in frame[c].to_list()] for c in columns],
            "fill_color": [["#ffffff", "#f3f5f8"] * (frame.height // 2 + 1)],
            "font": {"size": 12, "color": "#1f2d3d"},
            "align": align,
            "height": 28,
        },
    )


def column_label(name: str) -> str:
    labels = {"p": "p-value", "n": "n", "moe": "± MoE", "nps": "NPS", "csat": "CSAT", "ces": "CES"}
    return labels.get(name, name.replace("_", " ").capitalize())


def format_cell(value: object, column: str) -> str:
    """A table value as people read it: thousands separators, signed deltas, p to 3 places."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:+,}" if column.startswith("delta") else f"{value:,}"
    if isinstance(value, float):
        if column == "p" or column.endswith("_p"):
            return "< 0.001" if value < 0.001 else f"{value:.3f}"
        return f"{value:+,.1f}" if column.startswith("delta") else f"{value:,.1f}"
    if isinstance(value, dt.datetime | dt.date):
        return format_time(value)
    return str(value)
