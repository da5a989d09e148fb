"""Number formats for charts, tiles and tables: the locale formatters of
:mod:`dashboard.i18n.formats` (one implementation, in the current language), and the few
compositions the charts share."""

from __future__ import annotations

import datetime as dt
import math

from dashboard.i18n import _
from dashboard.i18n.formats import (
    MISSING,
    fmt_date,
    fmt_datetime,
    fmt_int,
    fmt_month,
    fmt_number,
    fmt_p,
    fmt_pct,
    fmt_score,
    fmt_seconds,
    fmt_vnd,
    fmt_vnd_short,
)

__all__ = [
    "MISSING",
    "fmt_date",
    "fmt_datetime",
    "fmt_int",
    "fmt_month",
    "fmt_number",
    "fmt_p",
    "fmt_pct",
    "fmt_score",
    "fmt_seconds",
    "fmt_vnd",
    "fmt_vnd_short",
    "fmt_test",
    "format_time",
    "COLUMN_FORMATS",
    "format_column",
]


def _format_metric(metric: str, value: float | None) -> str:
    return fmt_pct(value) if metric in ("csat", "negative") else fmt_score(value)


def fmt_test(p: float | None) -> str:
    """A p-value for people, or "p: no test" where no test was possible."""
    missing = p is None or (isinstance(p, float) and math.isnan(p))
    return _("p: no test") if missing else fmt_p(p)


def format_time(value: dt.datetime | dt.date | str | None) -> str:
    """A timestamp as people read it: ``2025-03-31 17:05 UTC`` / ``31/03/2025 17:05 UTC``
    (UTC only when the time zone is known); a day as :func:`fmt_date` writes it."""
    if value is None:
        return _("unknown")
    if isinstance(value, str):
        return value
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            return fmt_datetime(value.astimezone(dt.UTC)) + " UTC"
        return fmt_datetime(value)
    return fmt_date(value)


# How a column of the product's tables is written for people, wherever a table is drawn
# outside Streamlit (report packs, chart exports): counts whole with thousands marks,
# money in đồng, shares as percentages -- as the app writes them. A float column of
# counts (a sum from the store) is still a count: ``2.480``, never ``2.480,0``.
COUNT_COLUMNS = (
    "customers", "orders", "purchasers", "responses", "n", "n_nps", "promoters", "passives",
    "detractors", "dropoff", "rows", "rows_read", "rows_inserted", "rows_updated",
)  # fmt: skip
COLUMN_FORMATS = {
    **dict.fromkeys(COUNT_COLUMNS, fmt_int),
    "revenue": fmt_vnd_short,
    "aov": fmt_vnd,
    "repeat_rate": fmt_pct,
    "csat": fmt_pct,
    "conversion_from_previous": fmt_pct,
    "conversion_overall": fmt_pct,
    "nps": fmt_score,
    "moe": fmt_score,
    "ces": lambda value: fmt_number(value, 2),
    "median_seconds_from_previous": fmt_seconds,
}


def format_column(column: str, value: object) -> str | None:
    """``value`` of ``column`` as the app writes it, or None when the column has no
    declared format (the caller then writes it by its type)."""
    fmt = COLUMN_FORMATS.get(column)
    if fmt is None or isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and math.isnan(value):
        return MISSING
    return fmt(value)
