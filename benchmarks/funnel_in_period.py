"""Medians of the funnel and of the "in the period" count drawn beside it (issue 13).

    PYTHONPATH=. python benchmarks/funnel_in_period.py duckdb:////tmp/medium.duckdb [--runs 15]

The dashboard's default period (last 12 months of data), all customers and by region.
Each statement is timed end to end through ``dashboard.service`` (statement, fetch,
shaping), in turn within each run (so that a slow moment of a shared machine hits both
alike), after one warm-up; medians and the ratio in-period / funnel. Summary tables are
used when fresh (as the page does); ``CXDASH_USE_ROLLUPS=0`` times the source tables.
"""

from __future__ import annotations

import argparse
import statistics
import time

from dashboard import db, rollup_store, service, state


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    engine = db.create_engine(args.url)
    print("summary tables:", rollup_store.reader(engine).rollups)
    earliest, latest = service.data_range(engine)
    f = state.View().to_filters(latest, earliest, 30)
    cases = {
        "funnel": lambda: service.get_funnel(engine, f),
        "in period": lambda: service.get_reached_in_period(engine, f),
        "funnel by region": lambda: service.get_funnel(engine, f, by="region"),
        "in period by region": lambda: service.get_reached_in_period(engine, f, by="region"),
    }
    times: dict[str, list[float]] = {name: [] for name in cases}
    for run in range(args.runs + 1):
        for name, call in cases.items():
            start = time.perf_counter()
            call()
            if run:  # the first run warms up
                times[name].append(time.perf_counter() - start)
    medians = {name: statistics.median(values) * 1000 for name, values in times.items()}
    for name, ms in medians.items():
        print(f"{name:>22}: {ms:7.1f} ms")
    print(
        f"ratio in period / funnel: {medians['in period'] / medians['funnel']:.2f}, "
        f"by region {medians['in period by region'] / medians['funnel by region']:.2f}"
    )


if __name__ == "__main__":
    main()
