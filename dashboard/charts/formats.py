"""Number formats for charts, tiles and tables; NPS bands."""

from __future__ import annotations

import datetime as dt
import functools
import math


def _dash_when_missing(fmt):
    """A formatter that shows ``–`` for no value (None or NaN) instead of formatting it."""

    @functools.wraps(fmt)
    def wrapper(value, *args, **kwargs):
        if value is None or _nan(value):
            return "–"
        return fmt(value, *args, **kwargs)

    return wrapper


@_dash_when_missing
def fmt_vnd(value: float | None) -> str:
    """``12,345,678 ₫``; ``–`` for no value."""
    return f"{value:,.0f} ₫"


@_dash_when_missing
def fmt_vnd_short(value: float | None) -> str:
    """Compact VND for tiles: ``1.2 bn ₫``, ``345.6 M ₫``, ``12,345 ₫``."""
    for size, unit in ((1e12, "tn"), (1e9, "bn"), (1e6, "M")):
        if abs(value) >= size:
            return f"{value / size:,.1f} {unit} ₫"
    return fmt_vnd(value)


@_dash_when_missing
def fmt_pct(value: float | None) -> str:
    """A 0–100 share with one decimal: ``42.5%``."""
    return f"{value:.1f}%"


@_dash_when_missing
def fmt_score(value: float | None, signed: bool = False) -> str:
    """NPS / CES with one decimal (``+12.3`` when ``signed``)."""
    return f"{value:+.1f}" if signed else f"{value:.1f}"


def fmt_p(value: float | None) -> str:
    """A p-value for people: ``p = 0.042``, ``p < 0.001``."""
    if value is None or _nan(value):
        return "p: no test"
    return "p < 0.001" if value < 0.001 else f"p = {value:.3f}"


@_dash_when_missing
def fmt_int(value: float | None) -> str:
    return f"{value:,.0f}"


@_dash_when_missing
def fmt_seconds(value: float | None) -> str:
    """A duration in words: ``45 s``, ``12 min``, ``5.2 h``, ``3.1 days``."""
    if value < 60:
        return f"{value:.0f} s"
    if value < 3600:
        return f"{value / 60:.0f} min"
    if value < 86400:
        return f"{value / 3600:.1f} h"
    return f"{value / 86400:.1f} days"


def _nan(value: float) -> bool:
    return isinstance(value, float) and math.isnan(value)


def _format_metric(metric: str, value: float | None) -> str:
    return fmt_pct(value) if metric == "csat" else fmt_score(value)


def format_time(value: dt.datetime | dt.date | str | None) -> str:
    """A timestamp as people read it: ``2025-03-31 17:05 UTC`` (UTC only when known)."""
    if value is None:
        return "unknown"
    if isinstance(value, str):
        return value
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC)
            return value.strftime("%Y-%m-%d %H:%M UTC")
        return value.strftime("%Y-%m-%d %H:%M")
    return value.isoformat()
