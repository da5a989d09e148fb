"""The demo story for the "why" views names things the generator has."""

from __future__ import annotations

from data import generator
from data.story_why import SEGMENTS, why_story


def test_story_names_the_generators_segments_and_touchpoints():
    story = why_story()
    assert SEGMENTS == generator.SEGMENTS
    assert set(story.key_driver) == set(generator.SEGMENTS)
    assert set(story.key_driver.values()) <= set(generator.TOUCHPOINTS)
    assert len(set(story.key_driver.values())) == len(generator.SEGMENTS)  # one each
    assert story.checkout_touchpoint in generator.TOUCHPOINTS
    assert len(story.payment_friction_share) == len(generator.SEGMENTS)
    assert all(0 < share < 1 for share in story.payment_friction_share)
    assert story.friction_purchase_logit < 0 and story.friction_billing_effect < 0
    assert {e.view for e in story.expected} == {"funnel_satisfaction", "drivers"}
