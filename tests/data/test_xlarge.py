"""The xlarge demo (10M customers, ~100M events) is drawn chunk by chunk in bounded
memory; checked here on a small number of customers with the same machinery."""

from __future__ import annotations

import dataclasses

import polars as pl
import sqlalchemy as sa

from dashboard import db
from data import generator
from data.story import SCALES
from queries import schema


def test_xlarge_is_ten_times_large_in_the_same_chunks():
    xlarge, large = SCALES["xlarge"], SCALES["large"]
    assert xlarge.customers == 10 * large.customers
    # memory is one chunk drawn and one waiting: the same as large's, whatever the size
    assert xlarge.chunk == large.chunk
    assert (xlarge.browse_per_year, xlarge.survey_rate) == (
        large.browse_per_year,
        large.survey_rate,
    )


def test_chunks_cover_every_customer_once_and_hold_one_chunk_each():
    spec = dataclasses.replace(SCALES["xlarge"], customers=1_000, chunk=300)
    seen: list[str] = []
    sizes = []
    with generator.closing(generator._drawn_chunks(spec, seed=5)) as chunks:
        for first, n, (customers, events, feedback) in chunks:
            sizes.append((first, n))
            assert customers.height == n
            assert set(events["customer_id"]) <= set(customers["customer_id"])
            known = feedback.filter(pl.col("customer_id").is_not_null())
            assert set(known["customer_id"]) <= set(customers["customer_id"])
            seen += customers["customer_id"].to_list()
    assert sizes == [(0, 300), (300, 300), (600, 300), (900, 100)]
    assert len(seen) == len(set(seen)) == 1_000


def test_a_chunked_xlarge_store_is_complete_and_numbered_across_chunks(tmp_path, monkeypatch):
    spec = dataclasses.replace(SCALES["xlarge"], customers=600, chunk=200)
    monkeypatch.setitem(generator.SCALES, "xlarge", spec)
    engine = db.create_engine(f"duckdb:///{tmp_path / 'x.duckdb'}", external_access=True)
    counts = generator.generate(engine, scale="xlarge", seed=3)
    assert counts["customers"] == 600
    # large's rates: ~10 events and ~2 responses per customer
    assert 5 * 600 < counts["events"] < 20 * 600
    assert 1 * 600 < counts["feedback"] < 4 * 600
    ids = db.fetch(sa.select(schema.events.c.event_id), engine)["event_id"]
    assert ids.n_unique() == counts["events"]  # numbering continues across chunks
    engine.dispose()
