"""The demo story for the "why" views: it names things the generator has, and the
medium demo shows it as :attr:`data.story_why.WhyStory.expected` says."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
import sqlalchemy as sa

from dashboard import db, service, why
from data.feedback import TOUCHPOINTS
from data.generator import generate
from data.people import SEGMENTS
from data.story_why import SEGMENTS as STORY_SEGMENTS
from data.story_why import why_story
from queries.filters import Filters


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


def test_people_draw_an_experience_per_touchpoint():
    from data.people import TOUCHPOINT_COUNT

    assert len(TOUCHPOINTS) == TOUCHPOINT_COUNT


# -- the story as the views show it, on the medium demo (seed 42) -----------------------------


@pytest.fixture(scope="module")
def medium(tmp_path_factory) -> sa.Engine:
    """The medium demo (20,000 customers, ~8 s) and the last 12 months of it."""
    engine = db.create_engine(f"duckdb:///{tmp_path_factory.mktemp('why') / 'medium.duckdb'}")
    generate(engine, scale="medium", seed=42)
    yield engine
    engine.dispose()


def last_year(engine: sa.Engine) -> Filters:
    _, last = service.data_range(engine)
    return Filters(date_from=last - dt.timedelta(days=364), date_to=last)


def test_payment_friction_separates_converters_from_drop_outs_at_purchase(medium):
    funnel, _ = [e for e in why_story().expected if e.view == "funnel_satisfaction"]
    steps, window, metric = funnel.filters["steps"], funnel.filters["window_days"], "csat"
    table = why.funnel_satisfaction(medium, last_year(medium), steps, window, metric)
    purchase = table.filter(pl.col("step") == "purchase", pl.col("touchpoint") != "(all)")
    billing = purchase.filter(pl.col("touchpoint") == "Billing").row(0, named=True)
    assert billing["value_converted"] - billing["value_dropped"] >= 12
    assert billing["significant"] == "up"
    largest = purchase.sort(pl.col("delta").abs(), descending=True, nulls_last=True)
    assert largest["touchpoint"][0] == "Billing"
    # signup and cart: only mood-sized gaps, Billing aside (see the expectation)
    earlier = table.filter(
        pl.col("step").is_in(["signup", "cart"]), pl.col("touchpoint") != "Billing"
    )
    assert earlier["delta"].abs().max() <= 10


@pytest.mark.parametrize("segment", SEGMENTS)
def test_each_segment_has_its_dominant_driver(medium, segment):
    model = why.drivers_model(medium, last_year(medium).replace(segment=(segment,)))
    first, second = model.table.row(0, named=True), model.table.row(1, named=True)
    assert first["touchpoint"] == why_story().key_driver[segment]
    assert first["importance"] >= 40
    assert first["ci_low"] > second["ci_high"]  # clear of the second's interval
    assert model.verdict is None and 0.05 <= model.r2 <= 1
