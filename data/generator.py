"""Deterministic demo data: a Vietnamese omnichannel retailer, two years of history.

``generate(engine, scale, seed)`` fills the five tables of the store; the same seed
always gives the same rows. The story people should find when they browse it:

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
evening. Randomness comes from numpy's seeded ``Generator``, one stream per chunk of
customers (``SeedSequence(seed).spawn``), so memory stays bounded at any scale and
the same seed gives the same rows (numpy does not promise identical streams across
its own releases). Ids are stable strings:
customers ``C0000001``, events ``E0000000001``, responses ``R000000001``.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

import numpy as np
import polars as pl
import sqlalchemy as sa

from dashboard import db, rollup_store
from data import vocab
from queries import schema

Progress = Callable[[str, float], None]

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

# -- who the customers are ---------------------------------------------------------


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
}

SEGMENTS = ("Consumer", "SMB", "Enterprise", "VIP")
SEGMENT_SHARE = (0.78, 0.13, 0.03, 0.06)
ACQUISITION = ("Website", "Facebook", "Zalo", "TikTok", "Email", "Referral", "Store", "Cold call")
# Acquisition channel mix per segment (rows follow SEGMENTS): businesses come through
# cold calls and referrals, young consumers through TikTok and Facebook.
ACQUISITION_BY_SEGMENT = np.array(
    [
        [0.23, 0.21, 0.14, 0.14, 0.05, 0.08, 0.13, 0.02],
        [0.22, 0.12, 0.14, 0.03, 0.12, 0.12, 0.10, 0.15],
        [0.20, 0.05, 0.08, 0.00, 0.15, 0.17, 0.05, 0.30],
        [0.18, 0.10, 0.15, 0.05, 0.10, 0.17, 0.23, 0.02],
    ]
)
AGE_BANDS = ("18-24", "25-34", "35-44", "45-54", "55+")
AGE_BY_ACQUISITION = np.array(
    [
        [0.18, 0.36, 0.24, 0.14, 0.08],
        [0.22, 0.38, 0.22, 0.12, 0.06],
        [0.10, 0.30, 0.28, 0.20, 0.12],
        [0.45, 0.38, 0.11, 0.04, 0.02],
        [0.08, 0.30, 0.30, 0.20, 0.12],
        [0.15, 0.35, 0.27, 0.15, 0.08],
        [0.10, 0.25, 0.27, 0.22, 0.16],
        [0.04, 0.22, 0.34, 0.25, 0.15],
    ]
)
GENDERS = ("Female", "Male", "Other")
GENDER_SHARE = (0.56, 0.43, 0.01)
INCOME_BANDS = ("Under 10M", "10-20M", "20-40M", "40M+")  # VND per month
INCOME_BY_SEGMENT = np.array(
    [
        [0.35, 0.37, 0.20, 0.08],
        [0.12, 0.30, 0.35, 0.23],
        [0.05, 0.20, 0.35, 0.40],
        [0.03, 0.12, 0.35, 0.50],
    ]
)
# Share of customers whose CRM record lacks the value (shown as '(unknown)').
MISSING_SHARE = {
    "channel": 0.007,
    "region": 0.015,
    "age_band": 0.02,
    "gender": 0.02,
    "income_band": 0.07,
}

# -- how they move through the funnel ----------------------------------------------

STAGES = ("visit", "signup", "cart", "purchase", "repeat_purchase")
VISIT, SIGNUP, CART, PURCHASE, REPEAT = range(5)
# Log-odds of signup | visit, first cart | signup, first purchase | cart.
FUNNEL_BASE = np.array([0.45, 1.0, 0.6])
FUNNEL_BY_ACQUISITION = np.array(
    [
        [0.0, 0.0, 0.0],  # Website
        [-0.3, -0.1, -0.2],  # Facebook
        [0.3, 0.1, 0.2],  # Zalo
        [-0.6, 0.1, -0.4],  # TikTok: curious visitors, impulsive carts
        [0.4, 0.2, 0.3],  # Email
        [0.8, 0.3, 0.5],  # Referral
        [1.2, 0.4, 0.8],  # Store: already in the shop
        [-0.9, -0.4, -0.5],  # Cold call
    ]
)
FUNNEL_BY_SEGMENT = np.array([[0.0, 0.0, 0.0], [0.2, 0.1, 0.2], [0.4, 0.0, 0.5], [1.5, 0.8, 1.2]])
# Typical time between the funnel's first steps: (median seconds, log-normal sigma).
GAP_SIGNUP = (20 * 60, 1.8)  # minutes, sometimes days
GAP_CART = (5 * 3600, 1.6)
GAP_PURCHASE = (40 * 60, 1.8)
GAP_SESSION = (8 * 60, 1.0)  # visit -> cart, cart -> order inside one session
# Orders after the first, per year, by segment; scaled by exp(0.45 * satisfaction).
REPEAT_PER_YEAR = np.array([4.0, 7.0, 9.0, 13.0])
ABANDONED_CARTS_PER_YEAR = 1.5
# Customers lapse: their visits and orders fade with this half-life after they start.
LAPSE_HALF_LIFE_YEARS = 1.0
# The retailer's existing customers enter the CRM during its first weeks.
EXISTING_BASE_SHARE = 0.15
EXISTING_BASE_DAYS = 60
# Purchase amounts in VND: log-normal median and sigma by segment.
AMOUNT_MEDIAN = np.array([420_000, 2_200_000, 9_500_000, 1_600_000])
AMOUNT_SIGMA = np.array([0.75, 0.85, 0.9, 0.7])
TET_SPENDING = 1.25
MIN_ORDER, MAX_ORDER = 20_000.0, 120_000_000.0

# Channels where events happen; the first visit comes through the acquisition channel.
EVENT_CHANNELS = (
    "Website",
    "Mobile app",
    "Store",
    "Facebook",
    "Zalo",
    "TikTok",
    "Email",
    "Call center",
)
FIRST_VISIT_CHANNEL = np.array([0, 3, 4, 5, 6, 0, 2, 7])  # per ACQUISITION
# Where a customer usually shops, by acquisition channel (columns: EVENT_CHANNELS).
HOME_CHANNEL = np.array(
    [
        [0.55, 0.25, 0.10, 0.02, 0.04, 0.00, 0.0, 0.04],
        [0.25, 0.30, 0.05, 0.30, 0.08, 0.00, 0.0, 0.02],
        [0.15, 0.30, 0.10, 0.03, 0.40, 0.00, 0.0, 0.02],
        [0.10, 0.40, 0.03, 0.02, 0.02, 0.43, 0.0, 0.00],
        [0.50, 0.35, 0.08, 0.00, 0.03, 0.00, 0.0, 0.04],
        [0.35, 0.35, 0.20, 0.02, 0.06, 0.00, 0.0, 0.02],
        [0.08, 0.15, 0.70, 0.00, 0.05, 0.00, 0.0, 0.02],
        [0.35, 0.10, 0.10, 0.00, 0.10, 0.00, 0.0, 0.35],
    ]
)
AWAY_CHANNEL = np.array([0.40, 0.35, 0.25, 0, 0, 0, 0, 0])  # when not shopping at home
HOME_SHARE = 0.75

# -- what they say -----------------------------------------------------------------

TOUCHPOINTS = ("Website", "Mobile app", "Store", "Call center", "Delivery", "Billing", "Support")
WEBSITE, APP, STORE_TP, CALL_CENTER, DELIVERY, BILLING, SUPPORT = range(7)
TARGETS = {  # touchpoint: (target_csat top-2-box %, target_nps)
    "Website": (85.0, 40.0),
    "Mobile app": (85.0, 45.0),
    "Store": (88.0, 50.0),
    "Call center": (80.0, 25.0),
    "Delivery": (85.0, 35.0),
    "Billing": (88.0, 40.0),
    "Support": (80.0, 30.0),
}
# Latent satisfaction per touchpoint and its shift by segment (rows: SEGMENTS).
TOUCHPOINT_LEVEL = np.array([0.15, -0.05, 0.35, -0.35, 0.15, 0.05, -0.2])
SEGMENT_TOUCHPOINT = np.array(
    [
        [0.0, 0.0, 0.0, -0.05, 0.0, 0.0, 0.0],
        [0.0, 0.0, 0.0, 0.0, -0.1, -0.35, 0.1],
        [0.0, 0.0, -0.2, 0.2, -0.3, -0.2, 0.3],
        [0.1, 0.1, 0.35, 0.3, 0.1, 0.0, 0.3],
    ]
)
SEGMENT_SATISFACTION = np.array([0.0, -0.05, -0.1, 0.25])
INCIDENT_DELIVERY_EFFECT = -1.4
INCIDENT_CONTACT_EFFECT = -0.25  # overloaded call center and support
TET_DELIVERY_EFFECT = -0.35
APP_RELEASE_EFFECT = 0.35
# Order channel -> the touchpoint its post-purchase survey asks about.
ORDER_TOUCHPOINT = np.array([WEBSITE, APP, STORE_TP, WEBSITE, APP, APP, WEBSITE, CALL_CENTER])
SURVEY_CHANNELS = ("Email", "SMS", "Zalo", "In-app", "Web")
SURVEY_CHANNEL_BY_TOUCHPOINT = np.array(
    [
        [0.30, 0.00, 0.10, 0.00, 0.60],
        [0.05, 0.00, 0.10, 0.85, 0.00],
        [0.05, 0.45, 0.35, 0.00, 0.15],
        [0.10, 0.60, 0.30, 0.00, 0.00],
        [0.15, 0.40, 0.40, 0.05, 0.00],
        [0.70, 0.15, 0.15, 0.00, 0.00],
        [0.40, 0.15, 0.45, 0.00, 0.00],
    ]
)
# Response probabilities per invitation (times Scale.survey_rate).
P_ORDER_SURVEY = 0.30
P_DELIVERY_SURVEY = 0.35
P_BILLING_SURVEY = 0.08
P_CONTACT = 0.06  # an order leads to a support contact ...
P_CONTACT_INCIDENT = 0.30  # ... far more often when its delivery is stuck
P_CONTACT_SURVEY = 0.6
P_INTERCEPT = 0.05  # a browse visit gets an on-site survey answered
P_ONBOARDING = 0.08
ANONYMOUS_SHARE = 0.08  # extra intercept responses with no known customer
P_NPS_SKIPPED = 0.12
P_CSAT_ASKED = 0.85
P_CES_ASKED = np.array([0.3, 0.3, 0.3, 0.75, 0.3, 0.75, 0.75])
LANGUAGES = ("vi", "en")

_STAGE_SERIES = pl.Series(STAGES)


# -- small helpers -----------------------------------------------------------------


def _pick(rng: np.random.Generator, n: int, weights) -> np.ndarray:
    cdf = np.cumsum(np.asarray(weights, dtype=float))
    return np.searchsorted(cdf / cdf[-1], rng.random(n), side="right").clip(max=len(cdf) - 1)


def _pick_by(rng: np.random.Generator, rows: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """One draw per element of ``rows`` from that row of a probability ``matrix``."""
    cdf = np.cumsum(matrix / matrix.sum(axis=1, keepdims=True), axis=1)
    u = rng.random(len(rows))
    picked = np.zeros(len(rows), dtype=np.int64)
    for j in range(matrix.shape[1] - 1):  # few columns, many rows: stay vectorised
        picked += u >= cdf[rows, j]
    return picked


def _with_missing(rng: np.random.Generator, codes: np.ndarray, share: float) -> np.ndarray:
    return np.where(rng.random(len(codes)) < share, -1, codes)


def _labels(names, codes: np.ndarray) -> pl.Series:
    """Codes -> labels; code -1 -> null."""
    table = pl.Series([*names, None], dtype=pl.String)
    return table.gather(np.where(codes < 0, len(names), codes))


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _lognormal(rng: np.random.Generator, n: int, median: float, sigma: float) -> np.ndarray:
    return median * np.exp(sigma * rng.standard_normal(n))


def _timestamps(seconds: np.ndarray) -> pl.Series:
    base = int((HISTORY_START - datetime(1970, 1, 1)).total_seconds())
    return pl.Series((seconds.astype(np.int64) + base) * 1_000_000).cast(pl.Datetime("us"))


def _seconds(moment: datetime) -> int:
    return int((moment - HISTORY_START).total_seconds())


class _Calendar:
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


# -- one chunk of customers --------------------------------------------------------


@dataclass
class _People:
    n: int
    ids: pl.Series
    segment: np.ndarray
    acquisition: np.ndarray
    home: np.ndarray
    satisfaction: np.ndarray
    english: np.ndarray
    frame: pl.DataFrame | None = None


def _people(rng: np.random.Generator, first: int, n: int) -> _People:
    segment = _pick(rng, n, SEGMENT_SHARE)
    acquisition = _pick_by(rng, segment, ACQUISITION_BY_SEGMENT)
    region = _pick(rng, n, list(vocab.REGIONS.values()))
    age = _pick_by(rng, acquisition, AGE_BY_ACQUISITION)
    gender = _pick(rng, n, GENDER_SHARE)
    income = _pick_by(rng, segment, INCOME_BY_SEGMENT)
    ids = pl.Series(np.arange(first + 1, first + n + 1)).cast(pl.String).str.zfill(7)
    ids = ("C" + ids).alias("customer_id")
    region_names = list(vocab.REGIONS)
    big_city = np.isin(region, [region_names.index(c) for c in vocab.BIG_CITIES])
    english = rng.random(n) < 0.05 + 0.07 * big_city + 0.2 * (segment == 2)
    frame = pl.DataFrame(
        {
            "customer_id": ids,
            "segment": _labels(SEGMENTS, segment),
            "region": _labels(region_names, _with_missing(rng, region, MISSING_SHARE["region"])),
            "channel": _labels(
                ACQUISITION, _with_missing(rng, acquisition, MISSING_SHARE["channel"])
            ),
            "age_band": _labels(AGE_BANDS, _with_missing(rng, age, MISSING_SHARE["age_band"])),
            "gender": _labels(GENDERS, _with_missing(rng, gender, MISSING_SHARE["gender"])),
            "income_band": _labels(
                INCOME_BANDS, _with_missing(rng, income, MISSING_SHARE["income_band"])
            ),
        }
    )
    frame = frame.with_columns(_contacts(rng, gender))
    return _People(
        n=n,
        ids=ids,
        segment=segment,
        acquisition=acquisition,
        home=_pick_by(rng, acquisition, HOME_CHANNEL),
        satisfaction=SEGMENT_SATISFACTION[segment] + rng.standard_normal(n),
        english=english,
        frame=frame,
    )


def _contacts(rng: np.random.Generator, gender: np.ndarray) -> list[pl.Series]:
    """Name, e-mail and phone: Vietnamese names in family-middle-given order."""
    n = len(gender)
    family_names = list(vocab.FAMILY_NAMES)
    family = _pick(rng, n, list(vocab.FAMILY_NAMES.values()))
    # 'Other' gender: names drawn from either list.
    female = np.where(gender == 2, rng.random(n) < 0.5, gender == 0)
    parts = {"family": _labels(family_names, family)}
    ascii_parts = {"family": _labels([vocab.ascii_fold(f) for f in family_names], family)}
    for part, lists in (("middle", vocab.MIDDLE_NAMES), ("given", vocab.GIVEN_NAMES)):
        female_pick = rng.integers(0, len(lists["Female"]), n)
        male_pick = rng.integers(0, len(lists["Male"]), n)
        names = [*lists["Female"], *lists["Male"]]
        codes = np.where(female, female_pick, len(lists["Female"]) + male_pick)
        parts[part] = _labels(names, codes)
        ascii_parts[part] = _labels([vocab.ascii_fold(x) for x in names], codes)
    frame = pl.DataFrame(
        {
            **parts,
            "given_ascii": ascii_parts["given"],
            "family_ascii": ascii_parts["family"],
            "number": pl.Series(rng.integers(1, 2000, n)).cast(pl.String),
            "with_number": rng.random(n) < 0.8,
            "domain": _labels(
                list(vocab.EMAIL_DOMAINS), _pick(rng, n, [*vocab.EMAIL_DOMAINS.values()])
            ),
            "has_email": rng.random(n) >= 0.1,
            "prefix": _labels(vocab.PHONE_PREFIXES, rng.integers(0, len(vocab.PHONE_PREFIXES), n)),
            "line": pl.Series(rng.integers(0, 10_000_000, n)).cast(pl.String).str.zfill(7),
            "has_phone": rng.random(n) >= 0.05,
        }
    )
    out = frame.select(
        pl.concat_str("family", "middle", "given", separator=" ").alias("name"),
        pl.when("has_email")
        .then(
            pl.concat_str(
                "given_ascii",
                pl.lit("."),
                "family_ascii",
                pl.when("with_number").then("number").otherwise(pl.lit("")),
                pl.lit("@"),
                "domain",
            )
        )
        .alias("email"),
        pl.when("has_phone").then(pl.concat_str("prefix", "line")).alias("phone"),
    )
    return [out["name"], out["email"], out["phone"]]


@dataclass
class _Events:
    customer: np.ndarray  # index into the chunk's people
    stage: np.ndarray
    at: np.ndarray  # seconds since HISTORY_START
    channel: np.ndarray
    amount: np.ndarray  # NaN when not a transaction


_EVENT_FIELDS = ("customer", "stage", "at", "channel", "amount")


def _concat(parts: list[_Events]) -> _Events:
    return _Events(*(np.concatenate([getattr(p, f) for p in parts]) for f in _EVENT_FIELDS))


def _sessions(
    rng: np.random.Generator, people: _People, customer: np.ndarray, at: np.ndarray, stage: int
) -> tuple[_Events, np.ndarray]:
    """Visit -> (cart ->) ``stage`` sessions ending at ``at``; returns events, channels."""
    n = len(customer)
    home = rng.random(n) < HOME_SHARE
    channel = np.where(home, people.home[customer], _pick(rng, n, AWAY_CHANNEL))
    cart_at = at - _lognormal(rng, n, *GAP_SESSION).astype(np.int64) - 1
    visit_at = cart_at - _lognormal(rng, n, *GAP_SESSION).astype(np.int64) - 1
    if stage == CART:  # an abandoned cart: visit, cart, nothing else
        stamps, stages = [visit_at, at], [VISIT, CART]
    else:
        stamps, stages = [visit_at, cart_at, at], [VISIT, CART, stage]
    parts = [
        _Events(customer, np.full(n, s), t, channel, np.full(n, np.nan))
        for s, t in zip(stages, stamps, strict=True)
    ]
    return _concat(parts), channel


def _amounts(rng: np.random.Generator, cal: _Calendar, segment: np.ndarray, at: np.ndarray):
    raw = AMOUNT_MEDIAN[segment] * np.exp(AMOUNT_SIGMA[segment] * rng.standard_normal(len(at)))
    raw = raw * np.where(cal.pre_tet[cal.day_of(at)], TET_SPENDING, 1.0)
    # Prices end in thousands of đồng; bigger orders go through a quote, not the shop.
    return np.clip(np.round(raw, -3), MIN_ORDER, MAX_ORDER)


def _recurring(
    rng: np.random.Generator, cal: _Calendar, who: np.ndarray, since: np.ndarray, per_year
) -> tuple[np.ndarray, np.ndarray]:
    """Repeated seasonal moments after ``since`` for each of ``who``: (who, when) pairs.

    ``per_year`` is the rate of a fresh customer; it fades as customers lapse
    (half-life ``LAPSE_HALF_LIFE_YEARS``), which keeps activity from piling up.
    """
    candidates = rng.poisson(per_year * (DAYS * DAY - since) / YEAR)
    customer, lower = np.repeat(who, candidates), np.repeat(since, candidates)
    at, valid = cal.after(rng, lower, len(customer))
    fade = np.exp2(-(at - lower) / (LAPSE_HALF_LIFE_YEARS * YEAR))
    keep = valid & (rng.random(len(customer)) < fade)
    return customer[keep], at[keep]


@dataclass
class _Orders:
    customer: np.ndarray
    at: np.ndarray
    channel: np.ndarray


@dataclass
class _History:
    """What a chunk of customers did: all events, plus the moments surveys follow."""

    events: _Events
    orders: _Orders
    signups: tuple[np.ndarray, np.ndarray]  # (customer, signed up at)
    browsing: tuple[np.ndarray, np.ndarray, np.ndarray]  # (customer, visited at, channel)


def _step(who: np.ndarray, stage: int, at: np.ndarray, channel: np.ndarray, amount=None):
    amount = np.full(len(who), np.nan) if amount is None else amount
    return _Events(who, np.full(len(who), stage), at, channel, amount)


def _first_steps(rng: np.random.Generator, cal: _Calendar, people: _People):
    """Each customer's first visit and, if they get that far, signup, cart and purchase.

    Returns the events, then per customer: first visit, whether and when they signed
    up, whether and when they bought.
    """
    n, horizon = people.n, DAYS * DAY
    everyone = np.arange(n)
    logits = (
        FUNNEL_BASE + FUNNEL_BY_ACQUISITION[people.acquisition] + FUNNEL_BY_SEGMENT[people.segment]
    )
    p_signup, p_cart, p_buy = _sigmoid(logits).T
    # The store's existing base comes in during the CRM's first weeks, the rest over time.
    existing = rng.random(n) < EXISTING_BASE_SHARE
    first_visit = np.where(
        existing,
        cal.after(rng, None, n, within_days=EXISTING_BASE_DAYS)[0],
        cal.after(rng, None, n)[0],
    )
    signup_at = first_visit + _lognormal(rng, n, *GAP_SIGNUP).astype(np.int64) + 1
    signed = (rng.random(n) < p_signup) & (signup_at < horizon)
    cart_at = signup_at + _lognormal(rng, n, *GAP_CART).astype(np.int64) + 1
    carted = signed & (rng.random(n) < p_cart) & (cart_at < horizon)
    bought_at = cart_at + _lognormal(rng, n, *GAP_PURCHASE).astype(np.int64) + 1
    bought = carted & (rng.random(n) < p_buy) & (bought_at < horizon)

    # People sign up where they usually shop, or on the web / in the app.
    signup_channel = np.where(
        np.isin(people.home, [0, 1, 2, 4]), people.home, rng.integers(0, 2, n)
    )
    buyers = everyone[bought]
    events = [
        _step(everyone, VISIT, first_visit, FIRST_VISIT_CHANNEL[people.acquisition]),
        _step(everyone[signed], SIGNUP, signup_at[signed], signup_channel[signed]),
        _step(everyone[carted], CART, cart_at[carted], people.home[carted]),
        _step(
            buyers,
            PURCHASE,
            bought_at[bought],
            people.home[buyers],
            _amounts(rng, cal, people.segment[buyers], bought_at[bought]),
        ),
    ]
    return events, first_visit, signed, signup_at, bought, bought_at


def _funnel(rng: np.random.Generator, cal: _Calendar, people: _People, spec: Scale) -> _History:
    """Every customer's events, in funnel order, and the moments surveys follow."""
    everyone = np.arange(people.n)
    parts, first_visit, signed, signup_at, bought, bought_at = _first_steps(rng, cal, people)
    buyers = everyone[bought]

    # Repeat orders: happier customers churn less and come back more often.
    s = people.satisfaction[buyers]
    churned = rng.random(len(buyers)) < _sigmoid(-0.3 - 1.2 * s)
    rate = np.where(churned, 0.0, REPEAT_PER_YEAR[people.segment[buyers]] * np.exp(0.45 * s))
    repeat_customer, repeat_at = _recurring(rng, cal, buyers, bought_at[bought], rate)
    repeat_events, repeat_channel = _sessions(rng, people, repeat_customer, repeat_at, REPEAT)
    is_order = repeat_events.stage == REPEAT
    repeat_events.amount[is_order] = _amounts(
        rng, cal, people.segment[repeat_events.customer[is_order]], repeat_events.at[is_order]
    )
    parts.append(repeat_events)

    # Abandoned carts after signing up, and browse visits after the first visit.
    cart_customer, abandoned_at = _recurring(
        rng, cal, everyone[signed], signup_at[signed], ABANDONED_CARTS_PER_YEAR
    )
    parts.append(_sessions(rng, people, cart_customer, abandoned_at, CART)[0])
    visitor, browse_at = _recurring(rng, cal, everyone, first_visit, spec.browse_per_year)
    browse_channel = np.where(
        rng.random(len(visitor)) < HOME_SHARE,
        people.home[visitor],
        _pick(rng, len(visitor), AWAY_CHANNEL),
    )
    parts.append(_step(visitor, VISIT, browse_at, browse_channel))

    people.frame = people.frame.with_columns(
        pl.when(pl.lit(pl.Series(signed))).then(pl.lit(_timestamps(signup_at))).alias("signup_at")
    )
    return _History(
        events=_concat(parts),
        orders=_Orders(
            customer=np.concatenate([buyers, repeat_customer]),
            at=np.concatenate([bought_at[bought], repeat_at]),
            channel=np.concatenate([people.home[buyers], repeat_channel]),
        ),
        signups=(everyone[signed], signup_at[signed]),
        browsing=(visitor, browse_at, browse_channel),
    )


# -- feedback ----------------------------------------------------------------------


@dataclass
class _Responses:
    customer: np.ndarray  # -1 = anonymous
    touchpoint: np.ndarray
    at: np.ndarray


def _invitations(
    rng: np.random.Generator, cal: _Calendar, people: _People, history: _History, spec: Scale
) -> _Responses:
    """Who answered which survey, when: after orders, deliveries, contacts, visits."""
    rate, orders = spec.survey_rate, history.orders
    incident = (_seconds(INCIDENT_START), _seconds(INCIDENT_END))
    parts: list[_Responses] = []

    def add(customer, touchpoint, at) -> None:
        parts.append(_Responses(customer, np.broadcast_to(touchpoint, len(customer)).copy(), at))

    n = len(orders.customer)
    take = rng.random(n) < P_ORDER_SURVEY * rate
    add(
        orders.customer[take],
        ORDER_TOUCHPOINT[orders.channel[take]],
        orders.at[take] + _lognormal(rng, take.sum(), 3 * 3600, 1.0).astype(np.int64),
    )

    shipped = orders.channel != 2  # Store orders are carried home
    stuck = shipped & (orders.at >= incident[0] - 3 * DAY) & (orders.at < incident[1])
    delivered_at = orders.at + _lognormal(rng, n, 1.6 * DAY, 0.5).astype(np.int64)
    delivered_at += np.where(stuck, _lognormal(rng, n, 5 * DAY, 0.4), 0).astype(np.int64)
    take = shipped & (rng.random(n) < P_DELIVERY_SURVEY * rate)
    add(
        orders.customer[take],
        DELIVERY,
        delivered_at[take] + _lognormal(rng, take.sum(), 4 * 3600, 1.0).astype(np.int64),
    )

    take = rng.random(n) < P_BILLING_SURVEY * rate
    add(
        orders.customer[take],
        BILLING,
        orders.at[take] + _lognormal(rng, take.sum(), 2 * DAY, 0.8).astype(np.int64),
    )

    unhappy = people.satisfaction[orders.customer] < -0.8
    p_contact = P_CONTACT + P_CONTACT_INCIDENT * stuck + 0.04 * unhappy
    take = (rng.random(n) < p_contact) & (rng.random(n) < P_CONTACT_SURVEY * rate)
    where = np.where(rng.random(take.sum()) < 0.55, SUPPORT, CALL_CENTER)
    add(
        orders.customer[take],
        where,
        orders.at[take] + _lognormal(rng, take.sum(), 2.5 * DAY, 0.7).astype(np.int64),
    )

    customer, signed_at = history.signups
    take = rng.random(len(customer)) < P_ONBOARDING * rate
    where = np.where(people.home[customer[take]] == 1, APP, WEBSITE)
    add(
        customer[take],
        where,
        signed_at[take] + _lognormal(rng, take.sum(), DAY, 1.0).astype(np.int64),
    )

    customer, visited_at, channel = history.browsing
    take = (rng.random(len(customer)) < P_INTERCEPT * rate) & (channel <= 2)
    add(
        customer[take],
        np.array([WEBSITE, APP, STORE_TP])[channel[take]],
        visited_at[take] + _lognormal(rng, take.sum(), 10 * 60, 0.8).astype(np.int64),
    )

    known = sum(len(p.customer) for p in parts)
    anonymous = int(round(known * ANONYMOUS_SHARE))
    at, _ = cal.after(rng, None, anonymous)
    add(np.full(anonymous, -1), _pick(rng, anonymous, [0.45, 0.30, 0.25]), at)

    out = _Responses(
        *(np.concatenate([getattr(p, f) for p in parts]) for f in ("customer", "touchpoint", "at"))
    )
    keep = out.at < DAYS * DAY
    return _Responses(out.customer[keep], out.touchpoint[keep], out.at[keep])


def _scores(
    rng: np.random.Generator, cal: _Calendar, people: _People, r: _Responses
) -> dict[str, np.ndarray]:
    """NPS, CSAT, CES from the customer's satisfaction, the touchpoint, segment and time."""
    n = len(r.at)
    known = r.customer >= 0
    who = np.where(known, r.customer, 0)
    customer_level = np.where(known, people.satisfaction[who], rng.standard_normal(n))
    segment_shift = np.where(known, SEGMENT_TOUCHPOINT[people.segment[who], r.touchpoint], 0.0)
    in_incident = (r.at >= _seconds(INCIDENT_START)) & (r.at < _seconds(INCIDENT_END))
    effect = np.where(in_incident & (r.touchpoint == DELIVERY), INCIDENT_DELIVERY_EFFECT, 0.0)
    effect += np.where(
        in_incident & np.isin(r.touchpoint, [CALL_CENTER, SUPPORT]), INCIDENT_CONTACT_EFFECT, 0.0
    )
    effect += np.where(
        cal.tet_rush[cal.day_of(r.at)] & (r.touchpoint == DELIVERY), TET_DELIVERY_EFFECT, 0.0
    )
    effect += np.where(
        (r.touchpoint == APP) & (r.at >= _seconds(APP_RELEASE)), APP_RELEASE_EFFECT, 0.0
    )
    x = customer_level + TOUCHPOINT_LEVEL[r.touchpoint] + segment_shift + effect
    x = x + 0.85 * rng.standard_normal(n)

    nps = np.clip(np.rint(7.8 + 1.8 * x + 0.5 * rng.standard_normal(n)), 0, 10)
    y = x + 0.5 * rng.standard_normal(n)
    csat = 1 + (y >= -2.3).astype(int) + (y >= -1.6) + (y >= -0.85) + (y >= 0.55)
    ces = np.clip(np.rint(5.2 + 1.0 * (x + 0.7 * rng.standard_normal(n))), 1, 7)

    has_nps = rng.random(n) >= P_NPS_SKIPPED
    has_csat = rng.random(n) < P_CSAT_ASKED
    has_ces = rng.random(n) < P_CES_ASKED[r.touchpoint]
    has_csat |= ~(has_nps | has_ces)  # a response always carries a score
    return {
        "nps": np.where(has_nps, nps, np.nan),
        "csat": np.where(has_csat, csat, np.nan),
        "ces": np.where(has_ces, ces, np.nan),
        "in_incident": in_incident,
    }


@dataclass(frozen=True)
class _TemplateTable:
    """Texts grouped by a key (e.g. language x touchpoint x tone), drawn vectorised."""

    texts: pl.Series
    offset: np.ndarray  # first text of each group
    count: np.ndarray  # texts in each group

    @classmethod
    def build(cls, groups: dict[tuple[int, ...], list[str]]) -> _TemplateTable:
        shape = tuple(max(key[i] for key in groups) + 1 for i in range(len(next(iter(groups)))))
        offset, count = np.zeros(shape, dtype=np.int64), np.zeros(shape, dtype=np.int64)
        texts: list[str] = []
        for key, options in groups.items():
            offset[key], count[key] = len(texts), len(options)
            texts.extend(options)
        return cls(pl.Series(texts, dtype=pl.String), offset, count)

    def draw(self, rng: np.random.Generator, key: tuple[np.ndarray, ...]) -> np.ndarray:
        """One text index per element of the key arrays, uniform within its group."""
        n = len(key[0])
        return self.offset[key] + (rng.random(n) * self.count[key]).astype(np.int64)


# In the sentence table, the incident's courier complaints sit after the touchpoints.
_COURIER = len(TOUCHPOINTS)


@lru_cache(maxsize=1)
def _templates() -> tuple[_TemplateTable, _TemplateTable]:
    """(comment sentences, closings) from data.vocab, keyed by language, ..., tone."""
    tones = list(enumerate(vocab.TONES))
    sentences, closings = {}, {}
    for li, language in enumerate(LANGUAGES):
        for ti, touchpoint in enumerate(TOUCHPOINTS):
            for oi, tone in tones:
                sentences[li, ti, oi] = vocab.COMMENTS[language][touchpoint][tone]
        sentences[li, _COURIER, 0] = vocab.INCIDENT_COMMENTS[language]
        for oi, tone in tones:
            closings[li, oi] = vocab.CLOSINGS[language][tone]
    return _TemplateTable.build(sentences), _TemplateTable.build(closings)


def _comments(rng: np.random.Generator, scores: dict, r: _Responses, english: np.ndarray):
    """Comment text whose tone follows the scores; None for most responses."""
    n = len(r.at)
    nps, csat, ces = scores["nps"], scores["csat"], scores["ces"]
    tone = np.where(
        ~np.isnan(nps),
        np.digitize(np.nan_to_num(nps), [6.5, 8.5]),
        np.where(
            ~np.isnan(csat),
            np.digitize(np.nan_to_num(csat), [2.5, 3.5]),
            np.digitize(np.nan_to_num(ces), [3.5, 5.5]),
        ),
    )  # 0 negative, 1 neutral, 2 positive
    extreme = (
        (np.nan_to_num(nps, nan=7) <= 4)
        | (np.nan_to_num(nps) == 10)
        | (np.nan_to_num(csat, nan=3) <= 2)
    )
    has_comment = rng.random(n) < 0.22 + 0.2 * extreme
    lang = english.astype(np.int64)
    sentences, closings = _templates()
    # During the incident most angry Delivery comments are about the courier.
    late = scores["in_incident"] & (r.touchpoint == DELIVERY) & (tone == 0) & (rng.random(n) < 0.7)
    main = sentences.draw(rng, (lang, np.where(late, _COURIER, r.touchpoint), tone))
    closing = closings.draw(rng, (lang, tone))
    form = _pick(rng, n, [0.5, 0.3, 0.2])  # sentence; sentence + closing; closing alone
    frame = pl.DataFrame(
        {
            "main": sentences.texts.gather(main),
            "closing": closings.texts.gather(closing),
            "form": form,
            "has": has_comment,
        }
    )
    return frame.select(
        pl.when(~pl.col("has"))
        .then(pl.lit(None, dtype=pl.String))
        .when(pl.col("form") == 0)
        .then("main")
        .when(pl.col("form") == 1)
        .then(pl.concat_str("main", pl.lit(" "), "closing"))
        .otherwise("closing")
        .alias("comment")
    )["comment"]


def _feedback_frame(
    rng: np.random.Generator, cal: _Calendar, people: _People, r: _Responses
) -> pl.DataFrame:
    """A chunk's responses by time (response_id is numbered when written)."""
    n = len(r.at)
    order = np.lexsort((r.customer, r.at))  # ids follow response time
    r = _Responses(r.customer[order], r.touchpoint[order], r.at[order])
    scores = _scores(rng, cal, people, r)
    known = r.customer >= 0
    english = np.where(known, people.english[np.where(known, r.customer, 0)], rng.random(n) < 0.1)
    survey_channel = _pick_by(rng, r.touchpoint, SURVEY_CHANNEL_BY_TOUCHPOINT)
    # Anonymous answers come from on-site intercepts: web form, in-app prompt, QR in store.
    survey_channel = np.where(
        known, survey_channel, np.array([4, 3, 4])[np.minimum(r.touchpoint, 2)]
    )
    return pl.DataFrame(
        {
            "responded_at": _timestamps(r.at),
            "touchpoint": _labels(TOUCHPOINTS, r.touchpoint),
            "customer_id": pl.concat([people.ids, pl.Series([None], dtype=pl.String)]).gather(
                np.where(known, r.customer, people.n)
            ),
            "nps": pl.Series(scores["nps"]).fill_nan(None).cast(pl.Int16),
            "csat": pl.Series(scores["csat"]).fill_nan(None).cast(pl.Int16),
            "ces": pl.Series(scores["ces"]).fill_nan(None).cast(pl.Int16),
            "comment": _comments(rng, scores, r, english),
            "channel": _labels(SURVEY_CHANNELS, survey_channel),
            "language": _labels(LANGUAGES, english.astype(np.int64)),
        }
    )


def _events_frame(people: _People, ev: _Events) -> pl.DataFrame:
    """A chunk's events by customer and time (event_id is numbered when written)."""
    # One int64 key sorts faster than a three-key lexsort: customer, time, stage.
    order = np.argsort((ev.customer << 32) + (ev.at << 3) + ev.stage)
    return pl.DataFrame(
        {
            "customer_id": people.ids.gather(ev.customer[order]),
            "stage": _STAGE_SERIES.gather(ev.stage[order]),
            "occurred_at": _timestamps(ev.at[order]),
            "amount": pl.Series(ev.amount[order]).fill_nan(None),
            "channel": _labels(EVENT_CHANNELS, ev.channel[order]),
        }
    )


def _chunk(
    seed_seq: np.random.SeedSequence, cal: _Calendar, spec: Scale, first: int, n: int
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Customers, events and feedback of customers ``first`` .. ``first + n - 1``."""
    rng = np.random.default_rng(seed_seq)
    people = _people(rng, first, n)
    history = _funnel(rng, cal, people, spec)
    responses = _invitations(rng, cal, people, history, spec)
    return (
        people.frame,
        _events_frame(people, history.events),
        _feedback_frame(rng, cal, people, responses),
    )


# -- reference tables --------------------------------------------------------------


def stages_frame() -> pl.DataFrame:
    """The funnel stages. Columns: stage, position (1..5), label (Vietnamese / English)."""
    return pl.DataFrame(
        {
            "stage": list(STAGES),
            "position": list(range(1, len(STAGES) + 1)),
            "label": [vocab.STAGE_LABELS[s] for s in STAGES],
        }
    )


def touchpoints_frame() -> pl.DataFrame:
    """The touchpoints. Columns: touchpoint, journey_phase, target_csat, target_nps."""
    return pl.DataFrame(
        {
            "touchpoint": list(TOUCHPOINTS),
            "journey_phase": [vocab.JOURNEY_PHASES[t] for t in TOUCHPOINTS],
            "target_csat": [TARGETS[t][0] for t in TOUCHPOINTS],
            "target_nps": [TARGETS[t][1] for t in TOUCHPOINTS],
        }
    )


# -- writing -----------------------------------------------------------------------


_ID_COLUMNS = {"events": ("event_id", "E", 10), "feedback": ("response_id", "R", 9)}


def _numbered(name: str, frame: pl.DataFrame, before: int) -> pl.DataFrame:
    """Give events and responses ids that continue the previous chunks' numbering."""
    if name not in _ID_COLUMNS:
        return frame
    column, prefix, width = _ID_COLUMNS[name]
    numbers = pl.int_range(before + 1, before + frame.height + 1, dtype=pl.Int64)
    ident = pl.concat_str(pl.lit(prefix), numbers.cast(pl.String).str.zfill(width))
    return frame.select(ident.alias(column), pl.all())


class StoreNotEmpty(ValueError):
    """The store already holds data and replacing it was not asked for."""


def row_counts(engine: sa.Engine) -> dict[str, int]:
    """Rows per table of the store; empty dict when the schema is missing."""
    statement = sa.select(
        *(
            sa.select(sa.func.count()).select_from(t).scalar_subquery().label(name)
            for name, t in schema.TABLES.items()
        )
    )
    try:
        frame = db.fetch(statement, engine)
    except db.SchemaMissing:
        return {}
    return {name: int(frame[name][0]) for name in schema.TABLES}


def generate(
    engine: sa.Engine,
    scale: str = "medium",
    seed: int = 42,
    *,
    replace: bool = False,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Fill the store with demo data; returns the rows written per table.

    Creates the schema if needed. All rows are written in one transaction, so a
    failure leaves the store as it was.

    Parameters
    ----------
    scale
        'small' (~2k customers), 'medium' (~20k customers, ~300k events, ~60k
        responses) or 'large' (~1M customers, ~10M events, ~2M responses).
    seed
        The same seed always gives the same rows.
    replace
        If the store already holds rows, ``replace=True`` deletes them (in the same
        transaction) and writes the demo data instead; otherwise
        :class:`StoreNotEmpty` is raised and nothing is written.
    progress
        Called as ``progress(message, fraction_done)`` while generating.
    """
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}; choose one of {', '.join(SCALES)}")
    spec = SCALES[scale]
    report = progress or (lambda message, fraction: None)
    with db.translate_errors(engine):
        db.create_schema(engine)
    existing = row_counts(engine)
    if any(existing.values()) and not replace:
        raise StoreNotEmpty(
            f"{db.describe_store(engine)} already holds data "
            f"({', '.join(f'{v:,} {k}' for k, v in existing.items() if v)}); "
            "pass replace=True (--replace) to overwrite it"
        )
    cal = _Calendar()
    chunks = list(range(0, spec.customers, spec.chunk))
    seeds = np.random.SeedSequence(seed).spawn(len(chunks))
    counts = dict.fromkeys(schema.TABLES, 0)
    with db.begin(engine) as conn:
        if any(existing.values()):
            report("removing the existing data", 0.0)
            db.empty_tables(conn, schema.TABLES.values())
        for name, frame in (("stages", stages_frame()), ("touchpoints", touchpoints_frame())):
            db.append_frame(conn, schema.TABLES[name], frame)
            counts[name] = frame.height
        # One thread generates the next chunk while this one writes the last: numpy,
        # polars and DuckDB release the GIL, so the two cores both work.
        with ThreadPoolExecutor(max_workers=1) as pool:
            jobs = iter(zip(chunks, seeds, strict=True))
            pending = deque()

            def submit_next() -> None:
                for first, seed_seq in jobs:  # at most one: bounded memory
                    n = min(spec.chunk, spec.customers - first)
                    pending.append((first, n, pool.submit(_chunk, seed_seq, cal, spec, first, n)))
                    return

            submit_next()
            for i in range(len(chunks)):
                first, n, job = pending.popleft()
                frames = job.result()
                submit_next()
                report(
                    f"customers {first + 1:,}-{first + n:,} of {spec.customers:,}", i / len(chunks)
                )
                for name, frame in zip(("customers", "events", "feedback"), frames, strict=True):
                    frame = _numbered(name, frame, counts[name])
                    db.append_frame(conn, schema.TABLES[name], frame)
                    counts[name] += frame.height
        # Summaries are part of the same transaction: readers never see data without them.
        rollup_store.refresh(conn, lambda message, _: report(message, 1.0))
        report("committing", 1.0)
    return counts


def ensure_demo_data(
    engine: sa.Engine, scale: str = "medium", seed: int = 42, *, progress: Progress | None = None
) -> bool:
    """Generate demo data if the store holds no customers, events or feedback.

    Returns whether it generated. Used by ``cxdash demo``. Reference rows alone
    (stages, touchpoints) are replaced by the demo's; a store with any customers,
    events or feedback is left untouched.
    """
    counts = row_counts(engine)
    if any(counts.get(name) for name in ("customers", "events", "feedback")):
        return False
    generate(engine, scale=scale, seed=seed, replace=True, progress=progress)
    return True
