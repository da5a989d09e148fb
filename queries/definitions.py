"""The numbers DESIGN.md's metric definitions fix, defined once for every layer.

Score bands and ranges, the top-2-box cut-off of CSAT, and the defaults of the minimum
sample, the privacy threshold and the funnel's conversion window. The SQL statements,
the statistics, the charts, the imports' validation and the settings all read them here.
"""

from __future__ import annotations

SCORE_RANGES = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}  # valid values, inclusive

# NPS: promoters 9-10, passives 7-8, detractors 0-6 (skipped answers are in no band).
NPS_BANDS = {"detractor": (0, 6), "passive": (7, 8), "promoter": (9, 10)}
PROMOTER_MIN = NPS_BANDS["promoter"][0]
DETRACTOR_MAX = NPS_BANDS["detractor"][1]

CSAT_SATISFIED_MIN = 4  # CSAT is the share of answers scoring 4 or 5 (top-2-box)

DEFAULT_MIN_N = 30  # fewer scored responses: flagged low_n, drawn grey
DEFAULT_PRIVACY_N = 5  # fewer scored responses: the score is hidden
DEFAULT_WINDOW_DAYS = 30  # funnel conversion window, counted from entry


def nps_band(score: int | None) -> str | None:
    """'promoter', 'passive', 'detractor', or None for no score."""
    if score is None:
        return None
    return next(band for band, (low, high) in NPS_BANDS.items() if low <= score <= high)
