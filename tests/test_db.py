from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
import sqlalchemy as sa

from dashboard import db
from queries import schema


def test_fetch_returns_polars_with_statement_column_names(store):
    stmt = sa.select(sa.literal(3).label("n"), sa.literal("x").label("label"))
    frame = db.fetch(stmt, store)
    assert frame.columns == ["n", "label"]
    assert frame.row(0) == (3, "x")


def test_fetch_turns_numeric_into_float(store):
    with db.begin(store) as conn:
        db.upsert_frame(
            conn,
            schema.events,
            pl.DataFrame(
                {
                    "event_id": ["e1", "e2"],
                    "customer_id": ["c1", "c1"],
                    "stage": ["purchase"] * 2,
                    "occurred_at": [dt.datetime(2025, 1, 1)] * 2,
                    "amount": [1.5, 2.0],
                }
            ),
        )
    frame = db.fetch(sa.select(sa.func.avg(schema.events.c.amount).label("aov")), store)
    assert frame.schema["aov"] == pl.Float64
    assert frame.item() == pytest.approx(1.75)


def test_upsert_replaces_by_key_and_is_idempotent(store):
    rows = pl.DataFrame({"stage": ["visit", "cart"], "position": [1, 3], "label": ["Visit", None]})
    for _ in range(2):
        with db.begin(store) as conn:
            db.upsert_frame(conn, schema.stages, rows)
    with db.begin(store) as conn:
        db.upsert_frame(
            conn,
            schema.stages,
            pl.DataFrame({"stage": ["cart"], "position": [3], "label": ["Cart"]}),
        )
    got = db.fetch(sa.select(schema.stages).order_by(schema.stages.c.position), store)
    assert got.rows() == [("visit", 1, "Visit"), ("cart", 3, "Cart")]


def test_failed_transaction_writes_nothing(store):
    with pytest.raises(ZeroDivisionError), db.begin(store) as conn:
        db.upsert_frame(conn, schema.stages, pl.DataFrame({"stage": ["visit"], "position": [1]}))
        1 / 0  # noqa: B018 - fail inside the transaction
    assert db.fetch(sa.select(sa.func.count()).select_from(schema.stages), store).item() == 0


def test_missing_tables_say_run_init_db(store_url):
    engine = db.create_engine(store_url)
    with pytest.raises(db.SchemaMissing, match="cxdash init-db"):
        db.fetch(sa.select(schema.feedback.c.nps), engine)


def test_unreachable_server_is_explained():
    engine = db.create_engine("postgresql+psycopg://nobody@127.0.0.1:9/none")
    with pytest.raises(db.StoreUnavailable, match="Cannot reach the database"):
        db.fetch(sa.select(sa.literal(1)), engine)


def test_bad_url_is_explained():
    with pytest.raises(db.StoreUnavailable, match="not valid"):
        db.create_engine("not a url")


def test_duckdb_app_connections_cannot_read_files(tmp_path):
    (tmp_path / "secret.csv").write_text("a\n1\n")
    engine = db.create_engine(f"duckdb:///{tmp_path / 's.duckdb'}")
    with pytest.raises(db.StoreError):
        db.fetch(sa.text(f"SELECT * FROM read_csv('{tmp_path / 'secret.csv'}')"), engine)


def test_median_and_seconds_helpers_agree_across_backends(store):
    from queries.dialect import median, period_start, seconds_between

    with db.begin(store) as conn:
        db.upsert_frame(
            conn,
            schema.events,
            pl.DataFrame(
                {
                    "event_id": ["a", "b", "c", "d"],
                    "customer_id": ["c"] * 4,
                    "stage": ["s"] * 4,
                    "occurred_at": [
                        dt.datetime(2025, 3, 5, 10),
                        dt.datetime(2025, 3, 9, 23, 59, 59),
                        dt.datetime(2025, 3, 10),
                        dt.datetime(2025, 2, 28),
                    ],
                }
            ),
        )
    e = schema.events.c
    base = sa.literal(dt.datetime(2025, 2, 28), sa.DateTime)
    secs = sa.select(median(seconds_between(base, e.occurred_at)).label("m"))
    assert db.fetch(secs, store).item() == pytest.approx(
        (5 * 86400 + 36000 + 9 * 86400 + 86399) / 2
    )
    weeks = sa.select(period_start("week", e.occurred_at).label("w")).order_by(e.event_id)
    got = [str(v) for v in db.fetch(weeks, store)["w"].to_list()]
    assert got == ["2025-03-03", "2025-03-03", "2025-03-10", "2025-02-24"]
    months = sa.select(period_start("month", e.occurred_at).label("m")).order_by(e.event_id)
    assert [str(v) for v in db.fetch(months, store)["m"].to_list()][-1] == "2025-02-01"


def test_postgresql_settings_apply_to_one_read_only(pg_schema_url):
    engine = db.create_engine(pg_schema_url)
    setting = sa.select(sa.func.current_setting("enable_nestloop").label("value"))
    hinted = setting.execution_options(postgresql_settings=(("enable_nestloop", "off"),))
    assert db.fetch(hinted, engine)["value"].item() == "off"
    assert db.fetch(setting, engine)["value"].item() == "on"  # SET LOCAL ended with the read
    engine.dispose()


def test_the_source_funnel_asks_postgresql_for_no_nested_loops():
    from queries.filters import Filters
    from queries.funnel import funnel

    options = funnel(Filters(), ["visit", "cart"]).get_execution_options()
    assert dict(options["postgresql_settings"]) == {"enable_nestloop": "off"}
