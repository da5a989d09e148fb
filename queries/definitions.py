"""The numbers DESIGN.md's metric definitions fix, defined once for every layer.

Score bands and ranges, the top-2-box cut-off of CSAT, and the defaults of the minimum
sample, the privacy threshold and the funnel's conversion window. The SQL statements,
the statistics, the charts, the imports' validation and the settings all read them here.
"""

from __future__ import annotations

import datetime as dt

SCORE_RANGES = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}  # valid values, inclusive

# NPS: promoters 9-10, passives 7-8, detractors 0-6 (skipped answers are in no band).
NPS_BANDS = {"detractor": (0, 6), "passive": (7, 8), "promoter": (9, 10)}
PROMOTER_MIN = NPS_BANDS["promoter"][0]
DETRACTOR_MAX = NPS_BANDS["detractor"][1]

CSAT_SATISFIED_MIN = 4  # CSAT is the share of answers scoring 4 or 5 (top-2-box)

DEFAULT_MIN_N = 30  # fewer scored responses: flagged low_n, drawn grey
DEFAULT_PRIVACY_N = 5  # fewer scored responses: the score is hidden
DEFAULT_WINDOW_DAYS = 30  # funnel conversion window, counted from entry

# The days cxdash works with, both included. Imports reject timestamps outside them,
# `cxdash query/export --from/--to` refuse them and a URL asking for them falls back to
# the default period: far enough either side of any customer-experience data, close
# enough that a typo (0001-01-01, 9999-12-31) neither stretches "All time" over
# centuries nor overflows date arithmetic (the day after 9999-12-31 does not exist).
EARLIEST_DATE = dt.date(2000, 1, 1)
LATEST_DATE = dt.date(2100, 12, 31)


def date_in_range(day: dt.date) -> bool:
    """Whether ``day`` lies within ``EARLIEST_DATE``..``LATEST_DATE``."""
    return EARLIEST_DATE <= day <= LATEST_DATE


def nps_band(score: int | None) -> str | None:
    """'promoter', 'passive', 'detractor', or None for no score."""
    if score is None:
        return None
    return next(band for band, (low, high) in NPS_BANDS.items() if low <= score <= high)
