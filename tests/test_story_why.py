"""The demo story for the "why" views names things the generator has."""

from __future__ import annotations

from data.feedback import TOUCHPOINTS
from data.people import SEGMENTS
from data.story_why import SEGMENTS as STORY_SEGMENTS
from data.story_why import why_story


def test_story_names_the_generators_segments_and_touchpoints():
    story = why_story()
    assert STORY_SEGMENTS == SEGMENTS
    assert set(story.key_driver) == set(SEGMENTS)
    assert set(story.key_driver.values()) <= set(TOUCHPOINTS)
    assert len(set(story.key_driver.values())) == len(SEGMENTS)  # one each
    assert story.checkout_touchpoint in TOUCHPOINTS
    assert len(story.payment_friction_share) == len(SEGMENTS)
    assert all(0 < share < 1 for share in story.payment_friction_share)
    assert story.friction_purchase_logit < 0 and story.friction_billing_effect < 0
    assert {e.view for e in story.expected} == {"funnel_satisfaction", "drivers"}
