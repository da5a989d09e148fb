"""How the demo's customers move through the funnel and what they buy."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from data import vocab
from data.people import (
    AWAY_CHANNEL,
    EVENT_CHANNELS,
    FIRST_VISIT_CHANNEL,
    HOME_SHARE,
    People,
)
from data.sampling import labels, lognormal, pick, sigmoid
from data.story import DAY, DAYS, YEAR, Calendar, Scale, timestamps
from data.story_why import why_story

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

_STAGE_SERIES = pl.Series(STAGES)


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
    rng: np.random.Generator, people: People, customer: np.ndarray, at: np.ndarray, stage: int
) -> tuple[_Events, np.ndarray]:
    """Visit -> (cart ->) ``stage`` sessions ending at ``at``; returns events, channels."""
    n = len(customer)
    home = rng.random(n) < HOME_SHARE
    channel = np.where(home, people.home[customer], pick(rng, n, AWAY_CHANNEL))
    cart_at = at - lognormal(rng, n, *GAP_SESSION).astype(np.int64) - 1
    visit_at = cart_at - lognormal(rng, n, *GAP_SESSION).astype(np.int64) - 1
    if stage == CART:  # an abandoned cart: visit, cart, nothing else
        stamps, stages = [visit_at, at], [VISIT, CART]
    else:
        stamps, stages = [visit_at, cart_at, at], [VISIT, CART, stage]
    parts = [
        _Events(customer, np.full(n, s), t, channel, np.full(n, np.nan))
        for s, t in zip(stages, stamps, strict=True)
    ]
    return _concat(parts), channel


def _amounts(rng: np.random.Generator, cal: Calendar, segment: np.ndarray, at: np.ndarray):
    raw = AMOUNT_MEDIAN[segment] * np.exp(AMOUNT_SIGMA[segment] * rng.standard_normal(len(at)))
    raw = raw * np.where(cal.pre_tet[cal.day_of(at)], TET_SPENDING, 1.0)
    # Prices end in thousands of đồng; bigger orders go through a quote, not the shop.
    return np.clip(np.round(raw, -3), MIN_ORDER, MAX_ORDER)


def _recurring(
    rng: np.random.Generator, cal: Calendar, who: np.ndarray, since: np.ndarray, per_year
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
class History:
    """What a chunk of customers did: all events, plus the moments surveys follow."""

    events: _Events
    orders: _Orders
    signups: tuple[np.ndarray, np.ndarray]  # (customer, signed up at)
    browsing: tuple[np.ndarray, np.ndarray, np.ndarray]  # (customer, visited at, channel)
    signed_up_at: pl.Series  # customers.signup_at of each of the chunk's people (null: never)
    # First carts: (customer, carted at, payment friction) -- the checkout survey follows.
    checkouts: tuple[np.ndarray, np.ndarray, np.ndarray]


def _step(who: np.ndarray, stage: int, at: np.ndarray, channel: np.ndarray, amount=None):
    amount = np.full(len(who), np.nan) if amount is None else amount
    return _Events(who, np.full(len(who), stage), at, channel, amount)


def _first_steps(rng: np.random.Generator, cal: Calendar, people: People):
    """Each customer's first visit and, if they get that far, signup, cart and purchase.

    Returns the events, then per customer: first visit, whether and when they signed
    up, whether and when they bought, and the first carts (customer, time, whether the
    checkout hit a payment problem: ``data.story_why``, which makes a purchase less likely).
    """
    n, horizon = people.n, DAYS * DAY
    everyone = np.arange(n)
    logits = (
        FUNNEL_BASE + FUNNEL_BY_ACQUISITION[people.acquisition] + FUNNEL_BY_SEGMENT[people.segment]
    )
    p_signup, p_cart = sigmoid(logits[:, :2]).T
    # The store's existing base comes in during the CRM's first weeks, the rest over time.
    existing = rng.random(n) < EXISTING_BASE_SHARE
    first_visit = np.where(
        existing,
        cal.after(rng, None, n, within_days=EXISTING_BASE_DAYS)[0],
        cal.after(rng, None, n)[0],
    )
    signup_at = first_visit + lognormal(rng, n, *GAP_SIGNUP).astype(np.int64) + 1
    signed = (rng.random(n) < p_signup) & (signup_at < horizon)
    cart_at = signup_at + lognormal(rng, n, *GAP_CART).astype(np.int64) + 1
    carted = signed & (rng.random(n) < p_cart) & (cart_at < horizon)
    story = why_story()
    friction = carted & (rng.random(n) < np.array(story.payment_friction_share)[people.segment])
    p_buy = sigmoid(logits[:, 2] + story.friction_purchase_logit * friction)
    bought_at = cart_at + lognormal(rng, n, *GAP_PURCHASE).astype(np.int64) + 1
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
    checkouts = (everyone[carted], cart_at[carted], friction[carted])
    return events, first_visit, signed, signup_at, bought, bought_at, checkouts


def draw_history(rng: np.random.Generator, cal: Calendar, people: People, spec: Scale) -> History:
    """Every customer's events, in funnel order, and the moments surveys follow."""
    everyone = np.arange(people.n)
    parts, first_visit, signed, signup_at, bought, bought_at, checkouts = _first_steps(
        rng, cal, people
    )
    buyers = everyone[bought]

    # Repeat orders: happier customers churn less and come back more often.
    s = people.satisfaction[buyers]
    churned = rng.random(len(buyers)) < sigmoid(-0.3 - 1.2 * s)
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
        pick(rng, len(visitor), AWAY_CHANNEL),
    )
    parts.append(_step(visitor, VISIT, browse_at, browse_channel))

    return History(
        events=_concat(parts),
        orders=_Orders(
            customer=np.concatenate([buyers, repeat_customer]),
            at=np.concatenate([bought_at[bought], repeat_at]),
            channel=np.concatenate([people.home[buyers], repeat_channel]),
        ),
        signups=(everyone[signed], signup_at[signed]),
        browsing=(visitor, browse_at, browse_channel),
        signed_up_at=pl.select(
            pl.when(pl.lit(pl.Series(signed)))
            .then(pl.lit(timestamps(signup_at)))
            .alias("signup_at")
        ).to_series(),
        checkouts=checkouts,
    )


def events_frame(people: People, ev: _Events) -> pl.DataFrame:
    """A chunk's events by customer and time (event_id is numbered when written)."""
    # One int64 key sorts faster than a three-key lexsort: customer, time, stage.
    order = np.argsort((ev.customer << 32) + (ev.at << 3) + ev.stage)
    return pl.DataFrame(
        {
            "customer_id": people.ids.gather(ev.customer[order]),
            "stage": _STAGE_SERIES.gather(ev.stage[order]),
            "occurred_at": timestamps(ev.at[order]),
            "amount": pl.Series(ev.amount[order]).fill_nan(None),
            "channel": labels(EVENT_CHANNELS, ev.channel[order]),
        }
    )


def stages_frame() -> pl.DataFrame:
    """The funnel stages. Columns: stage, position (1..5), label (Vietnamese / English)."""
    return pl.DataFrame(
        {
            "stage": list(STAGES),
            "position": list(range(1, len(STAGES) + 1)),
            "label": [vocab.STAGE_LABELS[s] for s in STAGES],
        }
    )
