"""The one write path, ``dashboard.ingest.write.load``: counts, import log, summaries, rollback.

``write_plans`` (imports) is covered through it in test_pipeline.py; the demo generator in
tests/data/test_generator.py.
"""

from __future__ import annotations

from datetime import datetime

import polars as pl
import pytest
import sqlalchemy as sa

from dashboard import db, rollup_store
from dashboard.ingest import LogEntry, import_log, load

CUSTOMERS = pl.DataFrame({"customer_id": ["C1", "C2"], "segment": ["VIP", "SMB"]})
FEEDBACK = pl.DataFrame(
    {
        "response_id": ["R1", "R2", "R3"],
        "responded_at": [datetime(2025, 3, d) for d in (1, 2, 3)],
        "touchpoint": ["Store", "Store", "Website"],
        "customer_id": ["C1", None, "C2"],
        "nps": [10, 3, 8],
    }
)


def log_rows(engine: sa.Engine) -> list[tuple]:
    c = import_log.c
    columns = (c.table_name, c.file, c.rows_read, c.rows_inserted, c.rows_updated, c.mapping)
    return list(db.fetch(sa.select(*columns).order_by(*columns[:2]), engine).iter_rows())


def customer_ids(engine: sa.Engine) -> list[str]:
    return sorted(db.fetch(sa.text("SELECT customer_id FROM customers"), engine)["customer_id"])


def test_load_writes_counts_logs_and_summarises(store):
    with load(store, origin="test run") as loader:
        loader.append("customers", CUSTOMERS)
        loader.upsert("feedback", FEEDBACK)
        loader.append("customers", pl.DataFrame({"customer_id": ["C3"]}))
        assert loader.rows == {"customers": 3, "feedback": 3}
        assert loader.changed == {"customers", "feedback"}
    assert customer_ids(store) == ["C1", "C2", "C3"]
    # One row per changed table, from the origin; an upsert cannot tell inserts from updates.
    assert log_rows(store) == [
        ("customers", "test run", 3, 3, 0, None),
        ("feedback", "test run", 3, None, None, None),
    ]
    assert rollup_store.status(store).state == "fresh"


def test_logged_entries_replace_the_origin_rows(store):
    with load(store, origin="unused") as loader:
        loader.upsert("feedback", FEEDBACK)
        loader.log(LogEntry("feedback", "a.csv", 4, 2, 1, encoding="utf-8", mapping="auto"))
        loader.log(LogEntry("feedback", "b.csv", 1, 1, 0))
    assert log_rows(store) == [
        ("feedback", "a.csv", 4, 2, 1, "auto"),
        ("feedback", "b.csv", 1, 1, 0, None),
    ]


def test_only_the_summaries_of_changed_tables_are_rebuilt(store, monkeypatch):
    real_refresh = rollup_store.refresh
    calls = []

    def recording_refresh(conn, progress=None, *, changed=None):
        calls.append(changed)
        real_refresh(conn, progress, changed=changed)

    monkeypatch.setattr(rollup_store, "refresh", recording_refresh)
    with load(store, origin="first") as loader:  # no summaries yet: all are built
        loader.append("customers", CUSTOMERS)
    with load(store, origin="second") as loader:
        loader.upsert("feedback", FEEDBACK)
    with load(store, origin="third") as loader:  # logged without rows: still an import
        loader.log(LogEntry("stages", "empty.csv", 0, 0, 0))
    with load(store, origin="fourth") as loader:  # touchpoints feed no summary table
        loader.append("touchpoints", pl.DataFrame({"touchpoint": ["Store"]}))
    assert calls == [None, {"feedback"}, {"stages"}]
    assert rollup_store.status(store).state == "fresh"


def test_replace_empties_tables_in_the_same_transaction(store):
    with load(store, origin="before") as loader:
        loader.append("customers", CUSTOMERS)
        loader.append("feedback", FEEDBACK)
    with load(store, origin="replacing", replace=["customers"]) as loader:
        assert loader.changed == {"customers"}  # emptied counts as changed
        loader.append("customers", pl.DataFrame({"customer_id": ["C9"]}))
    assert customer_ids(store) == ["C9"]
    assert db.fetch(sa.text("SELECT count(*) AS n FROM feedback"), store).item() == 3
    assert log_rows(store)[-1] == ("feedback", "before", 3, 3, 0, None)
    assert ("customers", "replacing", 1, 1, 0, None) in log_rows(store)

    logged = log_rows(store)
    with pytest.raises(RuntimeError, match="midway"), load(store, origin="x", replace=True) as l2:
        l2.append("customers", CUSTOMERS)
        raise RuntimeError("midway")
    assert customer_ids(store) == ["C9"]  # nothing emptied, nothing written, nothing logged
    assert log_rows(store) == logged
    assert rollup_store.status(store).state == "fresh"


def test_unknown_tables_to_replace_are_refused(duck_store):
    with (
        pytest.raises(ValueError, match="unknown tables"),
        load(duck_store, origin="x", replace=["customer"]),
    ):
        pass


def test_progress_brackets_the_callers_writing(duck_store):
    seen = []
    with load(duck_store, origin="x", replace=True, progress=lambda m, f: seen.append((m, f))):
        seen.append(("caller writes", 0.5))
    assert seen == [
        ("removing the existing data", 0.0),
        ("caller writes", 0.5),
        ("comments: language, sentiment and themes", 1.0),  # feedback was emptied
        ("summarising customer days", 1.0),
        ("summarising feedback", 1.0),
        ("summarising funnel stages", 1.0),
        ("summarising funnel events", 1.0),
        ("summarising customer keys", 1.0),
        ("summaries ready", 1.0),
        ("committing", 1.0),
    ]
