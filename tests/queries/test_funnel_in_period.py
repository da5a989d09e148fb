"""Beside the funnel, the KPI-style count (issue 13, item 13).

The funnel's Purchase (entrants of the period who reached the step within the window)
and the Purchasers KPI (every customer with a transaction in the period) differ; the
page says what the funnel counts and shows "in the period" beside it. Worked by hand
below; on DuckDB, SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from dashboard import db, service, views
from dashboard.views import Options
from queries import schema
from queries.filters import Filters

MARCH = Filters(date_from=dt.date(2025, 3, 1), date_to=dt.date(2025, 3, 31))
STEPS = ("visit", "purchase")


def at(month: int, day: int) -> dt.datetime:
    return dt.datetime(2025, month, day, 12)


# a: enters in March, buys in March          -> funnel purchase, in period
# b: enters in March, buys 10 April (window) -> funnel purchase, not in period
# c: visited in February, buys in March      -> not an entrant; in period
# d: enters in March, never buys
# e: no customer row, buys in March          -> in period only without dimension filters
EVENTS = [
    ("a", "visit", at(3, 2), None), ("a", "purchase", at(3, 5), 100.0),
    ("b", "visit", at(3, 20), None), ("b", "purchase", at(4, 10), 200.0),
    ("c", "visit", at(2, 10), None), ("c", "purchase", at(3, 8), 300.0),
    ("d", "visit", at(3, 9), None),
    ("e", "purchase", at(3, 15), 50.0),
]  # fmt: skip
CUSTOMERS = [("a", "North"), ("b", "North"), ("c", "South"), ("d", "South")]


@pytest.fixture
def loaded(store):
    with db.begin(store) as conn:
        db.upsert_frame(
            conn,
            schema.customers,
            pl.DataFrame(
                CUSTOMERS, schema={"customer_id": pl.String, "region": pl.String}, orient="row"
            ),
        )
        db.upsert_frame(
            conn,
            schema.events,
            pl.DataFrame(
                [(f"e{i}", *row) for i, row in enumerate(EVENTS)],
                schema={
                    "event_id": pl.String,
                    "customer_id": pl.String,
                    "stage": pl.String,
                    "occurred_at": pl.Datetime("us"),
                    "amount": pl.Float64,
                },
                orient="row",
            ),
        )
    return store  # fmt: skip


def test_funnel_and_in_period_counts_differ_as_defined(loaded):
    funnel = service.get_funnel(loaded, MARCH, STEPS, 30)
    assert funnel["customers"].to_list() == [3, 2]  # a, b, d enter; a, b buy in the window
    reach = service.get_reached_in_period(loaded, MARCH, STEPS)
    assert reach.to_dicts() == [
        {"step": "visit", "reached_in_period": 3},  # a, b, d (c visited in February)
        {"step": "purchase", "reached_in_period": 3},  # a, c, e (b bought in April)
    ]
    # purchases are the only transactions here: "in the period" is the Purchasers KPI
    assert service.get_kpis(loaded, MARCH)["purchasers"] == 3


def test_in_period_follows_dimension_filters_and_breakdowns(loaded):
    north = service.get_reached_in_period(loaded, MARCH.replace(region=("North",)), STEPS)
    assert north["reached_in_period"].to_list() == [2, 1]  # a, b visit; a buys
    by = service.get_reached_in_period(loaded, MARCH, STEPS, by="region")
    rows = {(r["region"], r["step"]): r["reached_in_period"] for r in by.iter_rows(named=True)}
    assert rows == {("(unknown)", "visit"): 0, ("(unknown)", "purchase"): 1,
                    ("North", "visit"): 2, ("North", "purchase"): 1,
                    ("South", "visit"): 1, ("South", "purchase"): 1}  # fmt: skip


def test_the_registry_view_prints_its_columns(loaded):
    options = Options(steps=STEPS, by="region")
    result = views.FUNNEL_IN_PERIOD.run(loaded, MARCH, options)
    assert views.FUNNEL_IN_PERIOD.printed(result, options).columns == [
        "region",
        "step",
        "reached_in_period",
    ]
    assert "funnel-in-period" in views.exported_as("query")


def test_the_summary_tables_give_the_same_counts(loaded):
    from dashboard import rollup_store
    from tests.queries.test_rollups import summaries

    cases = [(MARCH, None), (MARCH, "region"), (MARCH.replace(region=("(unknown)",)), None)]
    before = [service.get_reached_in_period(loaded, f, STEPS, by) for f, by in cases]
    rollup_store.refresh_store(loaded)
    with summaries(True):
        rollup_store.forget_decisions()
        assert rollup_store.reader(loaded).rollups
        after = [service.get_reached_in_period(loaded, f, STEPS, by) for f, by in cases]
    for a, b in zip(before, after, strict=True):
        assert a.to_dicts() == b.to_dicts()
