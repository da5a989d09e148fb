"""The funnel joined with satisfaction (queries.funnel_satisfaction,
dashboard.metrics.funnel_satisfaction, dashboard.why.funnel_satisfaction).

Expected numbers are worked out by hand from the fixtures next to them, following
DESIGN.md ("Why"); SQL tests run on DuckDB, SQLite and PostgreSQL (``store``) and
check that the statement over the summary tables gives exactly the same rows as the
one over the source tables. A hypothesis test compares both with a small
pure-Python reference on random stores.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Sequence

import polars as pl
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.dialects import postgresql

from dashboard import db, rollup_store, why
from dashboard.metrics import funnel_satisfaction as fs_metrics
from queries import funnel_satisfaction as fs_queries
from queries import rollups, schema
from queries.filters import Filters
from queries.funnel_rollup import covers
from tests.queries.test_funnel import MARCH, at, load

STATS = (
    "responses", "n_nps", "promoters", "detractors", "n_csat", "csat_top2", "csat_sum",
    "n_ces", "ces_sum", "ces_sumsq",
)  # fmt: skip
STEPS = ("visit", "cart", "purchase")
RESPONSE_IDS = itertools.count()


def load_feedback(
    engine: sa.Engine,
    rows: Sequence[tuple[str | None, str, dt.datetime, int | None, int | None, int | None]],
    channel: str = "Email",
) -> None:
    """rows: (customer_id or None, touchpoint, responded_at, nps, csat, ces)."""
    frame = pl.DataFrame(
        rows,
        schema={
            "customer_id": pl.String,
            "touchpoint": pl.String,
            "responded_at": pl.Datetime("us"),
            "nps": pl.Int16,
            "csat": pl.Int16,
            "ces": pl.Int16,
        },
        orient="row",
    ).with_columns(
        response_id=pl.Series([f"r{next(RESPONSE_IDS)}" for _ in rows], dtype=pl.String),
        channel=pl.lit(channel, pl.String),
    )
    with db.begin(engine) as conn:
        db.upsert_frame(conn, schema.feedback, frame)


def rows_of(frame: pl.DataFrame) -> dict[tuple[int, str, str], tuple]:
    """{(position, side, touchpoint): the ten statistics} of a statement's result."""
    return {
        (r["position"], r["side"], r["touchpoint"]): tuple(r[s] for s in STATS)
        for r in frame.to_dicts()
    }


def run(engine: sa.Engine, f: Filters, steps=STEPS, window_days: float = 30) -> dict:
    """The source statement's rows; also checks that the rollup statement (after a
    refresh) gives exactly the same rows."""
    got = db.fetch(fs_queries.funnel_satisfaction(f, steps, window_days), engine)
    rollup_store.refresh_store(engine)
    index = dict(db.fetch(sa.select(rollups.funnel_stages), engine).iter_rows())
    if covers(steps, index):
        statement = fs_queries.funnel_satisfaction_from_rollup(f, steps, index, window_days)
        assert rows_of(db.fetch(statement, engine)) == rows_of(got)
    return rows_of(got)


def stats(
    responses, n_nps, promoters, detractors, n_csat, top2, csat_sum, n_ces, ces_sum, ces_sumsq
):
    return (
        responses, n_nps, promoters, detractors, n_csat, top2, float(csat_sum), n_ces,
        float(ces_sum), float(ces_sumsq),
    )  # fmt: skip


# -- the hand-worked store ----------------------------------------------------------------


def journey_store(engine: sa.Engine) -> None:
    """Five entrants in March (visit -> cart -> purchase, 30-day window):

    - a: visit, cart, purchase -> furthest 3 (converted at 2 and at 3);
    - b: visit, cart           -> furthest 2 (converted at 2, dropped at 3);
    - c: visit                 -> furthest 1 (dropped at 2);
    - d: visit, cart 35 days later (outside the window) -> furthest 1;
    - e: visit 1 Mar 12:00, cart exactly 30 days later (inside, inclusive), purchase
      30 days + 1 s after entry (outside) -> furthest 2;
    - f: visit in February only -> never entered; its March feedback never counts.
    """
    load(
        engine,
        [
            ("a", "visit", at(1)),
            ("a", "cart", at(2)),
            ("a", "purchase", at(3)),
            ("b", "visit", at(1)),
            ("b", "cart", at(2)),
            ("c", "visit", at(1)),
            ("d", "visit", at(1)),
            ("d", "cart", at(5, month=4)),
            ("e", "visit", at(1, 12)),
            ("e", "cart", at(31, 12)),
            ("e", "purchase", at(31, 12, 0, 1)),
            ("f", "visit", at(20, month=2)),
            ("f", "cart", at(2)),
        ],
        [("a", "SMB", "North"), ("b", "SMB", "South"), ("c", "Consumer", "North"),
         ("d", "Consumer", "South"), ("e", "Consumer", "North"), ("f", "SMB", "North")],
    )  # fmt: skip
    load_feedback(
        engine,
        [
            ("a", "Website", at(4), 10, 5, None),
            ("a", "Billing", at(5), 9, 4, 6),
            ("a", "Website", at(28, 23, 59, 59, month=2), 0, 1, 1),  # before the period
            ("a", "Website", at(1, month=4), 0, 1, 1),  # after the period
            ("b", "Billing", at(6), 3, 1, 2),
            ("b", "Website", at(7), 8, 4, None),
            ("c", "Website", at(8), 6, 2, None),
            ("d", "Billing", at(31, 23, 59, 59), 2, 2, 1),  # the period's last second
            ("e", "Website", at(1, 0), 9, 5, 7),  # before e entered: still in the period
            ("f", "Website", at(9), 0, 1, 1),  # not in the cohort
            (None, "Billing", at(10), 0, 1, 1),  # anonymous
            (None, "Website", at(11), 10, 5, 7),  # anonymous
        ],
    )


EXPECTED = {
    # Step 2 (cart): converted a, b, e; dropped c, d.
    (2, "converted", "(all)"): stats(5, 5, 3, 1, 5, 4, 19, 3, 15, 89),
    (2, "converted", "Billing"): stats(2, 2, 1, 1, 2, 1, 5, 2, 8, 40),
    (2, "converted", "Website"): stats(3, 3, 2, 0, 3, 3, 14, 1, 7, 49),
    (2, "dropped", "(all)"): stats(2, 2, 0, 2, 2, 0, 4, 1, 1, 1),
    (2, "dropped", "Billing"): stats(1, 1, 0, 1, 1, 0, 2, 1, 1, 1),
    (2, "dropped", "Website"): stats(1, 1, 0, 1, 1, 0, 2, 0, 0, 0),
    # Step 3 (purchase): of a, b, e, only a converted.
    (3, "converted", "(all)"): stats(2, 2, 2, 0, 2, 2, 9, 1, 6, 36),
    (3, "converted", "Billing"): stats(1, 1, 1, 0, 1, 1, 4, 1, 6, 36),
    (3, "converted", "Website"): stats(1, 1, 1, 0, 1, 1, 5, 0, 0, 0),
    (3, "dropped", "(all)"): stats(3, 3, 1, 1, 3, 2, 10, 2, 9, 53),
    (3, "dropped", "Billing"): stats(1, 1, 0, 1, 1, 0, 1, 1, 2, 4),
    (3, "dropped", "Website"): stats(2, 2, 1, 0, 2, 2, 9, 1, 7, 49),
}


def test_converted_and_dropped_per_step_and_touchpoint(store):
    journey_store(store)
    assert run(store, MARCH) == EXPECTED


def test_window_edge_moves_customers_between_sides(store):
    journey_store(store)
    # One second longer: e's purchase (30 days + 1 s after entry) now counts, so e
    # converts at step 3 too.
    got = run(store, MARCH, window_days=30 + 1 / 86_400)
    assert got[3, "converted", "(all)"] == stats(3, 3, 3, 0, 3, 3, 14, 2, 13, 85)
    assert got[3, "dropped", "(all)"] == stats(2, 2, 0, 1, 2, 1, 5, 1, 2, 4)
    # Half a day: nobody's cart is within the window -> everyone dropped at step 2,
    # and step 3 has nobody who reached step 2.
    got = run(store, MARCH, window_days=0.5)
    assert set(got) == {(2, "dropped", t) for t in ("(all)", "Billing", "Website")}
    assert got[2, "dropped", "(all)"] == stats(7, 7, 3, 3, 7, 4, 23, 4, 16, 90)


def test_period_selects_entrants_and_responses(store):
    journey_store(store)
    # Entry on 1 March only: the same five entrants, but only the responses of that
    # day count -- e's at 00:00.
    got = run(store, MARCH.replace(date_to=dt.date(2025, 3, 1)))
    assert got == {
        (2, "converted", "(all)"): stats(1, 1, 1, 0, 1, 1, 5, 1, 7, 49),
        (2, "converted", "Website"): stats(1, 1, 1, 0, 1, 1, 5, 1, 7, 49),
        (3, "dropped", "(all)"): stats(1, 1, 1, 0, 1, 1, 5, 1, 7, 49),
        (3, "dropped", "Website"): stats(1, 1, 1, 0, 1, 1, 5, 1, 7, 49),
    }
    # April: nobody enters, so nothing counts (a's April response included).
    assert run(store, Filters(date_from=dt.date(2025, 4, 1), date_to=dt.date(2025, 4, 30))) == {}


def test_filters_dimension_selects_cohort_touchpoint_and_channel_select_responses(store):
    journey_store(store)
    # Segment SMB: a and b (f never entered).
    got = run(store, MARCH.replace(segment=("SMB",)))
    assert got == {
        (2, "converted", "(all)"): stats(4, 4, 2, 1, 4, 3, 14, 2, 8, 40),
        (2, "converted", "Billing"): stats(2, 2, 1, 1, 2, 1, 5, 2, 8, 40),
        (2, "converted", "Website"): stats(2, 2, 1, 0, 2, 2, 9, 0, 0, 0),
        (3, "converted", "(all)"): stats(2, 2, 2, 0, 2, 2, 9, 1, 6, 36),
        (3, "converted", "Billing"): stats(1, 1, 1, 0, 1, 1, 4, 1, 6, 36),
        (3, "converted", "Website"): stats(1, 1, 1, 0, 1, 1, 5, 0, 0, 0),
        (3, "dropped", "(all)"): stats(2, 2, 0, 1, 2, 1, 5, 1, 2, 4),
        (3, "dropped", "Billing"): stats(1, 1, 0, 1, 1, 0, 1, 1, 2, 4),
        (3, "dropped", "Website"): stats(1, 1, 0, 0, 1, 1, 4, 0, 0, 0),
    }
    # Touchpoint Billing: the '(all)' rows equal the Billing rows.
    got = run(store, MARCH.replace(touchpoint=("Billing",)))
    assert got == {
        (position, side, touchpoint): EXPECTED[position, side, "Billing"]
        for position, side, touchpoint in EXPECTED
        if touchpoint in ("Billing", "(all)")
    }
    # A survey channel nobody answered through: nothing.
    assert run(store, MARCH.replace(survey_channel=("SMS",))) == {}


def test_orphan_customers_count_without_dimension_filters_only(store):
    # g has events and feedback but no customers row (an orphan, like the funnel's).
    load(store, [("g", "visit", at(3)), ("h", "visit", at(3))], [("h", "SMB", "North")])
    load_feedback(store, [("g", "Store", at(4), 5, 3, None), ("h", "Store", at(4), 9, 4, None)])
    got = run(store, MARCH, ["visit", "cart"])
    assert got[2, "dropped", "Store"] == stats(2, 2, 1, 1, 2, 1, 7, 0, 0, 0)
    got = run(store, MARCH.replace(region=("North",)), ["visit", "cart"])
    assert got[2, "dropped", "Store"] == stats(1, 1, 1, 0, 1, 1, 4, 0, 0, 0)


def test_statement_refuses_a_single_step():
    with pytest.raises(ValueError, match="at least two steps"):
        fs_queries.funnel_satisfaction(MARCH, ["visit"])


def test_constants_agree_between_statement_and_metrics():
    assert fs_metrics.ALL_TOUCHPOINTS == fs_queries.ALL_TOUCHPOINTS
    assert fs_metrics.SIDES == fs_queries.SIDES


# -- the presented table ------------------------------------------------------------------


def summary_frame(rows: list[dict]) -> pl.DataFrame:
    base = dict.fromkeys(STATS, 0)
    return pl.DataFrame([{**base, **row} for row in rows])


def test_step_table_nps_values_margins_and_test():
    summary = summary_frame(
        [
            {
                "position": 2,
                "side": "converted",
                "touchpoint": "(all)",
                "n_nps": 100,
                "promoters": 50,
                "detractors": 10,
            },
            {
                "position": 2,
                "side": "dropped",
                "touchpoint": "(all)",
                "n_nps": 50,
                "promoters": 10,
                "detractors": 20,
            },
            # Dropped side of Billing below privacy_n (4 < 5): hidden and not tested.
            {
                "position": 2,
                "side": "converted",
                "touchpoint": "Billing",
                "n_nps": 40,
                "promoters": 10,
                "detractors": 10,
            },
            {
                "position": 2,
                "side": "dropped",
                "touchpoint": "Billing",
                "n_nps": 4,
                "promoters": 0,
                "detractors": 4,
            },
        ]  # fmt: skip
    )
    table = fs_metrics.step_table(summary, ["visit", "cart", "purchase"], "nps", min_n=30)
    assert table.columns[:12] == [
        "step", "touchpoint", "n_converted", "value_converted", "moe_converted", "n_dropped",
        "value_dropped", "moe_dropped", "delta", "p", "q", "significant",
    ]  # fmt: skip
    rows = {(r["step"], r["touchpoint"]): r for r in table.to_dicts()}
    # Every step has its (all) row, data or not; (all) comes first.
    assert table.select("step", "touchpoint").rows() == [
        ("cart", "(all)"), ("cart", "Billing"), ("purchase", "(all)"),
    ]  # fmt: skip
    everyone = rows["cart", "(all)"]
    assert everyone["value_converted"] == pytest.approx(40)
    assert everyone["value_dropped"] == pytest.approx(-20)
    assert everyone["delta"] == pytest.approx(60)
    # MoE = 1.96 sqrt((pP + pD - (pP - pD)^2) / n) * 100.
    assert everyone["moe_converted"] == pytest.approx(1.96 * math.sqrt(0.44 / 100) * 100)
    assert everyone["moe_dropped"] == pytest.approx(1.96 * math.sqrt(0.56 / 50) * 100)
    z = 0.6 / math.sqrt(0.44 / 100 + 0.56 / 50)
    assert everyone["p"] == pytest.approx(math.erfc(z / math.sqrt(2)))
    assert everyone["q"] == pytest.approx(everyone["p"])  # the only tested row: m = 1
    assert everyone["significant"] == "up"
    assert (everyone["low_n_converted"], everyone["low_n_dropped"]) == (False, False)
    billing = rows["cart", "Billing"]
    assert billing["value_dropped"] is None and billing["moe_dropped"] is None
    assert billing["hidden_dropped"] and billing["low_n_dropped"]
    assert billing["value_converted"] == pytest.approx(0) and not billing["hidden_converted"]
    assert billing["delta"] is None and billing["p"] is None and billing["significant"] is None
    purchase = rows["purchase", "(all)"]
    assert purchase["n_converted"] == 0 and purchase["value_converted"] is None


def test_step_table_csat_and_ces_margins_and_tests():
    summary = summary_frame(
        [
            {
                "position": 2,
                "side": "converted",
                "touchpoint": "(all)",
                "n_csat": 100,
                "csat_top2": 80,
                "n_ces": 4,
                "ces_sum": 10,
                "ces_sumsq": 30,
            },
            {
                "position": 2,
                "side": "dropped",
                "touchpoint": "(all)",
                "n_csat": 100,
                "csat_top2": 70,
                "n_ces": 6,
                "ces_sum": 30,
                "ces_sumsq": 160,
            },
        ]  # fmt: skip
    )
    csat = fs_metrics.step_table(summary, ["a", "b"], "csat", min_n=30, privacy_n=1).row(
        0, named=True
    )
    assert csat["value_converted"] == pytest.approx(80)
    assert csat["moe_converted"] == pytest.approx(1.96 * math.sqrt(0.8 * 0.2 / 100) * 100)
    assert csat["moe_dropped"] == pytest.approx(1.96 * math.sqrt(0.7 * 0.3 / 100) * 100)
    z = 0.1 / math.sqrt(0.8 * 0.2 / 100 + 0.7 * 0.3 / 100)
    assert csat["p"] == pytest.approx(math.erfc(z / math.sqrt(2)))
    assert csat["significant"] is None  # p = 0.10
    ces = fs_metrics.step_table(summary, ["a", "b"], "ces", min_n=30, privacy_n=1).row(
        0, named=True
    )
    # Converted 1, 2, 3, 4: mean 2.5, s^2 = 5/3. Dropped: mean 5, s^2 = (160 - 150) / 5 = 2.
    assert ces["value_converted"] == pytest.approx(2.5)
    assert ces["moe_converted"] == pytest.approx(1.96 * math.sqrt(5 / 3 / 4))
    assert ces["moe_dropped"] == pytest.approx(1.96 * math.sqrt(2 / 6))
    assert ces["delta"] == pytest.approx(-2.5)
    from scipy import stats as scipy_stats

    welch = scipy_stats.ttest_ind_from_stats(
        2.5, math.sqrt(5 / 3), 4, 5.0, math.sqrt(2.0), 6, equal_var=False
    )
    assert ces["p"] == pytest.approx(welch.pvalue)
    assert ces["significant"] == "down"  # p = 0.03, the only test
    assert ces["low_n_converted"] and ces["low_n_dropped"]


def test_step_table_corrects_over_the_whole_table():
    # Two rows with p = 0.04 and p = 0.5-ish: BH with m = 2 lifts 0.04 to 0.08.
    summary = summary_frame(
        [
            {
                "position": 2,
                "side": "converted",
                "touchpoint": "(all)",
                "n_csat": 1000,
                "csat_top2": 545,
            },
            {
                "position": 2,
                "side": "dropped",
                "touchpoint": "(all)",
                "n_csat": 1000,
                "csat_top2": 500,
            },
            {
                "position": 2,
                "side": "converted",
                "touchpoint": "Web",
                "n_csat": 1000,
                "csat_top2": 510,
            },
            {
                "position": 2,
                "side": "dropped",
                "touchpoint": "Web",
                "n_csat": 1000,
                "csat_top2": 500,
            },
        ]  # fmt: skip
    )
    table = fs_metrics.step_table(summary, ["a", "b"], "csat", min_n=30)
    p_all, p_web = table["p"].to_list()
    assert p_all < 0.05 < p_web
    assert table["q"].to_list() == pytest.approx([min(p_all * 2, p_web), p_web])
    assert table["significant"].to_list() == [None, None]


def test_step_table_of_an_empty_result_has_its_all_rows():
    empty = pl.DataFrame(schema={"position": pl.Null, "side": pl.Null, "touchpoint": pl.Null,
                                 **dict.fromkeys(STATS, pl.Null)})  # fmt: skip
    table = fs_metrics.step_table(empty, ["a", "b", "c"], "nps", min_n=30)
    assert table.select("step", "touchpoint", "n_converted", "n_dropped").rows() == [
        ("b", "(all)", 0, 0),
        ("c", "(all)", 0, 0),
    ]
    assert table.schema == pl.Schema(fs_metrics.TABLE_SCHEMA)


# -- the service ----------------------------------------------------------------------------


def test_service_reads_the_summaries_or_the_sources_with_the_same_result(store):
    journey_store(store)
    with db.begin(store) as conn:
        db.upsert_frame(
            conn,
            schema.stages,
            pl.DataFrame({"stage": list(STEPS), "position": [1, 2, 3]}),
        )
    from_sources = why.funnel_satisfaction(store, MARCH, metric="csat")
    assert "rollup_" not in str(why.funnel_satisfaction_query(store, MARCH, STEPS, 30))
    rollup_store.refresh_store(store)
    assert "rollup_customer_keys" in str(why.funnel_satisfaction_query(store, MARCH, STEPS, 30))
    from_summaries = why.funnel_satisfaction(store, MARCH, metric="csat")
    assert from_summaries.equals(from_sources)
    # The stages table gives the default steps; CSAT top-2 of step 2's converted: 4 of 5.
    row = from_sources.row(0, named=True)
    assert (row["step"], row["touchpoint"], row["n_converted"]) == ("cart", "(all)", 5)
    assert row["value_converted"] == pytest.approx(80)
    with pytest.raises(ValueError, match="unknown stage 'basket'"):
        why.funnel_satisfaction(store, MARCH, ["visit", "basket"])
    with pytest.raises(ValueError, match="metric must be one of"):
        why.funnel_satisfaction(store, MARCH, metric="happiness")


def test_service_falls_back_to_the_sources_when_the_key_table_is_missing(duck_store):
    journey_store(duck_store)
    rollup_store.refresh_store(duck_store)
    with db.begin(duck_store) as conn:  # summaries built before the key table existed
        conn.execute(sa.schema.DropTable(rollups.customer_keys))
    rollup_store.forget_decisions()
    table = why.funnel_satisfaction(duck_store, MARCH, STEPS, 30, "nps")
    assert table.filter(pl.col("touchpoint") == "(all)")["n_converted"].to_list() == [5, 2]
    # The next refresh, even a partial one, creates and fills it.
    load_feedback(duck_store, [("a", "Store", at(12), 7, 3, None)])
    with db.begin(duck_store) as conn:
        rollup_store.refresh(conn, changed={"feedback"})
    count = sa.select(sa.func.count()).select_from(rollups.customer_keys)
    assert db.fetch(count, duck_store).item() == 6  # a..f, everyone with events


# -- property: SQL against a pure-Python reference (DuckDB) --------------------------------

PEOPLE = ("p0", "p1", "p2", "p3")
ORIGIN = dt.datetime(2025, 3, 1)
PROPERTY_PERIOD = Filters(date_from=dt.date(2025, 3, 2), date_to=dt.date(2025, 3, 2))
TOUCHPOINTS = ("Web", "Store")


@pytest.fixture(scope="module")
def property_engine(tmp_path_factory):
    path = tmp_path_factory.mktemp("funnel_satisfaction") / "store.duckdb"
    engine = db.create_engine(f"duckdb:///{path}", external_access=True)
    db.create_schema(engine)
    yield engine
    engine.dispose()


# Times on a 6-hour grid over three days (slots 4..7 are the period), an odd second
# now and then, as in tests/test_funnel.py.
times = st.builds(
    lambda slot, second: ORIGIN + dt.timedelta(hours=6 * slot, seconds=second),
    st.integers(0, 11),
    st.sampled_from([0, 0, 0, 1]),
)
event_sets = st.lists(
    st.tuples(st.sampled_from(PEOPLE), st.sampled_from(STEPS), times), max_size=24
)
responses = st.lists(
    st.tuples(
        st.sampled_from([*PEOPLE, None]),
        st.sampled_from(TOUCHPOINTS),
        times,
        st.one_of(st.none(), st.integers(0, 10)),
        st.one_of(st.none(), st.integers(1, 5)),
        st.one_of(st.none(), st.integers(1, 7)),
    ).filter(lambda r: r[3] is not None or r[4] is not None or r[5] is not None),
    max_size=16,
)


def furthest_step(events, person, steps, window_days, f: Filters) -> int:
    """DESIGN.md's funnel for one person: 0 = not entered, else the last step reached."""
    window = dt.timedelta(days=window_days)
    mine = [(stage, t) for p, stage, t in events if p == person]
    entries = [
        t
        for stage, t in mine
        if stage == steps[0] and (f.start is None or t >= f.start) and (f.end is None or t < f.end)
    ]
    if not entries:
        return 0
    entry = previous = min(entries)
    reached = 1
    for step in steps[1:]:
        later = [t for stage, t in mine if stage == step and previous <= t <= entry + window]
        if not later:
            break
        previous, reached = min(later), reached + 1
    return reached


def reference(events, feedback, steps, window_days, f: Filters, segments) -> dict:
    """{(position, side, touchpoint): statistics}, straight from the definition."""
    out: dict = {}
    for person in PEOPLE:
        segment = segments[person]
        group = segment if segment and segment != "orphan" else "(unknown)"
        if f.segment and group not in f.segment:
            continue
        furthest = furthest_step(events, person, steps, window_days, f)
        if furthest == 0:
            continue
        mine = [
            r
            for r in feedback
            if r[0] == person
            and (f.start is None or r[2] >= f.start)
            and (f.end is None or r[2] < f.end)
        ]
        for position in range(2, len(steps) + 1):
            if furthest < position - 1:
                continue
            side = "converted" if furthest >= position else "dropped"
            for _, touchpoint, _, nps, csat, ces in mine:
                for key in ((position, side, touchpoint), (position, side, "(all)")):
                    s = out.setdefault(key, [0] * 10)
                    s[0] += 1
                    if nps is not None:
                        s[1] += 1
                        s[2] += nps >= 9
                        s[3] += nps <= 6
                    if csat is not None:
                        s[4] += 1
                        s[5] += csat >= 4
                        s[6] += csat
                    if ces is not None:
                        s[7] += 1
                        s[8] += ces
                        s[9] += ces * ces
    return {key: stats(*s) for key, s in out.items()}


@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    events=event_sets,
    feedback=responses,
    steps=st.lists(st.sampled_from(STEPS), min_size=2, max_size=3, unique=True),
    window_days=st.sampled_from([0.25, 0.5, 1, 30]),
    period=st.sampled_from([PROPERTY_PERIOD, Filters()]),
    segments=st.fixed_dictionaries({p: st.sampled_from(["A", "B", "", "orphan"]) for p in PEOPLE}),
    segment_filter=st.sampled_from([(), ("A",), ("B", "(unknown)")]),
)
def test_sql_agrees_with_the_definition(
    property_engine, events, feedback, steps, window_days, period, segments, segment_filter
):
    with db.begin(property_engine) as conn:
        for table in (schema.events, schema.customers, schema.feedback):
            conn.execute(table.delete())
    load(
        property_engine,
        events,
        [(p, s, None) for p, s in segments.items() if s != "orphan"],
    )
    if feedback:
        load_feedback(property_engine, feedback)
    f = period.replace(segment=segment_filter)
    expected = reference(events, feedback, steps, window_days, f, segments)
    got = db.fetch(fs_queries.funnel_satisfaction(f, steps, window_days), property_engine)
    assert rows_of(got) == expected
    rollup_store.refresh_store(property_engine)
    index = dict(db.fetch(sa.select(rollups.funnel_stages), property_engine).iter_rows())
    if covers(steps, index):
        statement = fs_queries.funnel_satisfaction_from_rollup(f, steps, index, window_days)
        assert rows_of(db.fetch(statement, property_engine)) == expected


def test_every_value_is_a_bound_parameter():
    f = MARCH.replace(segment=("SMB' OR 1=1",), touchpoint=("Bill'ing",), survey_channel=("S'MS",))
    index = {"vis'it": 1, "cart": 2}
    for statement in (
        fs_queries.funnel_satisfaction(f, ["vis'it", "cart"], 30),
        fs_queries.funnel_satisfaction_from_rollup(f, ["vis'it", "cart"], index, 30),
    ):
        sql = str(statement.compile(dialect=postgresql.dialect()))
        assert "vis'it" not in sql and "SMB'" not in sql and "Bill'ing" not in sql
        assert "S'MS" not in sql and "2592000" not in sql


# -- the comments of the customers who dropped ----------------------------------------------


def comment_store(engine: sa.Engine) -> None:
    """The journey store plus comments: who dropped where decides whose count."""
    journey_store(engine)
    rows = [
        ("k1", "a", "Billing", at(5, 1), "a converted at 2 and 3"),
        ("k2", "b", "Billing", at(6, 1), "b dropped at 3: Billing"),
        ("k3", "b", "Website", at(7, 1), "b dropped at 3: Website"),
        ("k4", "e", "Website", at(9, 1), "e dropped at 3"),
        ("k5", "c", "Website", at(8, 1), "c dropped at 2"),
        ("k6", "b", "Billing", at(1, month=4), "b, after the period"),
        ("k7", None, "Billing", at(10, 1), "anonymous"),
        ("k8", "b", "Billing", at(12, 1), "   "),  # blank: not a comment
    ]
    frame = pl.DataFrame(
        rows,
        schema={"response_id": pl.String, "customer_id": pl.String, "touchpoint": pl.String,
                "responded_at": pl.Datetime("us"), "comment": pl.String},
        orient="row",
    ).with_columns(nps=pl.lit(5, pl.Int16), channel=pl.lit("Email"))  # fmt: skip
    with db.begin(engine) as conn:
        db.upsert_frame(conn, schema.feedback, frame)


def dropped_texts(engine: sa.Engine, position: int, touchpoint: str | None, **kwargs) -> list:
    """The comments from the source tables; the summary tables' statement must agree."""
    statement = fs_queries.dropped_comments(MARCH, STEPS, position, 30, touchpoint, **kwargs)
    got = db.fetch(statement, engine)["comment"].to_list()
    count = db.fetch(fs_queries.dropped_comment_count(MARCH, STEPS, position, 30, touchpoint),
                     engine).row(0, named=True)  # fmt: skip
    rollup_store.refresh_store(engine)
    index = dict(db.fetch(sa.select(rollups.funnel_stages), engine).iter_rows())
    from_rollup = fs_queries.dropped_comments(
        MARCH, STEPS, position, 30, touchpoint, stage_index=index, **kwargs
    )
    assert db.fetch(from_rollup, engine)["comment"].to_list() == got
    if not kwargs:
        assert count["comments"] == len(got)
    return got


def test_dropped_comments_are_those_of_the_customers_who_dropped_at_the_step(store):
    comment_store(store)
    # Step 3 (purchase): b and e dropped; newest first; a (converted), c (dropped at 2),
    # April and anonymous responses and blank comments never show.
    assert dropped_texts(store, 3, "Billing") == ["b dropped at 3: Billing"]
    assert dropped_texts(store, 3, "(all)") == [
        "e dropped at 3", "b dropped at 3: Website", "b dropped at 3: Billing"
    ]  # fmt: skip
    assert dropped_texts(store, 3, None, limit=1, offset=1) == ["b dropped at 3: Website"]
    # Step 2 (cart): c and d dropped; only c commented.
    assert dropped_texts(store, 2, None) == ["c dropped at 2"]
    count = db.fetch(fs_queries.dropped_comment_count(MARCH, STEPS, 3, 30), store)
    assert count.row(0, named=True) == {"comments": 3, "customers": 2}


def test_dropped_comments_refuse_a_step_without_a_step_before():
    with pytest.raises(ValueError, match="2..3"):
        fs_queries.dropped_comments(MARCH, STEPS, 1)
    with pytest.raises(ValueError, match="at least two steps"):
        fs_queries.dropped_comment_count(MARCH, ["visit"], 2)


def test_service_dropped_comments_name_the_step(duck_store):
    comment_store(duck_store)
    got = why.dropped_comments(duck_store, MARCH, STEPS, 30, "purchase", "Website")
    assert got["comment"].to_list() == ["e dropped at 3", "b dropped at 3: Website"]
    assert list(got.columns) == ["response_id", "responded_at", "touchpoint", "nps", "csat",
                                 "ces", "comment", "language", "segment"]  # fmt: skip
    assert why.dropped_comment_count(duck_store, MARCH, STEPS, 30, "purchase") == {
        "comments": 3, "customers": 2
    }  # fmt: skip
    with pytest.raises(ValueError, match="not a step after the first"):
        why.dropped_comments(duck_store, MARCH, STEPS, 30, "visit")


def test_clearest_gap_is_the_largest_against_its_uncertainty():
    def row(step, touchpoint, delta, moe, significant="up"):
        return {"step": step, "touchpoint": touchpoint, "delta": delta, "moe_converted": moe,
                "moe_dropped": moe, "significant": significant}  # fmt: skip

    table = pl.DataFrame(
        [
            row("cart", "(all)", 30.0, 1.0),  # all touchpoints together: not a touchpoint
            row("cart", "Store", 25.0, 20.0),  # large, but on few responses
            row("purchase", "Billing", 15.0, 3.0),  # the clearest: 15 / (3 sqrt 2 / 1.96)
            row("purchase", "Website", 40.0, 1.0, significant=None),  # not significant
        ]
    )
    assert fs_metrics.clearest_gap(table)["touchpoint"] == "Billing"
    assert fs_metrics.clearest_gap(table.filter(pl.col("touchpoint") == "Website")) is None
