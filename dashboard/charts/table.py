"""A frame as a formatted plotly table (the KPI changes in exports and report packs)."""

from __future__ import annotations

import datetime as dt
import math

import plotly.graph_objects as go
import polars as pl

from dashboard.charts import labels
from dashboard.charts.formats import MISSING, fmt_int, fmt_number, format_column, format_time
from dashboard.i18n import N_, _

# The "significant" column's values: the direction of a significant change.
DIRECTIONS = {"up": N_("up"), "down": N_("down"), "above": N_("above"), "below": N_("below")}


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
    """A column's header in the current language."""
    return labels.column_label(name)


def format_cell(value: object, column: str) -> str:
    """A table value as people read it: thousands separators, signed deltas, p to 3 places
    -- in the current language."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return MISSING
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    declared = format_column(column, value)  # counts, money, shares: as the app writes them
    if declared is not None:
        return declared
    if isinstance(value, int):
        if column.startswith("delta"):
            return fmt_number(value, 0, signed=True)
        return fmt_int(value)
    if isinstance(value, float):
        if column == "p" or column.endswith("_p"):
            return "< " + fmt_number(0.001, 3) if value < 0.001 else fmt_number(value, 3)
        return fmt_number(value, 1, signed=column.startswith("delta"))
    if isinstance(value, dt.datetime | dt.date):
        return format_time(value)
    if column == "significant" and value in DIRECTIONS:
        return _(DIRECTIONS[value])
    if column == "step":
        return labels.step_label(value)
    if column in labels.DIMENSION_LABELS:
        return labels.group_label(value)
    return str(value)
