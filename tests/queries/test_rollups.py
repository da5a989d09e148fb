"""The summary tables (queries.rollups, dashboard.rollup_store): exact, and never outdated.

- On random stores, every view read from the summaries equals the same view read
  from the source tables, on DuckDB, SQLite and PostgreSQL (hypothesis).
- A write through cxdash marks them outdated at once; a write by another tool is
  caught by the fingerprint; imports and demo data rebuild them before committing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os

import polars as pl
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from dashboard import cli, db, rollup_store, service
from dashboard.ingest import import_file
from data import generator
from queries import rollups, schema
from queries.filters import Filters
from tests.backends import (
    NO_TRANSACTIONS,
    backend_with_chdb,  # noqa: F401 - the chDB lane
    not_on_clickhouse,
)

ORIGIN = dt.datetime(2025, 3, 1)
PEOPLE = [f"p{i}" for i in range(6)]
STAGES = ("visit", "cart", "purchase")


@contextlib.contextmanager
def summaries(enabled: bool):
    """Run views with the summary tables allowed or not (CXDASH_USE_ROLLUPS)."""
    before = os.environ.get("CXDASH_USE_ROLLUPS")
    os.environ["CXDASH_USE_ROLLUPS"] = "1" if enabled else "0"
    try:
        yield
    finally:
        if before is None:
            del os.environ["CXDASH_USE_ROLLUPS"]
        else:
            os.environ["CXDASH_USE_ROLLUPS"] = before


def views_of(engine: sa.Engine, f: Filters, funnel_steps: tuple[str, ...]) -> list:
    """Every view the rollups serve, for one filter."""
    out = [
        service.get_kpis(engine, f),
        service.get_segments(engine, f, "segment"),
        service.get_heatmap(engine, f, "nps", "region"),
        service.get_heatmap(engine, f, "ces", "segment"),
        service.get_nps_trend(engine, f, "week", "segment"),
        service.get_funnel(engine, f, funnel_steps, 2),
        service.get_funnel(engine, f, funnel_steps[::-1], 0.5, "region"),
    ]
    if f.date_from is not None and f.date_to is not None:
        out.append(service.compare_kpis(engine, f))
        out.append(service.what_moved(engine, f, "csat", "touchpoint"))
    return out


def assert_same_views(
    engine: sa.Engine, f: Filters, funnel_steps: tuple[str, ...] = STAGES
) -> None:
    with summaries(True):
        assert rollup_store.reader(engine).rollups
        fast = views_of(engine, f, funnel_steps)
    with summaries(False):
        slow = views_of(engine, f, funnel_steps)
    for got, want in zip(fast, slow, strict=True):
        if isinstance(want, dict):
            assert got == pytest.approx(want, nan_ok=True)
        else:
            assert_frame_equal(got, want, check_exact=False, rel_tol=1e-12)


# -- random stores ------------------------------------------------------------------------

times = st.builds(
    lambda day, hour: ORIGIN + dt.timedelta(days=day, hours=hour),
    st.integers(0, 13),
    st.sampled_from([0, 0, 9, 23]),
)
events_strategy = st.lists(
    st.tuples(
        st.sampled_from([*PEOPLE, "orphan"]),
        st.sampled_from(STAGES),
        times,
        st.sampled_from([None, None, 100.0, 250.0]),
    ),
    max_size=40,
)
feedback_strategy = st.lists(
    st.tuples(
        st.sampled_from([*PEOPLE, "orphan", None]),
        st.sampled_from(["Web", "Store"]),
        times,
        st.integers(0, 10),
        st.one_of(st.none(), st.integers(1, 5)),
        st.one_of(st.none(), st.integers(1, 7)),
    ),
    max_size=40,
)
dimension_values = st.sampled_from(["A", "B", "", None])
days = st.one_of(st.none(), st.integers(0, 13).map(lambda d: ORIGIN + dt.timedelta(days=d)))


def load_random(engine, events, feedback, segments, regions) -> None:
    with db.begin(engine) as conn:
        for table in (schema.events, schema.feedback, schema.customers, schema.stages):
            conn.execute(table.delete())
        stage_rows = {"stage": list(STAGES), "position": [1, 2, 3]}
        db.upsert_frame(conn, schema.stages, pl.DataFrame(stage_rows))
        db.upsert_frame(
            conn,
            schema.customers,
            pl.DataFrame(
                {"customer_id": PEOPLE, "segment": segments, "region": regions},
                schema={"customer_id": pl.String, "segment": pl.String, "region": pl.String},
            ),
        )
        if events:
            frame = pl.DataFrame(
                events,
                schema={"customer_id": pl.String, "stage": pl.String,
                        "occurred_at": pl.Datetime("us"), "amount": pl.Float64},
                orient="row",
            )  # fmt: skip
            frame = frame.with_columns(event_id=pl.format("e{}", pl.int_range(pl.len())))
            db.upsert_frame(conn, schema.events, frame)
        if feedback:
            frame = pl.DataFrame(
                feedback,
                schema={"customer_id": pl.String, "touchpoint": pl.String,
                        "responded_at": pl.Datetime("us"), "nps": pl.Int16, "csat": pl.Int16,
                        "ces": pl.Int16},
                orient="row",
            )  # fmt: skip
            frame = frame.with_columns(response_id=pl.format("r{}", pl.int_range(pl.len())))
            db.upsert_frame(conn, schema.feedback, frame)
        rollup_store.refresh(conn)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    events=events_strategy,
    feedback=feedback_strategy,
    segments=st.lists(dimension_values, min_size=len(PEOPLE), max_size=len(PEOPLE)),
    regions=st.lists(dimension_values, min_size=len(PEOPLE), max_size=len(PEOPLE)),
    first=days,
    last=days,
    segment_filter=st.sampled_from([(), ("A",), ("B", "(unknown)")]),
)
def test_summaries_give_the_same_numbers_as_the_sources(
    store, events, feedback, segments, regions, first, last, segment_filter
):
    if first and last and first > last:
        first, last = last, first
    load_random(store, events, feedback, segments, regions)
    f = Filters(
        date_from=first.date() if first else None,
        date_to=last.date() if last else None,
        segment=segment_filter,
        min_n=2,
    )
    assert_same_views(store, f)


# -- freshness -------------------------------------------------------------------------------


def _one_event(event_id: str, when: dt.datetime) -> pl.DataFrame:
    return pl.DataFrame(
        {"event_id": [event_id], "customer_id": ["p0"], "stage": ["visit"], "occurred_at": [when]}
    )


def test_cxdash_writes_outdate_the_summaries_until_refreshed(store):
    assert rollup_store.status(store).state == "missing"
    assert not rollup_store.reader(store).rollups
    with db.begin(store) as conn:
        db.upsert_frame(conn, schema.events, _one_event("e1", ORIGIN))
    rollup_store.refresh_store(store)
    assert rollup_store.status(store).state == "fresh"
    assert rollup_store.reader(store).rollups  # decided and kept ...

    with db.begin(store) as conn:  # ... until this process writes a source table
        db.upsert_frame(conn, schema.events, _one_event("e2", ORIGIN))
    assert rollup_store.status(store).state == "missing"
    assert not rollup_store.reader(store).rollups
    assert service.get_kpis(store, Filters())["customers"] == 1

    rollup_store.refresh_store(store)
    assert rollup_store.reader(store).rollups
    assert service.get_kpis(store, Filters())["customers"] == 1


def test_another_tools_write_is_caught_by_the_fingerprint(store, monkeypatch):
    with db.begin(store) as conn:
        db.upsert_frame(conn, schema.events, _one_event("e1", ORIGIN))
        rollup_store.refresh(conn)
    assert rollup_store.reader(store).rollups
    # A write that bypasses cxdash: no state row deleted, no write counted.
    with db.writing(store), store.begin() as conn:  # the embedded store's turn to write
        conn.execute(
            schema.events.insert().values(
                event_id="x", customer_id="p9", stage="visit", occurred_at=ORIGIN
            )
        )
    status = rollup_store.status(store)
    assert status.state == "stale" and "cxdash refresh" in status.message
    monkeypatch.setenv("CXDASH_ROLLUP_CHECK_SECONDS", "0")  # re-check at every query
    assert not rollup_store.reader(store).rollups
    assert service.get_kpis(store, Filters())["customers"] == 2  # the sources answer


def test_decisions_are_reused_within_the_check_interval(duck_store, monkeypatch):
    with db.begin(duck_store) as conn:
        db.upsert_frame(conn, schema.events, _one_event("e1", ORIGIN))
        rollup_store.refresh(conn)
    calls = []
    real_fetch = db.fetch
    monkeypatch.setattr(db, "fetch", lambda *a, **k: calls.append(a[0]) or real_fetch(*a, **k))
    first = rollup_store.reader(duck_store)
    checks = len(calls)
    assert first.rollups and checks >= 2  # the state row and the fingerprint
    assert rollup_store.reader(duck_store) is first and len(calls) == checks
    assert rollup_store.reader(duck_store).stage_index == {"visit": 1}
    monkeypatch.setenv("CXDASH_ROLLUP_CHECK_SECONDS", "0")
    rollup_store.reader(duck_store)
    assert len(calls) > checks + 1


def test_use_rollups_off_reads_the_sources(duck_store, monkeypatch):
    with db.begin(duck_store) as conn:
        db.upsert_frame(conn, schema.events, _one_event("e1", ORIGIN))
        rollup_store.refresh(conn)
    monkeypatch.setenv("CXDASH_USE_ROLLUPS", "0")
    assert rollup_store.reader(duck_store) == rollup_store.SOURCES_ONLY


# -- writers keep them fresh -------------------------------------------------------------------

CUSTOMERS_CSV = "customer_id,segment\nC1,SMB\nC2,Consumer\n"
EVENTS_CSV = (
    "event_id,customer_id,stage,occurred_at,amount\n"
    "E1,C1,visit,2025-03-01 10:00:00,\n"
    "E2,C1,purchase,2025-03-02 10:00:00,120000\n"
    "E3,C2,visit,2025-03-03 10:00:00,\n"
)


def test_an_import_rebuilds_them_and_a_failed_one_changes_nothing(store, tmp_path, monkeypatch):
    not_on_clickhouse(store, NO_TRANSACTIONS)
    (tmp_path / "customers.csv").write_text(CUSTOMERS_CSV, encoding="utf-8")
    (tmp_path / "events.csv").write_text(EVENTS_CSV, encoding="utf-8")
    import_file(tmp_path / "customers.csv", "customers", engine=store)
    import_file(tmp_path / "events.csv", "events", engine=store)
    status = rollup_store.status(store)
    assert status.state == "fresh"
    counts = db.fetch(sa.select(sa.func.count()).select_from(rollups.customer_days), store).item()
    assert counts == 3  # C1 on two days, C2 on one
    assert rollup_store.reader(store).rollups
    assert service.get_kpis(store, Filters())["purchasers"] == 1

    bad = tmp_path / "bad.csv"
    bad.write_text(EVENTS_CSV.replace("2025-03-03 10:00:00", "not a time"), encoding="utf-8")
    assert import_file(bad, "events", engine=store).status == "rejected"
    assert rollup_store.status(store) == status

    def failing_refresh(conn, progress=None, *, changed=None):
        raise db.QueryFailed("disk full while summarising")

    more = tmp_path / "more.csv"
    more.write_text(EVENTS_CSV.replace("E3,C2", "E4,C2"), encoding="utf-8")
    monkeypatch.setattr(rollup_store, "refresh", failing_refresh)
    with pytest.raises(db.QueryFailed):
        import_file(more, "events", engine=store)
    assert service.table_counts(store)["events"] == 3  # the new event rolled back too
    assert rollup_store.status(store) == status


FEEDBACK_CSV = (
    "response_id,responded_at,touchpoint,customer_id,nps,csat\n"
    "R1,2025-03-01 09:00:00,Web,C1,10,5\n"
    "R2,2025-03-02 09:00:00,Web,C2,3,2\n"
)


def test_an_import_rebuilds_only_what_its_tables_feed(store, tmp_path, monkeypatch):
    for name, text in (("customers", CUSTOMERS_CSV), ("events", EVENTS_CSV)):
        (tmp_path / f"{name}.csv").write_text(text, encoding="utf-8")
        import_file(tmp_path / f"{name}.csv", name, engine=store)
    (tmp_path / "feedback.csv").write_text(FEEDBACK_CSV, encoding="utf-8")
    rebuilt = []
    real_empty = db.empty_tables

    def recording_empty(conn, tables):
        rebuilt.extend(table.name for table in tables)
        real_empty(conn, tables)

    monkeypatch.setattr(db, "empty_tables", recording_empty)
    import_file(tmp_path / "feedback.csv", "feedback", engine=store)
    assert rebuilt == ["rollup_feedback"]  # the summaries were up to date: feedback's only
    assert rollup_store.status(store).state == "fresh"
    march = Filters(date_from=dt.date(2025, 3, 1), date_to=dt.date(2025, 3, 2))
    assert_same_views(store, march, ("visit", "purchase"))

    # Outdated before the import (a write without refresh): everything is rebuilt.
    with db.begin(store) as conn:
        db.upsert_frame(conn, schema.events, _one_event("e-extra", ORIGIN))
    rebuilt.clear()
    more = tmp_path / "more_feedback.csv"
    more.write_text(FEEDBACK_CSV.replace("R1,", "R3,").replace("R2,", "R4,"), encoding="utf-8")
    import_file(more, "feedback", engine=store)
    assert len(rebuilt) == len(rollups.ROLLUP_TABLES)
    assert rollup_store.status(store).state == "fresh"
    assert_same_views(store, Filters(), ("visit", "purchase"))


def test_demo_data_comes_with_fresh_summaries(duck_store):
    generator.generate(duck_store, scale="small", seed=5)
    assert rollup_store.status(duck_store).state == "fresh"
    last = service.data_range(duck_store)[1]
    f = Filters(date_from=last - dt.timedelta(days=90), date_to=last, region=("Huế",))
    assert_same_views(duck_store, f)


def test_cli_refresh_and_status(tmp_path, monkeypatch, capsys):
    url = f"duckdb:///{tmp_path / 'cli.duckdb'}"
    monkeypatch.setenv("CXDASH_DATABASE_URL", url)
    engine = db.create_engine(url)
    db.create_schema(engine)
    with db.begin(engine) as conn:
        db.upsert_frame(conn, schema.events, _one_event("e1", ORIGIN))
    engine.dispose()
    assert cli.main(["refresh", "--status"]) == 0
    assert "No summary tables yet" in capsys.readouterr().out
    assert cli.main(["refresh"]) == 0
    out = capsys.readouterr()
    assert "Summary tables rebuilt" in out.out and "summarising funnel events" in out.err
    assert cli.main(["refresh", "--status"]) == 0
    assert "up to date" in capsys.readouterr().out


# -- what the funnel rollup cannot answer falls back, with the same numbers -------------------


def test_funnel_beyond_the_indexed_stages_reads_events(duck_store):
    count = rollups.MAX_FUNNEL_STAGES + 2
    stage_names = [f"s{i:02d}" for i in range(count)]
    stage_rows = pl.DataFrame({"stage": stage_names, "position": list(range(1, count + 1))})
    events = pl.DataFrame(
        {
            "event_id": [f"e{i}" for i in range(count)],
            "customer_id": ["p0"] * count,
            "stage": stage_names,
            "occurred_at": [ORIGIN + dt.timedelta(hours=i) for i in range(count)],
        }
    )
    with db.begin(duck_store) as conn:
        db.upsert_frame(conn, schema.stages, stage_rows)
        db.upsert_frame(conn, schema.events, events)
        rollup_store.refresh(conn)
    f = Filters(date_from=ORIGIN.date(), date_to=ORIGIN.date())
    covered = service.funnel_statement(duck_store, f, stage_names[:3], 30, None)
    beyond = service.funnel_statement(duck_store, f, stage_names, 30, None)
    assert "rollup_funnel_events" in str(covered)
    assert "rollup_" not in str(beyond)
    table = service.get_funnel(duck_store, f, stage_names, 30)
    assert table["customers"].to_list() == [1] * count


def test_funnel_through_a_stage_without_events_reads_events(duck_store):
    with db.begin(duck_store) as conn:
        db.upsert_frame(conn, schema.stages, pl.DataFrame({"stage": ["visit", "cart"],
                                                            "position": [1, 2]}))  # fmt: skip
        db.upsert_frame(conn, schema.events, _one_event("e1", ORIGIN))
        rollup_store.refresh(conn)
    f = Filters()
    statement = service.funnel_statement(duck_store, f, ("visit", "cart"), 30, None)
    assert "rollup_" not in str(statement)
    assert service.get_funnel(duck_store, f, ("visit", "cart"))["customers"].to_list() == [1, 0]
