"""The customer grain's benchmark times every page's reads and replays the same SQL.

(Timings are not asserted: they come from `cxdash bench`, see BENCHMARKS.md.)
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from dashboard import customers, db
from dashboard.bench import customers as bench
from dashboard.bench.queries import typical_filters
from data import generator
from queries.schema import followups


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    engine = db.create_engine(
        f"duckdb:///{tmp_path_factory.mktemp('bench-customers') / 's.duckdb'}",
        external_access=True,
    )
    generator.generate(engine, scale="small", seed=3)
    yield engine
    engine.dispose()


def test_replay_runs_the_statements_of_a_page(small):
    f = typical_filters(small)
    case = next(c for c in bench.page_cases(small, f) if c.name.startswith("at-risk list"))
    statements = bench.recorded(small, case.run)
    assert len(statements) == 1 and statements[0][0].lstrip().startswith("WITH")
    db.raw_replay_runner(small, statements)()  # the recorded SQL runs as it is


def test_measure_reports_every_page_and_the_sync_and_keeps_the_queue(small):
    f = typical_filters(small)
    before = bench.queue_size(small)
    results = bench.measure(small, f, runs=1, log=lambda message: None)
    assert [r["query"] for r in results] == [
        "customer view", "at-risk list, first page", "at-risk headline (count, value; cached)",
        "promoters list, first page", "promoters headline (count, value; cached)",
        "follow-up queue (KPIs + first page)", "followup sync (every item from scratch)",
    ]  # fmt: skip
    assert all(r["end_to_end_ms"] > 0 and r["raw_sql_ms"] > 0 for r in results)
    assert bench.queue_size(small) == before > 0  # the sync was rolled back
    count = sa.select(sa.func.count().label("n")).select_from(followups)
    assert db.fetch(count, small)["n"][0] == before
    table = bench.markdown(results, before)
    assert table.count("\n| ") == len(results) + 1  # header + one row per case
    assert customers.at_risk_count(small, f) > 0


def test_a_store_from_before_the_queue_gets_its_items_once(tmp_path):
    from tests.test_customers import _load as load_shop

    engine = db.create_engine(f"duckdb:///{tmp_path / 'old.duckdb'}", external_access=True)
    try:
        db.create_schema(engine)
        load_shop(engine)  # written without the import path: no items yet
        messages: list[str] = []
        bench.ensure_queue(engine, messages.append)
        created = bench.queue_size(engine)
        assert created > 0 and messages == ["creating the follow-up items of the store (once) ..."]
        bench.ensure_queue(engine, messages.append)
        assert bench.queue_size(engine) == created and len(messages) == 1
    finally:
        engine.dispose()
