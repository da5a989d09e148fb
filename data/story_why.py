"""What the demo generator should plant so that the "why" views tell a visible story.

Nothing here generates data: ``data/generator.py`` is being split, and this module
only fixes the parameters and says precisely where they go, so that whoever finishes
the split can plant them and test them against :attr:`WhyStory.expected`.

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

Where it goes. Names below are those of ``data/generator.py`` at commit 2ebce29; after
the split on main they live in: ``_people`` / ``_People`` -> ``data.people.draw_people``
/ ``People``; ``_first_steps``, ``_History`` -> ``data.events._first_steps``,
``History``; ``_invitations``, ``_Responses`` -> ``data.feedback.draw_responses``,
``Responses``; ``_scores`` -> ``data.feedback._scores``; ``_sigmoid`` / ``_lognormal``
-> ``data.sampling.sigmoid`` / ``lognormal``.

- ``_first_steps``: after ``carted`` is known, draw
  ``friction = carted & (rng.random(n) < story.payment_friction_share[segment])`` and
  lower the purchase probability of those customers:
  ``p_buy = _sigmoid(logit_buy + story.friction_purchase_logit * friction)`` (today
  ``p_buy`` comes from ``_sigmoid(logits).T``; add the shift to the third logit).
  Return ``friction`` and ``cart_at`` with the other per-customer arrays (and keep
  them on ``_History``: ``checkouts=(customer, cart_at, friction)`` for the carters).
- ``_invitations``: add the checkout survey for every first cart:
  ``take = rng.random(len(carters)) < story.checkout_survey_rate * rate``, touchpoint
  ``BILLING``, at ``cart_at + _lognormal(rng, n, *story.checkout_survey_delay)``
  (seconds), carrying the customer's ``friction`` flag on ``_Responses`` (a new
  boolean array, False for every other survey).
- ``_scores``: give every customer a per-touchpoint experience
  ``u = rng.normal(0, story.customer_touchpoint_sd, (people.n, 7))`` (drawn once per
  chunk in ``_people`` and kept on ``_People``, so a customer's responses at one
  touchpoint share it). Then, per response r of customer c at touchpoint t:

  - CSAT / CES latent: ``x = s_c + u[c, t] + TOUCHPOINT_LEVEL[t] +
    SEGMENT_TOUCHPOINT[seg, t] + effects + story.response_noise * N(0, 1)``, where
    ``effects`` are today's incident, Tết and app-release effects plus
    ``story.friction_billing_effect`` on checkout responses with friction; CSAT and
    CES are then drawn from ``x`` exactly as today;
  - NPS latent: ``n = story.mood_weight * s_c + story.key_driver_weight *
    u[c, key(seg)] + story.own_touchpoint_weight * (x - s_c) +
    story.nps_noise * N(0, 1)`` with ``key = story.key_driver[segment]``, and
    ``nps = clip(rint(7.8 + 1.8 * n), 0, 10)`` as today.

  Today NPS and CSAT both follow the same per-response ``x`` with 0.85 of shared
  noise: every touchpoint then looks equally important (10-20% each on the medium
  demo) and the pairwise correlations of NPS with CSAT (0.7-0.8, from the same
  response) do not fit those between touchpoints (about 0.45): R^2 comes out above 1
  and the drivers page has to say the reading is unreliable. With the weights below,
  a simulation of the medium demo's response pattern (most customers rate one to
  three touchpoints a year) puts the key touchpoint first in every run, with 55-68%
  of the explained variance and R^2 about 0.45-0.5, also within one segment of
  ~1,000 customers.
- Anonymous responses have no customer: keep ``u`` at 0 and the key-driver term out.

Nothing else changes: targets, volumes and the other stories stay as they are, and
the summary tables need no change (the story lives in ``events`` and ``feedback``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType

SEGMENTS = ("Consumer", "SMB", "Enterprise", "VIP")  # the demo's segments (a test checks)


@dataclass(frozen=True)
class Expectation:
    """What a view should show on the medium demo, last 12 months (a test for the
    generator once the story is planted)."""

    view: str
    filters: dict
    reading: str


@dataclass(frozen=True)
class WhyStory:
    """The parameters; see the module docstring for where each goes."""

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
    response_noise: float = 0.6  # per-response noise of the CSAT / CES latent
    mood_weight: float = 0.5  # weight of the customer's general mood s_c in NPS
    key_driver_weight: float = 1.0  # weight of u[c, key(segment)] in NPS
    own_touchpoint_weight: float = 0.3  # weight of the answered touchpoint's experience
    nps_noise: float = 0.5

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
                "steps signup and cart: no touchpoint with |delta| over 8 points",
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
