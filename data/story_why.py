"""The demo's story for the "why" views: its parameters, where they are planted, and
what the views should show (:attr:`WhyStory.expected`, checked by
tests/data/test_story_why.py).

Two stories:

1. **Payment friction drops customers at Purchase** (funnel x satisfaction). Some
   customers hit a payment problem at their first checkout: they buy less often
   after their cart, and a checkout survey (touchpoint Billing) sent right after the
   cart catches their frustration. On the Funnel & touchpoints page, at the step
   ``purchase``, Billing CSAT / NPS of the customers who dropped sits far below that
   of those who converted, and the gap is significant; the other touchpoints show
   small gaps (through the customers' general mood only).
2. **One dominant NPS driver per segment** (key drivers). A customer's NPS reflects
   their general mood and, above all, their own experience at one touchpoint that
   matters most to their segment -- Delivery for Consumer, Billing for SMB, Support
   for Enterprise, Store for VIP -- so that touchpoint's CSAT explains about half or
   more of the explained NPS variance when the page is filtered to that segment.

Where it is planted:

- ``data.people.draw_people``: every customer's own experience of each touchpoint,
  ``People.experience = N(0, customer_touchpoint_sd)`` of shape (customers, 7), shared
  by all their responses at that touchpoint.
- ``data.events._first_steps``: ``friction = carted & (random < payment_friction_share
  [segment])``; the log-odds of purchase | cart move by ``friction_purchase_logit``.
  ``History.checkouts`` keeps (customer, first cart time, friction) of every carter.
- ``data.feedback.draw_responses``: the checkout survey, touchpoint
  ``checkout_touchpoint``, answered with probability ``checkout_survey_rate`` x the
  scale's survey rate, ``checkout_survey_delay`` after the first cart, carrying the
  friction flag (``Responses.friction``). Support contacts per order are scaled by
  ``contact_rate_by_segment`` (business accounts open tickets).
- ``data.feedback._scores``, per response r of customer c at touchpoint t:

  - what everyone meets there, ``shared = TOUCHPOINT_LEVEL[t] + SEGMENT_TOUCHPOINT[seg,
    t] + incident / Tet / app-release effects`` (as before), and what c met there,
    ``own = u[c, t] + friction_billing_effect * friction + response_noise * N(0, 1)``;
  - CSAT / CES latent ``x = csat_mood_weight * s_c + shared + own``, drawn into scores
    exactly as before;
  - NPS latent ``mood_weight * s_c + key_driver_weight * u[c, key(seg)] +
    shared_weight * shared + own_touchpoint_weight * own + nps_noise * N(0, 1)`` and
    ``nps = clip(rint(7.8 + nps_points * latent), 0, 10)``.

  Anonymous responses have no customer: ``u`` and the key-driver term are 0.

Why these weights. Before, NPS and CSAT both followed the same per-response latent
with 0.85 of shared noise: every touchpoint looked equally important (10-20% each on
the medium demo), and the pairwise correlations of NPS with CSAT (0.7-0.8, from the same
response) did not fit those between touchpoints (about 0.45): R^2 came out above 1 and
the drivers page had to say the reading is unreliable. Now the key touchpoint's own
experience carries NPS across all of a customer's responses, the answered touchpoint
weighs little (``own_touchpoint_weight``), and CSAT measures the touchpoint more than
the mood (``csat_mood_weight``), so the touchpoints correlate ~0.3 with one another.
``shared_weight`` = 1 keeps the heatmap's NPS differences between touchpoints, the
incident and the app release as large as before. On the medium demo (seeds 42, 7, 1),
last 12 months: the key touchpoint ranks first in every segment with 54-80% of the
explained variance, R^2 0.5-0.7 -- except that Enterprise (about 300 customers with
both scores) can come out "inconsistent" (R^2 > 1, seed 1): a small segment, said
plainly by the page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType

SEGMENTS = ("Consumer", "SMB", "Enterprise", "VIP")  # the demo's segments (a test checks)


@dataclass(frozen=True)
class Expectation:
    """What a view should show on the medium demo (seed 42), last 12 months."""

    view: str
    filters: dict
    reading: str


@dataclass(frozen=True)
class WhyStory:
    """The parameters; see the module docstring for where each is planted."""

    # -- funnel x satisfaction: payment friction at the first checkout --------------
    # Share of first-time carters who hit a payment problem, by segment (SEGMENTS order).
    payment_friction_share: tuple[float, ...] = (0.30, 0.25, 0.15, 0.10)
    # Added to the log-odds of purchase | cart (FUNNEL_BASE[2] = 0.6): 0.65 -> 0.20.
    friction_purchase_logit: float = -2.0
    # Checkout survey (touchpoint Billing) after a first cart: response probability
    # per cart (times Scale.survey_rate) and delay (median seconds, log-normal sigma).
    checkout_survey_rate: float = 0.12
    checkout_survey_delay: tuple[float, float] = (15 * 60, 0.8)
    checkout_touchpoint: str = "Billing"
    # Shift of the satisfaction latent of a checkout response with friction (CSAT
    # top-2 falls from about 73% to 23%).
    friction_billing_effect: float = -2.0

    # -- key drivers: one touchpoint that carries each segment's NPS ----------------
    key_driver: MappingProxyType = field(
        default_factory=lambda: MappingProxyType(
            {"Consumer": "Delivery", "SMB": "Billing", "Enterprise": "Support", "VIP": "Store"}
        )
    )
    customer_touchpoint_sd: float = 0.8  # spread of u[c, t], the customer's own experience
    # Weight of the customer's general mood s_c in the CSAT / CES latent (was 1): with
    # the full weight, every touchpoint's CSAT mostly measures the mood, the touchpoints
    # correlate ~0.45 with one another, and the drivers' intervals grow wide.
    csat_mood_weight: float = 0.6
    # Support contacts per order, times data.feedback.P_CONTACT, by segment: business
    # accounts open tickets (Enterprise's key driver needs customers who rated it).
    contact_rate_by_segment: tuple[float, ...] = (1.0, 1.5, 4.0, 1.5)
    response_noise: float = 0.6  # per-response noise of the CSAT / CES latent
    mood_weight: float = 0.5  # weight of the customer's general mood s_c in NPS
    key_driver_weight: float = 1.0  # weight of u[c, key(segment)] in NPS
    own_touchpoint_weight: float = 0.3  # weight of the answered touchpoint's experience
    # Weight in NPS of what every customer meets at the answered touchpoint: its level,
    # the segment's shift there, the incident, Tết, the app release.
    shared_weight: float = 1.0
    nps_noise: float = 0.5
    # NPS points per unit of the NPS latent (was 1.8 on a latent of sd ~1.4; the latent
    # above has sd ~1.1, so 2.25 keeps the spread of scores, 0s and 10s included).
    nps_points: float = 2.25

    @property
    def expected(self) -> tuple[Expectation, ...]:
        """The readings the planted story should produce."""
        purchase = {"steps": ("visit", "signup", "cart", "purchase"), "window_days": 30}
        out = [
            Expectation(
                "funnel_satisfaction",
                {**purchase, "metric": "csat"},
                "step purchase, touchpoint Billing: value_dropped at least 12 points under "
                "value_converted, significant 'up' (converted higher); the largest |delta| "
                "of the purchase step",
            ),
            Expectation(
                "funnel_satisfaction",
                {**purchase, "metric": "csat"},
                # The checkout survey reaches only customers who signed up, so at
                # signup the friction sits on the converted side: Billing aside.
                "steps signup and cart: Billing aside, no touchpoint with |delta| over 10 points",
            ),
        ]
        for segment, touchpoint in self.key_driver.items():
            out.append(
                Expectation(
                    "drivers",
                    {"segment": (segment,)},
                    f"{touchpoint} ranks first with at least 40% importance, its interval "
                    "clear of the second's; no verdict (R^2 between 0.05 and 1)",
                )
            )
        return tuple(out)


def why_story() -> WhyStory:
    """The story to plant in the demo data (see the module docstring)."""
    return WhyStory()
