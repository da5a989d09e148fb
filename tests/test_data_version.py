"""The store's data version (issue 18): bumped in the same transaction as every write that
changes what a view shows, on DuckDB, SQLite and PostgreSQL; read cheaply; not bumped by
the audit trail or by a transaction that rolled back."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
import sqlalchemy as sa

from dashboard import audit, db, followup, rollup_store
from queries import schema


def _feedback(*ids: str, customer: str | None = None) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "response_id": list(ids),
            "responded_at": [dt.datetime(2025, 3, 1, 10)] * len(ids),
            "touchpoint": ["Website"] * len(ids),
            "customer_id": [customer] * len(ids),
            "nps": [3] * len(ids),
        }
    )


def _write(engine: sa.Engine, frame: pl.DataFrame) -> None:
    with db.begin(engine) as conn:
        db.upsert_frame(conn, schema.feedback, frame)


def test_writes_bump_the_version_audit_and_rollbacks_do_not(store):
    assert db.data_version(store) == 0  # a fresh schema: never written
    _write(store, _feedback("R1"))
    assert db.data_version(store) == 1
    _write(store, _feedback("R2", "R3"))
    assert db.data_version(store) == 2

    audit.record("export", detail="table segments (csv)", rows=3, engine=store)
    assert db.data_version(store) == 2  # sign-ins and exports keep every cached result

    with pytest.raises(RuntimeError), db.begin(store) as conn:
        db.upsert_frame(conn, schema.feedback, _feedback("R4"))
        raise RuntimeError("the import failed half-way")
    assert db.data_version(store) == 2  # rolled back with the rows it described

    rollup_store.refresh_store(store)
    assert db.data_version(store) == 3  # the summaries changed what views read


def test_a_followup_change_bumps_the_version(store):
    with db.begin(store) as conn:
        db.upsert_frame(
            conn,
            schema.customers,
            pl.DataFrame({"customer_id": ["C1"], "segment": ["SMB"]}),
        )
        db.upsert_frame(conn, schema.feedback, _feedback("R1", customer="C1"))
    followup.sync(store, now=dt.datetime(2025, 3, 1, 12))
    before = db.data_version(store)
    followup.change(store, "R1", status="contacted", actor="an@x.vn")
    assert db.data_version(store) == before + 1


def test_a_store_from_before_the_version_gets_it_at_its_next_write(store):
    with db.begin(store) as conn:
        conn.execute(sa.schema.DropTable(schema.data_version))
    assert db.data_version(store) == 0  # read as "never written", not an error
    _write(store, _feedback("R1"))
    assert db.data_version(store) == 1


def test_another_engine_sees_the_new_version(store_url, store):
    # Another process's engine (the CLI beside the dashboard): it reads what was
    # committed, and nothing it caches hides the change.
    other = db.create_engine(store_url, external_access=True)
    try:
        assert db.data_version(other) == 0
        _write(store, _feedback("R1"))
        assert db.data_version(other) == 1
    finally:
        other.dispose()


def test_the_store_going_away_is_an_error_not_a_version(tmp_path):
    engine = db.create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")
    with pytest.raises(db.StoreUnavailable):
        db.data_version(engine)
