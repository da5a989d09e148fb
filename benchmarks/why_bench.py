"""Medians of the "why" views on a store: funnel x satisfaction and the key drivers.

    PYTHONPATH=. CXDASH_DATABASE_URL=duckdb:////tmp/demo.duckdb python benchmarks/why_bench.py
    PYTHONPATH=. python benchmarks/why_bench.py --synthetic 300000   # the bootstrap alone

The filter is the benchmark's usual one (``cxdash bench``): the last 365 days of data
and the segment with most customers. Each view is timed end to end through
``dashboard.why`` (statement, fetch, statistics), ``--runs`` times after one warm-up
run, in turn (so that a slow moment of the machine hits every view alike); medians.
Funnel x satisfaction is also timed from the source tables, as it runs when the
summary tables are outdated.

``--synthetic N`` times only the drivers' statistics (no database) on N customers x 7
touchpoints, every customer rating every touchpoint (the densest case, where the
bootstrap does most work) and with each touchpoint rated by 30% of customers.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from collections.abc import Callable

import numpy as np
import polars as pl

from dashboard import db, service, why
from dashboard.metrics import drivers
from dashboard.metrics.funnel_satisfaction import step_table
from queries import funnel_satisfaction as fs_queries
from queries.filters import Filters

STEPS = ("visit", "signup", "cart", "purchase", "repeat_purchase")


def typical_filters(engine) -> Filters:
    _, last = service.data_range(engine)
    if last is None:
        raise SystemExit("the store is empty: run `cxdash demo-data` first")
    year = Filters(date_from=last - dt.timedelta(days=364), date_to=last)
    segment = service.get_segments(engine, year, "segment")["segment"][0]
    return year.replace(segment=(segment,))


def interleaved_medians(cases: dict[str, Callable[[], object]], runs: int) -> dict[str, float]:
    for run in cases.values():
        run()  # warm-up: catalog, plans, imports (scipy)
    times: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(runs):
        for name, run in cases.items():
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(spent) for name, spent in times.items()}


def store_cases(engine, f: Filters) -> dict[str, Callable[[], object]]:
    def from_sources():
        summary = db.fetch(fs_queries.funnel_satisfaction(f, STEPS, 30), engine)
        return step_table(summary, STEPS, "nps", min_n=f.min_n)

    return {
        "funnel x satisfaction (summary tables)": lambda: why.funnel_satisfaction(
            engine, f, STEPS, 30, "nps"
        ),
        "funnel x satisfaction (source tables)": from_sources,
        "drivers, point estimates": lambda: why.key_drivers(engine, f, intervals=False),
        "drivers, with intervals": lambda: why.key_drivers(engine, f, intervals=True),
    }


def synthetic_frame(customers: int, share: float, seed: int = 1) -> pl.DataFrame:
    """customer_scores-like rows: 7 touchpoints, each rated by ``share`` of customers,
    1-3 responses per touchpoint, 1-5 NPS responses per customer."""
    rng = np.random.default_rng(seed)
    mood = rng.standard_normal(customers)
    customer = np.repeat(np.arange(customers), 7)
    touchpoint = np.tile(np.arange(7), customers)
    rated = rng.random(len(customer)) < share
    customer, touchpoint = customer[rated], touchpoint[rated]
    responses = rng.integers(1, 4, len(customer))
    csat = np.clip(np.rint(3.5 + 0.8 * mood[customer] + rng.standard_normal(len(customer))), 1, 5)
    nps_n = rng.integers(1, 6, customers)
    nps = np.clip(np.rint(7 + 1.5 * mood + rng.standard_normal(customers)), 0, 10)
    return pl.DataFrame(
        {
            "customer_id": pl.Series(customer).cast(pl.String).str.zfill(8),
            "touchpoint": pl.Series([f"T{i}" for i in range(7)]).gather(touchpoint),
            "csat_sum": csat * responses,
            "csat_n": responses,
            "nps_sum": (nps * nps_n + rng.integers(0, 3, customers))[customer].astype(float),
            "nps_n": nps_n[customer],
        }
    )


def synthetic_cases(customers: int) -> dict[str, Callable[[], object]]:
    no_csat = pl.DataFrame(
        schema={"touchpoint": pl.String, "n_csat": pl.Int64, "csat_top2": pl.Int64,
                "target_csat": pl.Float64}
    )  # fmt: skip
    cases = {}
    for label, share in (("every touchpoint", 1.0), ("30% each", 0.3)):
        frame = synthetic_frame(customers, share)
        for intervals in (False, True):
            name = f"{customers:,} customers, {label}, {'intervals' if intervals else 'point'}"
            cases[name] = lambda frame=frame, intervals=intervals: drivers.key_drivers(
                frame, no_csat, min_n=30, intervals=intervals
            )
    return cases


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="timed runs per view (median)")
    parser.add_argument(
        "--synthetic", type=int, metavar="N", help="time the drivers' statistics on N customers"
    )
    args = parser.parse_args(argv)
    if args.synthetic:
        cases = synthetic_cases(args.synthetic)
        print(f"drivers statistics, {drivers.REPLICATES} bootstrap replicates")
    else:
        engine = db.default_engine()
        f = typical_filters(engine)
        print(f"{db.describe_store(engine)}; {f.date_from} .. {f.date_to}, segment {f.segment[0]}")
        cases = store_cases(engine, f)
    for name, seconds in interleaved_medians(cases, args.runs).items():
        print(f"{name:<60} {seconds * 1000:8.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
