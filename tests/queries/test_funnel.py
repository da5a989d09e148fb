"""The ordered funnel with a conversion window (queries.funnel + dashboard.metrics.funnel).

Every expected number below is worked out by hand from the fixture next to it,
following DESIGN.md's definition; each SQL test runs on DuckDB, SQLite and
PostgreSQL (the ``store`` fixture) and must give the same answer on all three.
"""

from __future__ import annotations

import datetime as dt
import itertools
import statistics
from collections.abc import Sequence

import polars as pl
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard import db, rollup_store
from dashboard.metrics.funnel import funnel_table
from queries import rollups, schema
from queries.filters import Filters
from queries.funnel import funnel
from queries.funnel_rollup import covers, funnel_from_rollup
from tests.backends import backend_with_chdb  # noqa: F401 - the chDB lane

MARCH = Filters(date_from=dt.date(2025, 3, 1), date_to=dt.date(2025, 3, 31))
HOUR = 3600
DAY = 86_400
EVENT_IDS = itertools.count()


def at(day: int, hour: int = 0, minute: int = 0, second: int = 0, month: int = 3) -> dt.datetime:
    return dt.datetime(2025, month, day, hour, minute, second)


def load(
    engine: sa.Engine,
    events: Sequence[tuple[str, str, dt.datetime]],
    customers: Sequence[tuple[str, str | None, str | None]] = (),
) -> None:
    """events: (customer_id, stage, occurred_at); customers: (customer_id, segment, region)."""
    with db.begin(engine) as conn:
        if customers:
            db.upsert_frame(
                conn,
                schema.customers,
                pl.DataFrame(
                    customers,
                    schema={"customer_id": pl.String, "segment": pl.String, "region": pl.String},
                    orient="row",
                ),
            )
        if events:
            frame = pl.DataFrame(
                events,
                schema={
                    "customer_id": pl.String,
                    "stage": pl.String,
                    "occurred_at": pl.Datetime("us"),
                },
                orient="row",
            )
            # Ids unique across calls, so that a second load adds rather than replaces.
            ids = [f"e{next(EVENT_IDS)}" for _ in range(frame.height)]
            frame = frame.with_columns(event_id=pl.Series(ids, dtype=pl.String))
            db.upsert_frame(conn, schema.events, frame)


def run(engine, f: Filters, steps, window_days: float = 30, by: str | None = None) -> list[dict]:
    """The funnel's rows as dicts; breakdown rows sorted by group in Python (collations differ).

    Also builds the summary tables and checks that the funnel read from them
    (``queries.funnel_rollup``) gives exactly the same rows.
    """
    rows = _sorted(db.fetch(funnel(f, steps, window_days, by), engine).to_dicts(), by)
    from_rollup = run_from_rollup(engine, f, steps, window_days, by)
    if from_rollup is not None:
        assert from_rollup == rows
    return rows


def run_from_rollup(engine, f: Filters, steps, window_days: float, by: str | None):
    """The same rows from freshly built summary tables; None if they cannot answer
    (a step no event uses: the service then reads ``events``)."""
    rollup_store.refresh_store(engine)
    index = dict(db.fetch(sa.select(rollups.funnel_stages), engine).iter_rows())
    if not covers(steps, index):
        return None
    statement = funnel_from_rollup(f, steps, index, window_days, by)
    return _sorted(db.fetch(statement, engine).to_dicts(), by)


def _sorted(rows: list[dict], by: str | None) -> list[dict]:
    return sorted(rows, key=lambda r: r[by]) if by else rows


def counts(row: dict, k: int) -> list[int]:
    return [row[f"reached_{i}"] for i in range(1, k + 1)]


# -- semantics, on all three databases -----------------------------------------


def test_out_of_order_events_do_not_count(store):
    load(
        store,
        [
            # c1: cart before the visit only -> entered, never reaches cart.
            ("c1", "cart", at(5, 9)),
            ("c1", "visit", at(5, 10)),
            # c2: cart before the visit, and again 30 min after it -> reaches cart (1800 s).
            ("c2", "cart", at(5, 9)),
            ("c2", "visit", at(5, 10)),
            ("c2", "cart", at(5, 10, 30)),
            # c3: purchase after the visit but before the cart -> reaches cart, not purchase.
            ("c3", "visit", at(6, 0)),
            ("c3", "purchase", at(6, 1)),
            ("c3", "cart", at(6, 2)),
        ],
    )
    (row,) = run(store, MARCH, ["visit", "cart", "purchase"])
    assert counts(row, 3) == [3, 2, 0]
    # cart gaps: c2 1800 s, c3 7200 s -> median 4500.
    assert row["median_seconds_2"] == pytest.approx(4500)
    assert row["median_seconds_3"] is None


def test_repeated_stages_use_the_earliest_qualifying_event(store):
    load(
        store,
        [
            # c1: entry at the first visit 00:00; cart 01:00 (+3600); purchase 03:00 (+7200).
            ("c1", "visit", at(1, 0)),
            ("c1", "visit", at(1, 6)),
            ("c1", "cart", at(1, 5)),
            ("c1", "cart", at(1, 1)),
            ("c1", "purchase", at(1, 3)),
            ("c1", "purchase", at(2, 0)),
            # c2: cart 00:10 (+600); the purchase at 00:15 follows that first cart (+300).
            ("c2", "visit", at(10, 0)),
            ("c2", "cart", at(10, 0, 10)),
            ("c2", "cart", at(10, 0, 20)),
            ("c2", "purchase", at(10, 0, 15)),
            # c3: cart a day later (+86400), no purchase.
            ("c3", "visit", at(10, 0)),
            ("c3", "cart", at(11, 0)),
        ],
    )
    (row,) = run(store, MARCH, ["visit", "cart", "purchase"])
    assert counts(row, 3) == [3, 3, 2]
    assert row["median_seconds_2"] == pytest.approx(3600)  # median of 3600, 600, 86400
    assert row["median_seconds_3"] == pytest.approx(3750)  # median of 7200, 300


def test_equal_timestamps_count(store):
    same = at(12, 8, 30)
    load(
        store,
        [
            ("c1", "visit", same),
            ("c1", "cart", same),
            ("c1", "purchase", same),
            ("c2", "visit", same),
            ("c2", "cart", same + dt.timedelta(seconds=10)),
            ("c2", "purchase", same + dt.timedelta(seconds=10)),
        ],
    )
    (row,) = run(store, MARCH, ["visit", "cart", "purchase"])
    assert counts(row, 3) == [2, 2, 2]
    assert row["median_seconds_2"] == pytest.approx(5)  # median of 0, 10
    assert row["median_seconds_3"] == pytest.approx(0)


def test_window_is_inclusive_and_counted_from_entry(store):
    entry = at(1, 12)
    load(
        store,
        [
            # Exactly 30 days after entry: in.
            ("in", "visit", entry),
            ("in", "cart", entry + dt.timedelta(days=30)),
            # 30 days + 1 s: out.
            ("out", "visit", entry),
            ("out", "cart", entry + dt.timedelta(days=30, seconds=1)),
            # The window runs from entry, not from the previous step: the purchase
            # 30 days + 1 s after entry is out although only 11 days after the cart.
            ("late", "visit", entry),
            ("late", "cart", at(20, 12)),
            ("late", "purchase", entry + dt.timedelta(days=30, seconds=1)),
        ],
    )
    (row,) = run(store, MARCH, ["visit", "cart", "purchase"])
    assert counts(row, 3) == [3, 2, 0]
    assert row["median_seconds_2"] == pytest.approx((30 * DAY + 19 * DAY) / 2)

    (row,) = run(store, MARCH, ["visit", "cart", "purchase"], window_days=30 + 1 / DAY)
    assert counts(row, 3) == [3, 3, 1]
    assert row["median_seconds_2"] == pytest.approx(30 * DAY)  # 30d, 30d+1s, 19d
    assert row["median_seconds_3"] == pytest.approx(11 * DAY + 1)

    # A fractional window (half a day) is exact too.
    (row,) = run(store, MARCH, ["visit", "cart"], window_days=0.5)
    assert counts(row, 2) == [3, 0]


def test_period_bounds_select_who_enters(store):
    load(
        store,
        [
            # Entry on the period's last second; the cart after the period still counts.
            ("last", "visit", at(31, 23, 59, 59)),
            ("last", "cart", at(2, 10, month=4)),
            # First second of the period: in.
            ("first", "visit", at(1, 0)),
            # One second before / at the end bound: not entered.
            ("before", "visit", at(28, 23, 59, 59, month=2)),
            ("before", "cart", at(1, 1)),
            ("after", "visit", at(1, 0, month=4)),
        ],
    )
    (row,) = run(store, MARCH, ["visit", "cart"])
    assert counts(row, 2) == [2, 1]
    assert row["median_seconds_2"] == pytest.approx(DAY + 10 * HOUR + 1)


def test_first_step_before_the_period_then_again_inside(store):
    load(
        store,
        [
            # Only visit before the period: not entered, its March cart does not count.
            ("early", "visit", at(20, month=2)),
            ("early", "cart", at(2)),
            # Visit before and in the period: enters at the March visit (5th); the cart of
            # the 3rd precedes that entry, the cart of the 6th counts (+1 day).
            ("again", "visit", at(20, month=2)),
            ("again", "cart", at(3)),
            ("again", "visit", at(5)),
            ("again", "visit", at(7)),
            ("again", "cart", at(6)),
        ],
    )
    (row,) = run(store, MARCH, ["visit", "cart"])
    assert counts(row, 2) == [1, 1]
    assert row["median_seconds_2"] == pytest.approx(DAY)
    # With an open period both enter at their first visit ever (Feb 20): early's
    # cart on Mar 2 is 10 days later, again's on Mar 3 is 11 days later.
    (row,) = run(store, Filters(), ["visit", "cart"])
    assert counts(row, 2) == [2, 2]
    assert row["median_seconds_2"] == pytest.approx(10.5 * DAY)


SEGMENTED_CUSTOMERS = [
    ("a", "SMB", "North"),
    ("b", "SMB", "South"),
    ("c", "Enterprise", "North"),
    ("d", "", "North"),  # empty value -> (unknown)
    ("e", None, None),  # missing value -> (unknown)
    # "f" has events but no customers row: an orphan -> (unknown)
]


def segmented_store(engine) -> None:
    load(
        engine,
        [
            *((cid, "visit", at(3, 10)) for cid in "abcdef"),
            ("a", "cart", at(3, 11)),  # +3600
            ("c", "cart", at(3, 12)),  # +7200
            ("d", "cart", at(3, 13)),  # +10800
            ("f", "cart", at(3, 14)),  # +14400
        ],
        SEGMENTED_CUSTOMERS,
    )


def test_breakdown_puts_empty_and_orphan_customers_in_unknown(store):
    segmented_store(store)
    rows = run(store, MARCH, ["visit", "cart"], by="segment")
    assert [(r["segment"], r["reached_1"], r["reached_2"]) for r in rows] == [
        ("(unknown)", 3, 2),
        ("Enterprise", 1, 1),
        ("SMB", 2, 1),
    ]
    medians = {r["segment"]: r["median_seconds_2"] for r in rows}
    assert medians == pytest.approx({"(unknown)": 12600, "Enterprise": 7200, "SMB": 3600})
    # Without a breakdown or filter, orphans count: six entered, four carts.
    (total,) = run(store, MARCH, ["visit", "cart"])
    assert counts(total, 2) == [6, 4]
    assert total["median_seconds_2"] == pytest.approx(9000)  # median of 3600..14400


def test_dimension_filter_excludes_orphans(store):
    segmented_store(store)
    (row,) = run(store, MARCH.replace(segment=("SMB", "Enterprise")), ["visit", "cart"])
    assert counts(row, 2) == [3, 2]
    # A filter on another dimension also drops the orphan (and e, whose region is missing).
    (row,) = run(store, MARCH.replace(region=("North", "South")), ["visit", "cart"])
    assert counts(row, 2) == [4, 3]
    # Selecting '(unknown)' deliberately keeps empty, missing and orphan customers.
    (row,) = run(store, MARCH.replace(segment=("(unknown)",)), ["visit", "cart"])
    assert counts(row, 2) == [3, 2]
    # Filter and breakdown together.
    rows = run(store, MARCH.replace(segment=("SMB",)), ["visit", "cart"], by="region")
    assert [(r["region"], r["reached_1"], r["reached_2"]) for r in rows] == [
        ("North", 1, 1),
        ("South", 1, 0),
    ]


def test_any_ordered_subset_of_stages(store):
    load(
        store,
        [
            # Signup is not a step: it neither helps nor blocks.
            ("c1", "visit", at(2, 0)),
            ("c1", "signup", at(2, 1)),
            ("c1", "cart", at(2, 2)),
            ("c1", "purchase", at(2, 4)),
            ("c2", "visit", at(2, 0)),
            ("c2", "cart", at(2, 3)),
            ("c3", "cart", at(9, 0)),
            ("c3", "purchase", at(9, 0, 0, 30)),
            ("c3", "signup", at(10, 0)),
        ],
    )
    (row,) = run(store, MARCH, ["visit", "cart", "purchase"])
    assert counts(row, 3) == [2, 2, 1]
    assert row["median_seconds_2"] == pytest.approx(2.5 * HOUR)
    assert row["median_seconds_3"] == pytest.approx(2 * HOUR)
    # A funnel that starts later: everyone with a cart in March enters.
    (row,) = run(store, MARCH, ["cart", "purchase"])
    assert counts(row, 2) == [3, 2]
    assert row["median_seconds_2"] == pytest.approx((2 * HOUR + 30) / 2)
    # Steps in a different order than the stages table are the caller's business;
    # the query follows the order it is given.
    (row,) = run(store, MARCH, ["signup", "cart"])
    assert counts(row, 2) == [2, 1]
    # One step: just the entrants.
    (row,) = run(store, MARCH, ["visit"])
    assert row == {"reached_1": 2}


def test_nobody_entered_gives_one_row_of_zeros(store):
    load(store, [("c1", "visit", at(1, month=1))], [("c1", "SMB", "North")])
    (row,) = run(store, MARCH, ["visit", "cart"])
    assert row == {"reached_1": 0, "reached_2": 0, "median_seconds_2": None}
    assert run(store, MARCH, ["visit", "cart"], by="segment") == []


def test_median_seconds_are_exact(store):
    base = at(4, 0)
    gaps = [1, 2, 3, 4, 1000]  # seconds; median 3
    load(
        store,
        [
            e
            for i, gap in enumerate(gaps)
            for e in (
                (f"c{i}", "visit", base),
                (f"c{i}", "cart", base + dt.timedelta(seconds=gap)),
            )
        ],
    )
    (row,) = run(store, MARCH, ["visit", "cart"])
    assert row["median_seconds_2"] == 3.0
    # Long gaps keep their milliseconds (single precision would round to 0.25 s here).
    load(
        store,
        [
            ("long1", "visit", at(20)),
            ("long1", "cart", at(20) + dt.timedelta(days=29, milliseconds=1)),
            ("long2", "visit", at(20)),
            ("long2", "cart", at(20) + dt.timedelta(days=29, milliseconds=3)),
        ],
    )
    (row,) = run(store, MARCH.replace(date_from=dt.date(2025, 3, 20)), ["visit", "cart"])
    assert row["median_seconds_2"] == pytest.approx(29 * DAY + 0.002, rel=0, abs=1e-5)


def test_result_columns(store):
    frame = db.fetch(funnel(MARCH, ["visit", "signup", "cart"], by="channel"), store)
    assert frame.columns == [
        "channel",
        "reached_1",
        "reached_2",
        "reached_3",
        "median_seconds_2",
        "median_seconds_3",
    ]


# -- statement building (no database) ------------------------------------------


@pytest.mark.parametrize(
    ("steps", "window", "by", "message"),
    [
        ([], 30, None, "at least one step"),
        ("visit", 30, None, "not one string"),
        (["visit", "cart", "visit"], 30, None, "must not repeat; repeated: visit"),
        (["visit", ""], 30, None, "stage name"),
        (["visit", "cart"], 0, None, "window must be positive"),
        (["visit", "cart"], -1, None, "window must be positive"),
        (["visit", "cart"], float("nan"), None, "window must be positive"),
        (["visit", "cart"], float("inf"), None, "too long"),
        (["visit", "cart"], 30, "shoe_size", "unknown dimension 'shoe_size'"),
    ],
)
def test_bad_arguments_are_refused(steps, window, by, message):
    with pytest.raises(ValueError, match=message):
        funnel(MARCH, steps, window, by)


def test_every_value_is_a_bound_parameter():
    stmt = funnel(MARCH.replace(segment=("SMB' OR 1=1",)), ["vis'it", "cart"], 30, by="region")
    sql = str(stmt.compile(dialect=sa.dialects.postgresql.dialect()))
    assert "vis'it" not in sql and "SMB'" not in sql and "2592000" not in sql


def test_a_huge_window_does_not_overflow(store):
    load(store, [("c1", "visit", at(1)), ("c1", "cart", at(1, month=6))])
    (row,) = run(store, MARCH, ["visit", "cart"], window_days=10**6)
    assert counts(row, 2) == [1, 1]


# -- funnel_table (pure, hand-built frames) ------------------------------------


def test_funnel_table_conversions_dropoff_and_timing():
    wide = pl.DataFrame(
        {
            "reached_1": [200],
            "reached_2": [50],
            "reached_3": [10],
            "median_seconds_2": [60.0],
            "median_seconds_3": [None],
        }
    )
    table = funnel_table(wide, ["visit", "cart", "purchase"])
    assert table.columns == [
        "step",
        "position",
        "customers",
        "conversion_from_previous",
        "conversion_overall",
        "dropoff",
        "median_seconds_from_previous",
    ]
    assert table.rows() == [
        ("visit", 1, 200, None, 100.0, None, None),
        ("cart", 2, 50, 25.0, 25.0, 150, 60.0),
        ("purchase", 3, 10, 20.0, 5.0, 40, None),
    ]


def test_funnel_table_nulls_when_nobody_reached_the_previous_step():
    wide = pl.DataFrame(
        {
            "reached_1": [0],
            "reached_2": [0],
            "median_seconds_2": [None],
        }
    )
    assert funnel_table(wide, ["visit", "cart"]).rows() == [
        ("visit", 1, 0, None, None, None, None),
        ("cart", 2, 0, None, None, 0, None),
    ]
    wide = pl.DataFrame(
        {
            "reached_1": [4],
            "reached_2": [0],
            "reached_3": [0],
            "median_seconds_2": [None],
            "median_seconds_3": [None],
        }
    )
    rows = funnel_table(wide, ["visit", "cart", "purchase"]).rows()
    assert rows[1][3:6] == (0.0, 0.0, 4)
    assert rows[2][3:6] == (None, 0.0, 0)


def test_funnel_table_groups_by_size_then_name():
    wide = pl.DataFrame(
        {
            "segment": ["SMB", "(unknown)", "Enterprise", "Mid"],
            "reached_1": [5, 3, 5, 0],
            "reached_2": [1, 3, 4, 0],
            "median_seconds_2": [10.0, 20.0, 30.0, None],
        }
    )
    table = funnel_table(wide, ["visit", "cart"], by="segment")
    assert table.columns[0] == "segment"
    assert table.select("segment", "step", "customers", "conversion_from_previous").rows() == [
        ("Enterprise", "visit", 5, None),
        ("Enterprise", "cart", 4, 80.0),
        ("SMB", "visit", 5, None),
        ("SMB", "cart", 1, 20.0),
        ("(unknown)", "visit", 3, None),
        ("(unknown)", "cart", 3, 100.0),
        ("Mid", "visit", 0, None),
        ("Mid", "cart", 0, None),
    ]


def test_funnel_table_of_an_empty_breakdown_keeps_its_columns():
    # What fetch returns on SQLite/PostgreSQL for no rows: every column of type Null.
    wide = pl.DataFrame(
        schema={
            "region": pl.Null,
            "reached_1": pl.Null,
            "reached_2": pl.Null,
            "median_seconds_2": pl.Null,
        }
    )
    table = funnel_table(wide, ["visit", "cart"], by="region")
    assert table.is_empty()
    assert table.schema["region"] == pl.String and table.schema["customers"] == pl.Int64


def test_funnel_table_refuses_a_mismatched_result():
    wide = pl.DataFrame({"reached_1": [3], "reached_2": [1], "median_seconds_2": [1.0]})
    with pytest.raises(ValueError, match="reached_3"):
        funnel_table(wide, ["visit", "cart", "purchase"])


def test_query_and_table_agree_end_to_end(store):
    segmented_store(store)
    steps = ["visit", "cart"]
    wide = db.fetch(funnel(MARCH, steps, by="segment"), store)
    table = funnel_table(wide, steps, by="segment")
    assert table.select("segment", "position", "customers", "conversion_overall").rows() == [
        ("(unknown)", 1, 3, 100.0),
        ("(unknown)", 2, 2, pytest.approx(200 / 3)),
        ("SMB", 1, 2, 100.0),
        ("SMB", 2, 1, 50.0),
        ("Enterprise", 1, 1, 100.0),
        ("Enterprise", 2, 1, 100.0),
    ]


# -- properties (hypothesis, DuckDB only) ---------------------------------------

STAGES = ("visit", "cart", "purchase")
PEOPLE = ("p0", "p1", "p2", "p3")
ORIGIN = dt.datetime(2025, 3, 1)
# Slots 4..7 of the grid below fall inside this period; earlier and later ones do not.
PROPERTY_PERIOD = Filters(date_from=dt.date(2025, 3, 2), date_to=dt.date(2025, 3, 2))


@pytest.fixture(scope="module")
def property_engine(tmp_path_factory):
    path = tmp_path_factory.mktemp("funnel_properties") / "store.duckdb"
    engine = db.create_engine(f"duckdb:///{path}", external_access=True)
    db.create_schema(engine)
    yield engine
    engine.dispose()


# Times on a coarse 6-hour grid over 3 days, so that ties, out-of-order steps, period
# edges and exact window edges (windows of 1, 2 or 4 slots) are common, plus an
# occasional odd second to fall just outside them.
event_times = st.builds(
    lambda slot, second: ORIGIN + dt.timedelta(hours=6 * slot, seconds=second),
    st.integers(0, 11),
    st.sampled_from([0, 0, 0, 1]),
)
# Each person gets up to three events of every stage, so that chains form often.
event_sets = st.fixed_dictionaries(
    {
        person: st.fixed_dictionaries(
            {stage: st.lists(event_times, max_size=3) for stage in STAGES}
        )
        for person in PEOPLE
    }
).map(
    lambda by_person: [
        (person, stage, t)
        for person, by_stage in by_person.items()
        for stage, times in by_stage.items()
        for t in times
    ]
)
segment_values = st.sampled_from(["A", "B", "", None, "orphan"])  # "orphan": no customers row


def reference_funnel(events, steps, window_days, f: Filters, segments, by):
    """DESIGN.md's definition, literally, on Python lists: {group: (counts, gaps per step)}."""
    window = dt.timedelta(days=window_days)
    result: dict = {}
    for person in sorted({e[0] for e in events}):
        segment = segments[person]
        known = segment != "orphan"
        group = segment if known and segment else "(unknown)"
        if f.segment and group not in f.segment:
            continue
        mine = [(stage, t) for p, stage, t in events if p == person]
        entries = [
            t
            for stage, t in mine
            if stage == steps[0]
            and (f.start is None or t >= f.start)
            and (f.end is None or t < f.end)
        ]
        if not entries:
            continue
        key = group if by else None
        step_counts, gaps = result.setdefault(key, ([0] * len(steps), [[] for _ in steps]))
        entry = previous = min(entries)
        step_counts[0] += 1
        for i, step in enumerate(steps[1:], start=1):
            reached = [t for stage, t in mine if stage == step and previous <= t <= entry + window]
            if not reached:
                break
            step_counts[i] += 1
            gaps[i].append((min(reached) - previous).total_seconds())
            previous = min(reached)
    return result


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    events=event_sets,
    # Any order of any two or three stages (one-step funnels are covered above).
    steps=st.lists(st.sampled_from(STAGES), min_size=2, max_size=3, unique=True),
    window_days=st.sampled_from([0.25, 0.5, 1, 30]),
    period=st.sampled_from([PROPERTY_PERIOD, Filters()]),
    segments=st.fixed_dictionaries({p: segment_values for p in PEOPLE}),
    by=st.sampled_from([None, "segment"]),
    segment_filter=st.sampled_from([(), ("A",), ("B", "(unknown)")]),
)
def test_sql_agrees_with_the_definition(
    property_engine, events, steps, window_days, period, segments, by, segment_filter
):
    with db.begin(property_engine) as conn:
        conn.execute(schema.events.delete())
        conn.execute(schema.customers.delete())
    load(
        property_engine,
        events,
        [(p, s, None) for p, s in segments.items() if s != "orphan"],
    )
    f = period.replace(segment=segment_filter)
    expected = reference_funnel(events, steps, window_days, f, segments, by)
    k = len(steps)
    if by is None and not expected:
        expected = {None: ([0] * k, [[] for _ in steps])}
    wide = db.fetch(funnel(f, steps, window_days, by), property_engine)
    from_events = wide.to_dicts()
    from_rollup = run_from_rollup(property_engine, f, steps, window_days, by)
    for rows in (from_events, from_rollup):
        if rows is None:  # a step without any event: only the events statement answers
            continue
        got = {(row[by] if by else None): row for row in rows}
        assert set(got) == set(expected)
        for key, (step_counts, gaps) in expected.items():
            row = got[key]
            assert counts(row, k) == step_counts
            for i in range(2, k + 1):
                want = statistics.median(gaps[i - 1]) if gaps[i - 1] else None
                expected_median = pytest.approx(want) if want is not None else None
                assert row[f"median_seconds_{i}"] == expected_median

    # Properties of the presented table.
    table = funnel_table(wide, steps, by=by)
    groups = table.partition_by(by, maintain_order=True) if by else [table]
    for group in groups:
        customers = group["customers"].to_list()
        assert customers == sorted(customers, reverse=True)  # never increase along the steps
    for column in ("conversion_from_previous", "conversion_overall"):
        values = table[column].drop_nulls()
        assert values.is_between(0, 100).all()
