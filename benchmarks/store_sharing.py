"""What sharing the embedded DuckDB store costs the queries (issue 18).

    PYTHONPATH=. python benchmarks/store_sharing.py data/bench/large.duckdb --rounds 3

Times the views of ``cxdash bench`` (end to end: statement, fetch, statistics; the usual
filter: the last 365 days and the largest segment) on one store file opened three ways,
in the same process, in alternating rounds (so that a slow moment of the machine hits
every way alike):

- ``read-write`` -- before issue 18: one read-write connection kept open (no other
  process can open the file meanwhile);
- ``shared`` -- now: read-only connections kept open, the writer flag checked on every
  read (``dashboard.store_lock``);
- ``reopen`` -- the alternative not taken: the file opened read-only for each request
  and closed after it (every request starts with a cold DuckDB buffer).

Per view: the median of all runs; the ratio shared / read-write and reopen / read-write.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from dashboard import db
from dashboard.bench.queries import cases, typical_filters

WAYS = ("read-write", "shared", "reopen")


def _engine(path: Path, way: str):
    return db.create_engine(f"duckdb:///{path}", shared=way != "read-write")


def measure(path: Path, rounds: int, runs: int) -> dict[str, dict[str, list[float]]]:
    times: dict[str, dict[str, list[float]]] = {way: {} for way in WAYS}
    for r in range(rounds):
        for way in WAYS:
            engine = _engine(path, way)
            try:
                f = typical_filters(engine)
                for case in cases(engine, f, None):
                    case.run()  # warm: plans, summaries' decision, buffers
                    for _ in range(runs):
                        if way == "reopen":
                            engine.dispose()  # closes the file: the next query opens it
                        start = time.perf_counter()
                        case.run()
                        times[way].setdefault(case.name, []).append(time.perf_counter() - start)
            finally:
                engine.dispose()
            print(f"round {r + 1}/{rounds}: {way} done", file=sys.stderr, flush=True)
    return times


def markdown(times: dict[str, dict[str, list[float]]]) -> str:
    lines = [
        "| view | read-write (ms) | shared (ms) | shared / read-write | reopen (ms) "
        "| reopen / read-write |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    totals = dict.fromkeys(WAYS, 0.0)
    for name in times["read-write"]:
        med = {way: statistics.median(times[way][name]) * 1000 for way in WAYS}
        for way in WAYS:
            totals[way] += med[way]
        lines.append(
            f"| {name} | {med['read-write']:.1f} | {med['shared']:.1f} "
            f"| {med['shared'] / med['read-write']:.2f} | {med['reopen']:.1f} "
            f"| {med['reopen'] / med['read-write']:.2f} |"
        )
    lines.append(
        f"| **sum of medians** | {totals['read-write']:.1f} | {totals['shared']:.1f} "
        f"| {totals['shared'] / totals['read-write']:.2f} | {totals['reopen']:.1f} "
        f"| {totals['reopen'] / totals['read-write']:.2f} |"
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("store", type=Path, help="a DuckDB store (e.g. data/bench/large.duckdb)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--runs", type=int, default=3, help="timed runs per view per round")
    args = parser.parse_args()
    print(markdown(measure(args.store, args.rounds, args.runs)))


if __name__ == "__main__":
    main()
