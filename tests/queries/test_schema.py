from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from dashboard import db
from queries import schema

CANONICAL = {
    "customers": [
        "customer_id",
        "segment",
        "region",
        "channel",
        "age_band",
        "gender",
        "income_band",
        "signup_at",
        "name",
        "email",
        "phone",
    ],
    "events": ["event_id", "customer_id", "stage", "occurred_at", "amount", "channel"],
    "feedback": [
        "response_id",
        "responded_at",
        "touchpoint",
        "customer_id",
        "nps",
        "csat",
        "ces",
        "comment",
        "channel",
        "language",
    ],
    "stages": ["stage", "position", "label"],
    "touchpoints": ["touchpoint", "journey_phase", "target_csat", "target_nps"],
}


def test_tables_have_exactly_the_canonical_columns():
    assert {name: [c.name for c in t.c] for name, t in schema.TABLES.items()} == CANONICAL


def _table_names(engine) -> set[str]:
    return (
        set(sa.inspect(engine).get_table_names())
        if engine.dialect.name != "duckdb"
        else {row[0] for row in engine.connect().exec_driver_sql("SHOW TABLES").fetchall()}
    )


def test_create_all_is_idempotent_and_keeps_data(store_url):
    engine = db.create_engine(store_url, external_access=True)
    db.create_schema(engine)
    with db.writing(engine), engine.begin() as conn:  # the embedded store's turn to write
        conn.execute(schema.stages.insert(), [{"stage": "visit", "position": 1}])
    db.create_schema(engine)  # second run: no error, nothing dropped
    assert set(CANONICAL) <= _table_names(engine)
    assert db.fetch(sa.select(sa.func.count()).select_from(schema.stages), engine).item() == 1
    engine.dispose()


@pytest.mark.parametrize(
    "column, value", [("nps", 11), ("nps", -1), ("csat", 0), ("csat", 6), ("ces", 8), ("ces", 0)]
)
def test_score_checks_reject_out_of_range(store, column, value):
    row = {
        "response_id": "r1",
        "responded_at": dt.datetime(2025, 1, 1),
        "touchpoint": "Web",
        column: value,
    }
    with pytest.raises(db.StoreError), db.begin(store) as conn:
        conn.execute(schema.feedback.insert(), [row])
    assert db.fetch(sa.select(sa.func.count()).select_from(schema.feedback), store).item() == 0


def test_feedback_needs_a_score_or_comment(store):
    row = {"response_id": "r1", "responded_at": dt.datetime(2025, 1, 1), "touchpoint": "Web"}
    with pytest.raises(db.StoreError), db.begin(store) as conn:
        conn.execute(schema.feedback.insert(), [row])


def test_amounts_keep_double_precision(store):
    # 32-bit floats hold ~7 digits: a 123,456,789.5 VND order would come back altered.
    import polars as pl

    with db.begin(store) as conn:
        db.upsert_frame(
            conn,
            schema.events,
            pl.DataFrame(
                {
                    "event_id": ["e1"],
                    "customer_id": ["c1"],
                    "stage": ["purchase"],
                    "occurred_at": [dt.datetime(2025, 1, 1)],
                    "amount": [123_456_789.5],
                }
            ),
        )
    assert db.fetch(sa.select(schema.events.c.amount), store).item() == 123_456_789.5
