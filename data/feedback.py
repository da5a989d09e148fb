"""What the demo's customers say: survey invitations, scores and comments."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import polars as pl

from data import vocab
from data.events import History
from data.people import SEGMENTS, People
from data.sampling import labels, lognormal, pick, pick_by
from data.story import (
    APP_RELEASE,
    DAY,
    DAYS,
    INCIDENT_END,
    INCIDENT_START,
    Calendar,
    Scale,
    seconds_into_history,
    timestamps,
)
from data.story_why import why_story

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
# The "why" story (data.story_why): the checkout survey's touchpoint, and the touchpoint
# whose experience carries each segment's NPS (rows: SEGMENTS).
STORY = why_story()
CHECKOUT = TOUCHPOINTS.index(STORY.checkout_touchpoint)
KEY_DRIVER = np.array([TOUCHPOINTS.index(STORY.key_driver[s]) for s in SEGMENTS])


@dataclass
class Responses:
    customer: np.ndarray  # -1 = anonymous
    touchpoint: np.ndarray
    at: np.ndarray
    friction: np.ndarray  # a checkout survey after a payment problem (data.story_why)

    def taken(self, keep: np.ndarray) -> Responses:
        return Responses(self.customer[keep], self.touchpoint[keep], self.at[keep],
                         self.friction[keep])  # fmt: skip


def draw_responses(
    rng: np.random.Generator, cal: Calendar, people: People, history: History, spec: Scale
) -> Responses:
    """Who answered which survey, when: after orders, deliveries, contacts, visits."""
    rate, orders = spec.survey_rate, history.orders
    incident = (seconds_into_history(INCIDENT_START), seconds_into_history(INCIDENT_END))
    parts: list[Responses] = []

    def add(customer, touchpoint, at, friction=False) -> None:
        n = len(customer)
        parts.append(
            Responses(customer, np.broadcast_to(touchpoint, n).copy(), at,
                      np.broadcast_to(friction, n).copy())
        )  # fmt: skip

    n = len(orders.customer)
    take = rng.random(n) < P_ORDER_SURVEY * rate
    add(
        orders.customer[take],
        ORDER_TOUCHPOINT[orders.channel[take]],
        orders.at[take] + lognormal(rng, take.sum(), 3 * 3600, 1.0).astype(np.int64),
    )

    shipped = orders.channel != 2  # Store orders are carried home
    stuck = shipped & (orders.at >= incident[0] - 3 * DAY) & (orders.at < incident[1])
    delivered_at = orders.at + lognormal(rng, n, 1.6 * DAY, 0.5).astype(np.int64)
    delivered_at += np.where(stuck, lognormal(rng, n, 5 * DAY, 0.4), 0).astype(np.int64)
    take = shipped & (rng.random(n) < P_DELIVERY_SURVEY * rate)
    add(
        orders.customer[take],
        DELIVERY,
        delivered_at[take] + lognormal(rng, take.sum(), 4 * 3600, 1.0).astype(np.int64),
    )

    take = rng.random(n) < P_BILLING_SURVEY * rate
    add(
        orders.customer[take],
        BILLING,
        orders.at[take] + lognormal(rng, take.sum(), 2 * DAY, 0.8).astype(np.int64),
    )

    unhappy = people.satisfaction[orders.customer] < -0.8
    p_contact = P_CONTACT * np.array(STORY.contact_rate_by_segment)[people.segment[orders.customer]]
    p_contact = p_contact + P_CONTACT_INCIDENT * stuck + 0.04 * unhappy
    take = (rng.random(n) < p_contact) & (rng.random(n) < P_CONTACT_SURVEY * rate)
    where = np.where(rng.random(take.sum()) < 0.55, SUPPORT, CALL_CENTER)
    add(
        orders.customer[take],
        where,
        orders.at[take] + lognormal(rng, take.sum(), 2.5 * DAY, 0.7).astype(np.int64),
    )

    # The checkout survey after a first cart: it catches a payment problem's frustration.
    customer, carted_at, friction = history.checkouts
    take = rng.random(len(customer)) < STORY.checkout_survey_rate * rate
    delay = lognormal(rng, take.sum(), *STORY.checkout_survey_delay).astype(np.int64)
    add(customer[take], CHECKOUT, carted_at[take] + delay, friction[take])

    customer, signed_at = history.signups
    take = rng.random(len(customer)) < P_ONBOARDING * rate
    where = np.where(people.home[customer[take]] == 1, APP, WEBSITE)
    add(
        customer[take],
        where,
        signed_at[take] + lognormal(rng, take.sum(), DAY, 1.0).astype(np.int64),
    )

    customer, visited_at, channel = history.browsing
    take = (rng.random(len(customer)) < P_INTERCEPT * rate) & (channel <= 2)
    add(
        customer[take],
        np.array([WEBSITE, APP, STORE_TP])[channel[take]],
        visited_at[take] + lognormal(rng, take.sum(), 10 * 60, 0.8).astype(np.int64),
    )

    known = sum(len(p.customer) for p in parts)
    anonymous = int(round(known * ANONYMOUS_SHARE))
    at, _ = cal.after(rng, None, anonymous)
    add(np.full(anonymous, -1), pick(rng, anonymous, [0.45, 0.30, 0.25]), at)

    fields = ("customer", "touchpoint", "at", "friction")
    out = Responses(*(np.concatenate([getattr(p, f) for p in parts]) for f in fields))
    return out.taken(out.at < DAYS * DAY)


def _scores(
    rng: np.random.Generator, cal: Calendar, people: People, r: Responses
) -> dict[str, np.ndarray]:
    """NPS, CSAT, CES from the customer's satisfaction, their own experience of the
    touchpoint, the touchpoint, segment and time (the model is ``data.story_why``'s)."""
    n = len(r.at)
    known = r.customer >= 0
    who = np.where(known, r.customer, 0)
    customer_level = np.where(known, people.satisfaction[who], rng.standard_normal(n))
    segment_shift = np.where(known, SEGMENT_TOUCHPOINT[people.segment[who], r.touchpoint], 0.0)
    in_incident = (r.at >= seconds_into_history(INCIDENT_START)) & (
        r.at < seconds_into_history(INCIDENT_END)
    )
    effect = np.where(in_incident & (r.touchpoint == DELIVERY), INCIDENT_DELIVERY_EFFECT, 0.0)
    effect += np.where(
        in_incident & np.isin(r.touchpoint, [CALL_CENTER, SUPPORT]), INCIDENT_CONTACT_EFFECT, 0.0
    )
    effect += np.where(
        cal.tet_rush[cal.day_of(r.at)] & (r.touchpoint == DELIVERY), TET_DELIVERY_EFFECT, 0.0
    )
    effect += np.where(
        (r.touchpoint == APP) & (r.at >= seconds_into_history(APP_RELEASE)), APP_RELEASE_EFFECT, 0.0
    )
    # What everyone meets at the touchpoint (its level, the segment's shift there, the
    # incident, Tết, the app release), and what this customer met there: their own
    # experience of it (anonymous responses have none) and a payment problem.
    shared = TOUCHPOINT_LEVEL[r.touchpoint] + segment_shift + effect
    own = np.where(known, people.experience[who, r.touchpoint], 0.0)
    own += np.where(r.friction, STORY.friction_billing_effect, 0.0)
    own += STORY.response_noise * rng.standard_normal(n)
    x = STORY.csat_mood_weight * customer_level + shared + own
    # NPS: the customer's mood, above all their experience of the touchpoint that matters
    # to their segment (the key driver), and a little of the touchpoint they answer about.
    key = np.where(known, people.experience[who, KEY_DRIVER[people.segment[who]]], 0.0)
    latent = (
        STORY.mood_weight * customer_level
        + STORY.key_driver_weight * key
        + STORY.shared_weight * shared
        + STORY.own_touchpoint_weight * own
        + STORY.nps_noise * rng.standard_normal(n)
    )

    nps = np.clip(np.rint(7.8 + STORY.nps_points * latent), 0, 10)
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


def _comments(rng: np.random.Generator, scores: dict, r: Responses, english: np.ndarray):
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
    form = pick(rng, n, [0.5, 0.3, 0.2])  # sentence; sentence + closing; closing alone
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


def feedback_frame(
    rng: np.random.Generator, cal: Calendar, people: People, r: Responses
) -> pl.DataFrame:
    """A chunk's responses by time (response_id is numbered when written)."""
    n = len(r.at)
    r = r.taken(np.lexsort((r.customer, r.at)))  # ids follow response time
    scores = _scores(rng, cal, people, r)
    known = r.customer >= 0
    english = np.where(known, people.english[np.where(known, r.customer, 0)], rng.random(n) < 0.1)
    survey_channel = pick_by(rng, r.touchpoint, SURVEY_CHANNEL_BY_TOUCHPOINT)
    # Anonymous answers come from on-site intercepts: web form, in-app prompt, QR in store.
    survey_channel = np.where(
        known, survey_channel, np.array([4, 3, 4])[np.minimum(r.touchpoint, 2)]
    )
    return pl.DataFrame(
        {
            "responded_at": timestamps(r.at),
            "touchpoint": labels(TOUCHPOINTS, r.touchpoint),
            "customer_id": pl.concat([people.ids, pl.Series([None], dtype=pl.String)]).gather(
                np.where(known, r.customer, people.n)
            ),
            "nps": pl.Series(scores["nps"]).fill_nan(None).cast(pl.Int16),
            "csat": pl.Series(scores["csat"]).fill_nan(None).cast(pl.Int16),
            "ces": pl.Series(scores["ces"]).fill_nan(None).cast(pl.Int16),
            "comment": _comments(rng, scores, r, english),
            "channel": labels(SURVEY_CHANNELS, survey_channel),
            "language": labels(LANGUAGES, english.astype(np.int64)),
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
