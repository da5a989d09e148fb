"""The demo data comes with a lived-in follow-up queue, timed so the queue page is alive on
first start, and ``demo-data --replace`` starts the queue afresh."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
import sqlalchemy as sa

from dashboard import customers, db, followup
from data.generator import generate
from queries import schema
from queries.filters import Filters


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    engine = db.create_engine(
        f"duckdb:///{tmp_path_factory.mktemp('demo') / 'demo.duckdb'}", external_access=True
    )
    generate(engine, scale="small", seed=7)
    yield engine
    engine.dispose()


def _items(engine) -> pl.DataFrame:
    return db.fetch(sa.select(schema.followups).order_by("response_id"), engine)


def test_every_qualifying_response_has_an_item_in_every_status(demo):
    items = _items(demo)
    assert followup.sync(demo) == 0  # the generator's load created them all
    assert set(items["status"]) == set(schema.FOLLOWUP_STATUSES)
    assert items["owner"].is_not_null().mean() > 0.9  # most are assigned


def test_the_queue_clock_starts_at_the_end_of_the_demo_history(demo):
    now = followup.clock(demo)
    assert dt.datetime(2026, 11, 1) <= now < dt.datetime(2026, 11, 1, 0, 10)
    items = _items(demo)
    assert items["updated_at"].max() <= dt.datetime(2026, 11, 1)  # simulated up to there
    open_ = items.filter(pl.col("status").is_in(["new", "contacted"]))
    due_later = open_.filter(pl.col("due_at") > now)
    overdue = open_.filter(pl.col("due_at") <= now)
    assert due_later.height > 0 and overdue.height > 0  # countdowns and late ones
    kpis = customers.queue_kpis(demo, Filters(), now)
    assert kpis["overdue"] == overdue.height and kpis["open"] == open_.height
    assert 0 < kpis["share_resolved"] < 100 and kpis["median_hours_to_first_contact"] > 0


def test_replacing_the_demo_data_resets_the_queue(tmp_path):
    engine = db.create_engine(f"duckdb:///{tmp_path / 'again.duckdb'}", external_access=True)
    try:
        generate(engine, scale="small", seed=7)
        before = _items(engine)
        worked = before.filter(pl.col("status") == "new")["response_id"][0]
        followup.change(engine, worked, status="contacted", note="test", actor="someone")
        generate(engine, scale="small", seed=7, replace=True)
        after = _items(engine)
        assert after.equals(before)  # the same simulated queue: the change is gone
        events = db.fetch(
            sa.select(schema.followup_events).where(schema.followup_events.c.actor == "someone"),
            engine,
        )
        assert events.is_empty()  # the old queue's history went with it
    finally:
        engine.dispose()
