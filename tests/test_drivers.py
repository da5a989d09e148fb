"""Key drivers of NPS (queries.drivers, dashboard.metrics.drivers, dashboard.why).

The weights are checked against examples worked by hand (orthogonal predictors, two
correlated predictors in closed form), against a planted driver, and for the
behaviours DESIGN.md asks for: pairwise correlations with a listwise fallback, the
min_n cut, a seeded bootstrap. The SQL aggregates run on DuckDB, SQLite and
PostgreSQL with a hand-worked fixture.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math

import numpy as np
import polars as pl
import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from dashboard import db, why
from dashboard.metrics import drivers
from queries import drivers as driver_queries
from queries import schema
from tests.queries.test_funnel import MARCH, at
from tests.test_funnel_satisfaction import load_feedback

NO_CSAT = pl.DataFrame(
    schema={"touchpoint": pl.String, "n_csat": pl.Int64, "csat_top2": pl.Int64,
            "target_csat": pl.Float64}
)  # fmt: skip


def scores_frame(customers: dict[str, tuple[float, dict[str, float]]]) -> pl.DataFrame:
    """{customer: (mean NPS, {touchpoint: mean CSAT})} as customer_scores returns it
    (one response each: sums are the values, counts 1)."""
    rows = [
        {"customer_id": c, "touchpoint": t, "csat_sum": x, "csat_n": 1, "nps_sum": y,
         "nps_n": 1}
        for c, (y, xs) in sorted(customers.items())
        for t, x in sorted(xs.items())
    ]  # fmt: skip
    return pl.DataFrame(
        rows,
        schema={"customer_id": pl.String, "touchpoint": pl.String, "csat_sum": pl.Float64,
                "csat_n": pl.Int64, "nps_sum": pl.Float64, "nps_n": pl.Int64},
    )  # fmt: skip


def frame_from_arrays(y: np.ndarray, xs: dict[str, np.ndarray]) -> pl.DataFrame:
    """Customers c0.. with NPS y and CSAT x_t (NaN = no CSAT there)."""
    return scores_frame(
        {
            f"c{i:06d}": (
                float(y[i]),
                {t: float(x[i]) for t, x in xs.items() if not np.isnan(x[i])},
            )
            for i in range(len(y))
        }
    )


# -- the weights by hand --------------------------------------------------------------------


def test_two_correlated_predictors_in_closed_form():
    # rho = 0.6: Lambda* = [[a, b], [b, a]], a = 3/sqrt(10), b = 1/sqrt(10); with
    # r_xy = (0.5, 0.3): beta = (1.5, 0.5)/sqrt(10), eps = (0.205, 0.045), R^2 = 0.25,
    # which is also the OLS R^2, r' R^-1 r = 0.16 / 0.64.
    eps, beta = drivers.relative_weights(np.array([[1, 0.6], [0.6, 1]]), np.array([0.5, 0.3]))
    assert beta == pytest.approx(np.array([1.5, 0.5]) / math.sqrt(10))
    assert eps == pytest.approx([0.205, 0.045])
    assert eps.sum() == pytest.approx(0.25)


def test_orthogonal_predictors_weigh_their_squared_correlations():
    # x1 and x2 are uncorrelated by construction (a balanced 2 x 2 design), so
    # eps_j = r_jy^2: centred x's are +-2, sum x1c*y = 48, sum x2c*y = 16, sum x^2 = 32,
    # sum (y - mean)^2 = 89.5 -> r1^2 = 2304/2864, r2^2 = 256/2864; importance 90 / 10.
    x1 = [1, 1, 5, 5, 1, 1, 5, 5]
    x2 = [1, 5, 1, 5, 1, 5, 1, 5]
    y = [0, 4, 6, 10, 2, 3, 9, 8]
    frame = scores_frame({f"c{i}": (y[i], {"Billing": x1[i], "Delivery": x2[i]}) for i in range(8)})
    model = drivers.key_drivers(frame, NO_CSAT, min_n=5, intervals=False)
    table = model.table
    assert table["touchpoint"].to_list() == ["Billing", "Delivery"]
    assert table["importance"].to_list() == pytest.approx([90.0, 10.0])
    assert table["r2"].to_list() == pytest.approx([2560 / 2864] * 2)
    assert table["direction"].to_list() == [1, 1]
    assert table["n"].to_list() == [8, 8]
    assert model.method == "pairwise" and model.customers == 8
    assert table["ci_low"].is_null().all()
    # Eight customers for two drivers is fewer than ten each: said, not hidden.
    assert model.verdict.reason == "too_few_customers"


def test_negative_relation_gives_direction_minus_one():
    x1 = [1, 1, 5, 5, 1, 1, 5, 5]
    x2 = [1, 5, 1, 5, 1, 5, 1, 5]
    y = [10 - v for v in [0, 4, 6, 10, 2, 3, 9, 8]]  # NPS falls as x1 rises
    frame = scores_frame({f"c{i}": (y[i], {"Billing": x1[i], "Delivery": x2[i]}) for i in range(8)})
    table = drivers.key_drivers(frame, NO_CSAT, min_n=5, intervals=False).table
    assert table["direction"].to_list() == [-1, -1]
    assert table["importance"].to_list() == pytest.approx([90.0, 10.0])


def test_weights_do_not_depend_on_the_scale_of_x():
    rng = np.random.default_rng(3)
    x = {t: rng.integers(1, 6, 200).astype(float) for t in ("A", "B", "C")}
    y = np.clip(np.rint(2 + x["A"] + 0.5 * x["B"] + rng.normal(0, 1.5, 200)), 0, 10)
    base = drivers.key_drivers(frame_from_arrays(y, x), NO_CSAT, min_n=30, intervals=False)
    scaled = {t: 10 * v - 7 if t == "B" else v * 0.25 for t, v in x.items()}
    other = drivers.key_drivers(frame_from_arrays(y, scaled), NO_CSAT, min_n=30, intervals=False)
    assert other.table["touchpoint"].to_list() == base.table["touchpoint"].to_list()
    assert other.table["importance"].to_list() == pytest.approx(base.table["importance"].to_list())
    assert other.r2 == pytest.approx(base.r2)


def test_a_planted_driver_ranks_first():
    # Three touchpoints whose CSAT shares a customer mood (correlated x's); NPS follows
    # Delivery far more than the others. Each customer rated each touchpoint with
    # probability 0.7, so the correlations are pairwise. 20 simulated stores.
    firsts = []
    for seed in range(20):
        rng = np.random.default_rng(seed)
        n = 400
        mood = rng.normal(size=n)
        latent = {t: 0.6 * mood + 0.8 * rng.normal(size=n) for t in ("Billing", "Delivery", "Web")}
        x = {t: np.clip(np.rint(3 + 1.2 * v), 1, 5) for t, v in latent.items()}
        y = np.clip(
            np.rint(7 + 2.0 * latent["Delivery"] + 0.4 * latent["Web"] + rng.normal(0, 1.2, n)),
            0, 10,
        )  # fmt: skip
        for t in x:
            x[t][rng.random(n) < 0.3] = np.nan
        model = drivers.key_drivers(frame_from_arrays(y, x), NO_CSAT, min_n=30, intervals=False)
        assert model.method == "pairwise"
        firsts.append(model.table["touchpoint"][0])
    assert firsts.count("Delivery") >= 19, firsts


def test_non_positive_definite_pairwise_correlations_fall_back_to_listwise():
    # Three groups rated two touchpoints each, so each pair's correlation comes from
    # different customers: A and B move together in group 1, B and C in group 2, A and
    # C oppositely in group 3 -- no three variables can do that (R_xx is indefinite).
    # Twelve customers rated all three: the listwise estimate uses them alone.
    rng = np.random.default_rng(7)
    customers: dict = {}
    ids = itertools.count()
    for first, second, sign in (("A", "B", 1), ("B", "C", 1), ("A", "C", -1)):
        for _ in range(15):
            v = float(rng.integers(1, 6))
            other = v if sign > 0 else 6 - v
            customers[f"g{next(ids):03d}"] = (float(rng.integers(0, 11)), {first: v, second: other})
    complete = []
    for _ in range(12):
        xs = {t: float(rng.integers(1, 6)) for t in "ABC"}
        y = float(np.clip(xs["A"] + xs["B"] + rng.integers(0, 3), 0, 10))
        customers[f"k{next(ids):03d}"] = (y, xs)
        complete.append([y, xs["A"], xs["B"], xs["C"]])
    frame = scores_frame(customers)

    values = drivers.customer_matrix(frame, ["A", "B", "C"])
    pairwise = drivers._pairwise_correlations(drivers._moments(values, np.ones((1, len(values)))))
    assert not drivers.positive_definite(pairwise[0, 1:, 1:])

    model = drivers.key_drivers(frame, NO_CSAT, min_n=20, intervals=False)
    assert model.method == "listwise"
    assert model.table["method"].unique().to_list() == ["listwise"]
    r = np.corrcoef(np.array(complete), rowvar=False)
    eps, _ = drivers.relative_weights(r[1:, 1:], r[1:, 0])
    got = dict(zip(model.table["touchpoint"], model.table["importance"], strict=True))
    assert [got[t] for t in "ABC"] == pytest.approx(list(100 * eps / eps.sum()))
    assert model.r2 == pytest.approx(eps.sum())
    # n stays the pairs with y, whatever the method.
    assert dict(zip(model.table["touchpoint"], model.table["n"], strict=True)) == {
        "A": 42, "B": 42, "C": 42,
    }  # fmt: skip


def test_no_listwise_customers_means_not_estimable():
    customers = {}
    for i, (first, second, sign) in enumerate([("A", "B", 1), ("B", "C", 1), ("A", "C", -1)] * 15):
        v = float(i % 5 + 1)
        customers[f"c{i:03d}"] = (float((i * 7) % 11), {first: v, second: v if sign > 0 else 6 - v})
    model = drivers.key_drivers(scores_frame(customers), NO_CSAT, min_n=20)
    assert model.table.is_empty() and model.method is None
    assert model.verdict.reason == "not_estimable"


def test_touchpoints_under_min_n_pairs_are_left_out():
    rng = np.random.default_rng(11)
    n = 60
    x = {"A": rng.integers(1, 6, n).astype(float), "B": rng.integers(1, 6, n).astype(float)}
    x["B"][9:] = np.nan  # B: 9 customers with both scores
    y = np.clip(x["A"] * 2 + rng.integers(0, 2, n), 0, 10)
    frame = frame_from_arrays(y, x)
    kept = drivers.key_drivers(frame, NO_CSAT, min_n=10, intervals=False).table
    assert kept["touchpoint"].to_list() == ["A"]
    assert kept["importance"].to_list() == [pytest.approx(100.0)]
    both = drivers.key_drivers(frame, NO_CSAT, min_n=9, intervals=False).table
    assert sorted(both["touchpoint"].to_list()) == ["A", "B"]
    assert dict(zip(both["touchpoint"], both["n"], strict=True)) == {"A": 60, "B": 9}
    nothing = drivers.key_drivers(frame, NO_CSAT, min_n=61)
    assert nothing.table.is_empty() and nothing.verdict.reason == "no_driver"


def test_seeded_interval_is_deterministic():
    rng = np.random.default_rng(5)
    n = 300
    mood = rng.normal(size=n)
    x = {t: np.clip(np.rint(3 + mood + rng.normal(size=n)), 1, 5) for t in ("A", "B", "C")}
    y = np.clip(np.rint(6 + 1.5 * (x["A"] - 3) + 0.5 * (x["C"] - 3) + rng.normal(size=n)), 0, 10)
    for t in x:
        x[t][rng.random(n) < 0.2] = np.nan
    frame = frame_from_arrays(y, x)
    one = drivers.key_drivers(frame, NO_CSAT, min_n=30, seed=1, replicates=100).table
    again = drivers.key_drivers(frame, NO_CSAT, min_n=30, seed=1, replicates=100).table
    other = drivers.key_drivers(frame, NO_CSAT, min_n=30, seed=2, replicates=100).table
    assert one.equals(again)
    assert not one.select("ci_low", "ci_high").equals(other.select("ci_low", "ci_high"))
    # The same data in another row order (as another backend might return it): same.
    shuffled = frame.sample(fraction=1.0, shuffle=True, seed=3).sort("customer_id")
    assert drivers.key_drivers(shuffled, NO_CSAT, min_n=30, seed=1, replicates=100).table.equals(
        one
    )
    assert (one["ci_low"] <= one["importance"]).all() and (
        one["importance"] <= one["ci_high"]
    ).all()
    assert (one["ci_high"] > one["ci_low"]).all()


def test_bootstrap_replicates_match_a_direct_resample():
    # The weighted-moment shortcut must equal recomputing on the resampled customers.
    rng = np.random.default_rng(8)
    n = 80
    x = {t: rng.integers(1, 6, n).astype(float) for t in ("A", "B")}
    x["B"][rng.random(n) < 0.3] = np.nan
    y = np.clip(x["A"] + rng.integers(0, 5, n), 0, 10)
    values = drivers.customer_matrix(frame_from_arrays(y, x), ["A", "B"])
    rows, counts = drivers._distinct_rows(values)
    weights = drivers._bootstrap_weights(counts, 5, seed=4)
    assert (weights.sum(axis=1) == n).all()
    fast = drivers._estimate(drivers._moments(rows, weights))["eps"]
    for b in range(5):
        resampled = np.repeat(rows, weights[b], axis=0)
        direct = drivers._estimate(drivers._moments(resampled, np.ones((1, len(resampled)))))
        assert fast[b] == pytest.approx(direct["eps"][0])


def test_weak_and_inconsistent_models_are_flagged():
    rng = np.random.default_rng(2)
    n = 400
    x = {"A": rng.integers(1, 6, n).astype(float), "B": rng.integers(1, 6, n).astype(float)}
    y = rng.integers(0, 11, n).astype(float)  # unrelated to x
    weak = drivers.key_drivers(frame_from_arrays(y, x), NO_CSAT, min_n=30, intervals=False)
    assert weak.r2 < drivers.WEAK_R2 and weak.verdict.reason == "weak_model"
    # Each customer rated one touchpoint, in the response that gave their NPS: each
    # x correlates strongly with y, the x's with each other not at all -> R^2 > 1.
    customers = {}
    for i in range(200):
        v = float(i % 5 + 1)
        customers[f"a{i:03d}"] = (2 * v, {"A": v})
        customers[f"b{i:03d}"] = (2 * v, {"B": v})
        customers[f"c{i:03d}"] = (2 * ((i // 5) % 5 + 1), {"A": v, "B": float((i // 5) % 5 + 1)})
    odd = drivers.key_drivers(scores_frame(customers), NO_CSAT, min_n=30, intervals=False)
    assert odd.r2 > 1 and odd.verdict.reason == "inconsistent"
    assert drivers.key_drivers(scores_frame({}), NO_CSAT, min_n=30).verdict.reason == "no_data"


def test_csat_and_target_come_from_the_touchpoint_frame():
    x1 = [1, 1, 5, 5, 1, 1, 5, 5]
    x2 = [1, 5, 1, 5, 1, 5, 1, 5]
    y = [0, 4, 6, 10, 2, 3, 9, 8]
    frame = scores_frame({f"c{i}": (y[i], {"Billing": x1[i], "Delivery": x2[i]}) for i in range(8)})
    csat = pl.DataFrame(
        {"touchpoint": ["Billing", "Delivery"], "n_csat": [200, 4], "csat_top2": [150, 4],
         "target_csat": [85.0, None]}
    )  # fmt: skip
    table = drivers.key_drivers(frame, csat, min_n=5, intervals=False).table
    assert table.select("touchpoint", "csat", "target_csat").rows() == [
        ("Billing", 75.0, 85.0),
        ("Delivery", None, None),  # 4 CSAT responses: below privacy_n, hidden
    ]


# -- plain words ------------------------------------------------------------------------------


def reading_frame(**changes) -> pl.DataFrame:
    rows = [
        {"touchpoint": "Delivery", "importance": 41.0, "direction": 1, "n": 900, "csat": 77.0,
         "target_csat": 85.0, "ci_low": 40.0, "ci_high": 47.0, "r2": 0.34,
         "method": "pairwise", "customers": 2400},
        {"touchpoint": "Billing", "importance": 33.0, "direction": 1, "n": 700, "csat": 80.0,
         "target_csat": 88.0, "ci_low": 27.0, "ci_high": 39.0, "r2": 0.34,
         "method": "pairwise", "customers": 2400},
        {"touchpoint": "Store", "importance": 26.0, "direction": 1, "n": 500, "csat": 90.0,
         "target_csat": 88.0, "ci_low": 20.0, "ci_high": 31.0, "r2": 0.34,
         "method": "pairwise", "customers": 2400},
    ]  # fmt: skip
    rows[0].update(changes)
    return pl.DataFrame(rows, schema=drivers.TABLE_SCHEMA)


def test_reading_names_what_to_fix_first():
    text = why.drivers_reading(reading_frame())
    assert text.startswith(
        "Delivery explains 41% of the explained variance in NPS and sits 8 points under its "
        "CSAT target: fix first."
    )
    assert "within the uncertainty" not in text  # 40 to 47 against Billing's 27 to 39
    assert "most important touchpoint under" not in text  # Delivery itself is
    assert "explain 34% of the differences in NPS between the 2,400 customers" in text


def test_reading_when_the_top_driver_meets_its_target_and_leads_narrowly():
    text = why.drivers_reading(reading_frame(csat=90.0, ci_low=30.0))
    assert "meets its CSAT target (90% against 85%)" in text
    assert "Its lead over Billing (33%) is within the uncertainty" in text
    assert "The most important touchpoint under its CSAT target is Billing" in text


def test_reading_says_when_the_data_cannot_support_it():
    empty = pl.DataFrame(schema=drivers.TABLE_SCHEMA)
    assert "Not enough customers" in why.drivers_reading(empty)
    weak = reading_frame().with_columns(pl.lit(0.02).alias("r2"))
    assert "explains only 2% of the differences" in why.drivers_reading(weak)
    few = reading_frame().with_columns(pl.lit(25).alias("customers"))
    assert why.drivers_reading(few).startswith("Only 25 customers")


# -- SQL, on three backends ---------------------------------------------------------------------


def drivers_store(engine: sa.Engine) -> None:
    with db.begin(engine) as conn:
        db.upsert_frame(
            conn,
            schema.customers,
            pl.DataFrame(
                {"customer_id": ["c1", "c2", "c3", "c4"],
                 "segment": ["SMB", "SMB", "Consumer", "Consumer"]}
            ),
        )  # fmt: skip
        db.upsert_frame(
            conn,
            schema.touchpoints,
            pl.DataFrame({"touchpoint": ["Web", "Store"], "target_csat": [80.0, None]}),
        )
    load_feedback(
        engine,
        [
            ("c1", "Web", at(2), 10, 5, None),
            ("c1", "Web", at(3), 8, 4, None),
            ("c1", "Store", at(4), 6, None, 3),
            ("c1", "Store", at(5), None, 3, None),
            ("c2", "Web", at(6), None, 2, None),  # no NPS in the period
            ("c2", "Web", at(20, month=2), 9, None, None),  # (its NPS is in February)
            ("c3", "Web", at(7), 0, 1, None),
            ("c3", "Store", at(2, month=4), 5, 2, None),  # April: outside
            ("c4", "Store", at(8), 9, None, None),  # NPS but no CSAT
            ("o", "Web", at(9), 10, 5, None),  # not in customers
            (None, "Web", at(10), 10, 5, None),  # anonymous
        ],
    )


def test_customer_scores_on_every_backend(store):
    drivers_store(store)
    rows = db.fetch(driver_queries.customer_scores(MARCH), store).rows()
    # Per customer and touchpoint in March, known customers only (not o, not the
    # anonymous), with a CSAT or an NPS score: c2's NPS is in February, c4 has no CSAT.
    assert sorted(rows, key=str) == sorted([
        ("c1", "Store", 3.0, 1, 6.0, 1),
        ("c1", "Web", 9.0, 2, 18.0, 2),
        ("c2", "Web", 2.0, 1, None, 0),
        ("c3", "Web", 1.0, 1, 0.0, 1),
        ("c4", "Store", None, 0, 9.0, 1),
    ], key=str)  # fmt: skip
    # The units: rows with a CSAT score of customers with an NPS score, carrying the
    # customer's NPS totals (c1: 10, 8 and 6).
    units = drivers.units(db.fetch(driver_queries.customer_scores(MARCH), store))
    assert sorted(units.select("customer_id", "touchpoint", "nps_sum", "nps_n").rows()) == [
        ("c1", "Store", 24.0, 3), ("c1", "Web", 24.0, 3), ("c3", "Web", 0.0, 1)
    ]  # fmt: skip
    smb = db.fetch(driver_queries.customer_scores(MARCH.replace(segment=("SMB",))), store)
    assert sorted(smb["customer_id"].to_list()) == ["c1", "c1", "c2"]
    web = db.fetch(driver_queries.customer_scores(MARCH.replace(touchpoint=("Web",))), store)
    # Only Web responses count, for y too: c1's NPS 10 and 8.
    assert sorted(drivers.units(web).rows()) == [
        ("c1", "Web", 9.0, 2, 18.0, 2), ("c3", "Web", 1.0, 1, 0.0, 1)
    ]  # fmt: skip


def test_touchpoint_csat_counts_as_the_heatmap(store):
    drivers_store(store)
    rows = db.fetch(driver_queries.touchpoint_csat(MARCH), store).rows()
    # Web: c1 5 and 4, c2 2, c3 1, the orphan's 5 and the anonymous 5 -> 4 of 6.
    assert sorted(rows) == [("Store", 1, 0, None), ("Web", 6, 4, 80.0)]
    smb = db.fetch(driver_queries.touchpoint_csat(MARCH.replace(segment=("SMB",))), store)
    assert sorted(smb.rows()) == [("Store", 1, 0, None), ("Web", 3, 2, 80.0)]


def test_service_end_to_end(duck_store):
    # 120 customers: Web CSAT drives NPS, Store CSAT is noise.
    rng = np.random.default_rng(0)
    ids = [f"c{i:03d}" for i in range(120)]
    with db.begin(duck_store) as conn:
        db.upsert_frame(conn, schema.customers, pl.DataFrame({"customer_id": ids}))
        db.upsert_frame(
            conn,
            schema.touchpoints,
            pl.DataFrame({"touchpoint": ["Web", "Store"], "target_csat": [90.0, 50.0]}),
        )
    rows = []
    for i, cid in enumerate(ids):
        web, store = int(rng.integers(1, 6)), int(rng.integers(1, 6))
        nps = int(np.clip(2 * web + rng.integers(-1, 2), 0, 10))
        rows.append((cid, "Web", at(1 + i % 28), nps, web, None))
        rows.append((cid, "Store", at(1 + i % 28, 12), None, store, None))
    load_feedback(duck_store, rows)
    table = why.key_drivers(duck_store, MARCH, seed=3)
    assert table.columns == list(drivers.TABLE_SCHEMA)
    assert table["touchpoint"].to_list() == ["Web", "Store"]
    assert table["importance"].sum() == pytest.approx(100)
    assert table["importance"][0] > 90
    assert table["n"].to_list() == [120, 120]
    assert table.equals(why.key_drivers(duck_store, MARCH, seed=3))
    assert why.key_drivers(duck_store, MARCH, intervals=False)["ci_low"].is_null().all()
    text = why.drivers_reading(table)
    assert text.startswith("Web explains")
    assert "under its CSAT target: fix first." in text
    # From the 25th: the customers of four days of the 28, about 17 < min_n 30.
    model = why.drivers_model(duck_store, MARCH.replace(date_from=dt.date(2025, 3, 25)))
    assert model.table.is_empty() and model.verdict.reason == "no_driver"


def test_every_value_is_a_bound_parameter():
    f = MARCH.replace(segment=("SMB' OR 1=1",), touchpoint=("W'eb",), survey_channel=("S'MS",))
    for statement in (driver_queries.customer_scores(f), driver_queries.touchpoint_csat(f)):
        sql = str(statement.compile(dialect=postgresql.dialect()))
        assert "SMB'" not in sql and "W'eb" not in sql and "S'MS" not in sql
