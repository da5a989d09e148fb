"""The demo's story: a Vietnamese omnichannel retailer, two years of history.

The calendar and the dated events of the scenario live here (with the scales); who the
customers are, how they buy and what they say live in ``data.people``,
``data.events`` and ``data.feedback``. The story people should find when they browse it:

- a funnel ``visit -> signup -> cart -> purchase -> repeat_purchase`` whose conversion
  depends on the acquisition channel (Referral and Store convert best, Cold call and
  TikTok worst) and the segment (VIP best);
- purchase amounts in VND, log-normal, by segment (Consumer ~420k, VIP ~1.6M, SMB
  ~2.2M, Enterprise ~9.5M median), a little higher before Tết;
- weekly (weekend) and yearly seasonality: a spike in the weeks before Tết, a dip
  during the holiday, 9.9 / 10.10 / 11.11 / 12.12 and Black Friday sales, growth;
- each touchpoint with its own satisfaction by segment (Store best, Call center
  worst; VIPs happier in Store and Support; SMBs unhappy with Billing); the Mobile
  app improves after its redesign (``APP_RELEASE``);
- one incident: a delivery-partner failure between ``INCIDENT_START`` and
  ``INCIDENT_END`` (six weeks) that drags Delivery CSAT and NPS down, raises
  detractors and call-center contacts;
- a latent satisfaction per customer that drives both their scores and how often
  they buy again, so detractors repeat-purchase less than promoters.

Times are naive local time (Vietnam, UTC+7): shoppers peak at lunch and in the
evening.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
import polars as pl

# -- the calendar ------------------------------------------------------------------

HISTORY_START = datetime(2024, 11, 1)
HISTORY_END = datetime(2026, 11, 1)  # exclusive: history ends on 2026-10-31
DAYS = (HISTORY_END - HISTORY_START).days
DAY = 86_400
YEAR = 365.25 * DAY

# The delivery-partner failure: six weeks, Monday 2026-06-01 to Sunday 2026-07-12.
INCIDENT_START = datetime(2026, 6, 1)
INCIDENT_END = datetime(2026, 7, 13)  # exclusive
# The redesigned Mobile app ships; its satisfaction steps up from here.
APP_RELEASE = datetime(2025, 9, 15)
TET = (date(2025, 1, 29), date(2026, 2, 17))  # first day of the lunar new year


@dataclass(frozen=True)
class Scale:
    """How much data: small and medium share every rate, so tests see the demo's shape;
    large has fewer browse visits and surveys per customer (~10 events, ~2 responses)."""

    customers: int
    chunk: int  # customers generated (and held in memory) at once
    browse_per_year: float  # visits outside purchase sessions, per customer-year
    survey_rate: float  # multiplies every survey invitation's response probability


SCALES = {
    "small": Scale(customers=2_000, chunk=2_000, browse_per_year=11.5, survey_rate=2.15),
    "medium": Scale(customers=20_000, chunk=20_000, browse_per_year=11.5, survey_rate=2.15),
    "large": Scale(customers=1_000_000, chunk=50_000, browse_per_year=4.0, survey_rate=1.7),
    # 10x large (~100M events, ~20M responses), drawn in the same 50k-customer chunks: the
    # memory of one chunk (and one waiting) does not grow with the number of customers.
    "xlarge": Scale(customers=10_000_000, chunk=50_000, browse_per_year=4.0, survey_rate=1.7),
}


def timestamps(seconds: np.ndarray) -> pl.Series:
    base = int((HISTORY_START - datetime(1970, 1, 1)).total_seconds())
    return pl.Series((seconds.astype(np.int64) + base) * 1_000_000).cast(pl.Datetime("us"))


def seconds_into_history(moment: datetime) -> int:
    return int((moment - HISTORY_START).total_seconds())


class Calendar:
    """Day weights (trend, weekday, year, Tết, sales) and times drawn from them.

    Times are whole seconds since HISTORY_START.
    """

    WEEKDAY = np.array([0.92, 0.90, 0.93, 0.97, 1.05, 1.15, 1.13])  # Monday first
    # fmt: off
    HOUR = np.array([0.8, 0.4, 0.2, 0.15, 0.15, 0.3, 0.8, 1.6, 2.6, 3.4, 4.0, 4.5, 4.8, 4.2,
                     3.6, 3.4, 3.5, 3.8, 4.3, 5.2, 6.0, 6.0, 4.6, 2.4])  # evenings peak
    # fmt: on

    def __init__(self) -> None:
        days = [HISTORY_START.date() + timedelta(days=d) for d in range(DAYS)]
        weights = np.array([self._weight(i, d) for i, d in enumerate(days)])
        self.cdf = np.cumsum(weights) / weights.sum()
        self.cdf[-1] = 1.0
        self.pre_tet = np.array([self._tet_offset(d) in range(-24, 0) for d in days])
        self.tet_rush = np.array([self._tet_offset(d) in range(-10, 9) for d in days])
        self.hour_cdf = np.cumsum(self.HOUR) / self.HOUR.sum()

    @staticmethod
    def _tet_offset(day: date) -> int:
        """Days since the nearest Tết (negative before it)."""
        return min(((day - t).days for t in TET), key=abs)

    def _weight(self, index: int, day: date) -> float:
        weight = self.WEEKDAY[day.weekday()] * (1 + 0.35 * index / DAYS)  # weekly, growth
        weight *= 1 + 0.08 * np.cos(2 * np.pi * (day.timetuple().tm_yday - 15) / 365.25)
        offset = self._tet_offset(day)
        if -24 <= offset < 0:  # shopping for Tết, peaking a week before
            weight *= 1 + 0.8 * max(0.0, 1 - abs(offset + 8) / 16)
        elif 0 <= offset <= 5:  # the holiday itself: shops closed, families at home
            weight *= 0.4
        elif 6 <= offset <= 10:
            weight *= 0.8
        if (day.month, day.day) in {(9, 9), (10, 10), (11, 11), (12, 12)}:
            weight *= 1.7
        if day in (date(2024, 11, 29), date(2025, 11, 28)):  # Black Friday
            weight *= 1.4
        return weight

    def intraday(self, rng: np.random.Generator, n: int) -> np.ndarray:
        hours = np.searchsorted(self.hour_cdf, rng.random(n), side="right").clip(max=23)
        return hours * 3600 + rng.integers(0, 3600, n)

    def after(
        self, rng: np.random.Generator, lower: np.ndarray | None, n: int, *, within_days=DAYS
    ):
        """Seasonal times on a day after ``lower``'s day (any day if None).

        ``within_days`` limits times without a lower bound to the first days of the
        history. Returns (seconds, valid): invalid ones would fall after its end.
        """
        if lower is None:
            low, high = np.zeros(n), self.cdf[within_days - 1]
        else:
            low, high = self.cdf[(lower // DAY).astype(np.int64)], 1.0
        u = low + (high - low) * rng.random(n)
        days = np.searchsorted(self.cdf, u, side="right")
        valid = days < DAYS
        return np.minimum(days, DAYS - 1) * DAY + self.intraday(rng, n), valid

    def day_of(self, seconds: np.ndarray) -> np.ndarray:
        return np.clip(seconds // DAY, 0, DAYS - 1).astype(np.int64)
