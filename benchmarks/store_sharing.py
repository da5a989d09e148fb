"""What sharing the embedded DuckDB store costs the queries (issue 18).

    PYTHONPATH=. python benchmarks/store_sharing.py data/bench/large.duckdb --runs 7

Times the views of ``cxdash bench`` (end to end: statement, fetch, statistics; the usual
filter: the last 365 days and the largest segment) on the store opened three ways, in
the same process:

- ``read-write`` -- before issue 18: one read-write connection kept open (no other
  process can open the file meanwhile);
- ``shared`` -- now: read-only connections kept open, the writer flag checked on every
  read (``dashboard.store_lock``);
- ``reopen`` -- the alternative not taken: the file opened read-only for each request
  and closed after it (every request starts with a cold DuckDB buffer).

DuckDB refuses one file opened read-write and read-only in one process, so each way gets
its own copy of the store (in a temporary folder beside it, removed afterwards), and all
three stay open: every run times the three ways back to back, in a rotating order, so a
slow moment of a busy machine hits every way alike. Per view: medians; the ratios
shared / read-write and reopen / read-write.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from dashboard import db
from dashboard.bench.queries import cases, typical_filters

WAYS = ("read-write", "shared", "reopen")


def measure(store: Path, runs: int) -> dict[str, dict[str, list[float]]]:
    folder = Path(tempfile.mkdtemp(prefix="cxdash-sharing-", dir=store.parent))
    try:
        engines = {}
        for way in WAYS:
            copy = folder / f"{way}.duckdb"
            shutil.copyfile(store, copy)
            engines[way] = db.create_engine(f"duckdb:///{copy}", shared=way != "read-write")
        f = typical_filters(engines["read-write"])
        by_way = {way: cases(engine, f, None) for way, engine in engines.items()}
        times: dict[str, dict[str, list[float]]] = {way: {} for way in WAYS}
        for i, name in enumerate(case.name for case in by_way["read-write"]):
            run = {way: next(c.run for c in by_way[way] if c.name == name) for way in WAYS}
            for way in WAYS:
                run[way]()  # warm: plans, the summaries' decision, buffers
            for r in range(runs):
                order = WAYS[r % 3 :] + WAYS[: r % 3]
                for way in order:
                    if way == "reopen":
                        engines[way].dispose()  # closes the file: the next query opens it
                    start = time.perf_counter()
                    run[way]()
                    times[way].setdefault(name, []).append(time.perf_counter() - start)
            print(f"{i + 1}: {name} done", file=sys.stderr, flush=True)
        for engine in engines.values():
            engine.dispose()
        return times
    finally:
        shutil.rmtree(folder, ignore_errors=True)


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


def guard_overhead(store: Path, n: int = 20_000) -> float:
    """Microseconds the shared way adds to each read outside DuckDB: the writer flag's
    check (two flock calls) and this process's reader count (median of 5 batches)."""
    engine = db.create_engine(f"duckdb:///{store}")
    batches = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(n):
            with db.reading(engine):
                pass
        batches.append((time.perf_counter() - start) / n * 1e6)
    engine.dispose()
    return statistics.median(batches)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("store", type=Path, help="a DuckDB store (e.g. data/bench/large.duckdb)")
    parser.add_argument("--runs", type=int, default=7, help="timed runs per view and way")
    args = parser.parse_args()
    print(markdown(measure(args.store, args.runs)))
    print(f"\nper read, outside DuckDB: {guard_overhead(args.store):.1f} µs (writer flag + count)")


if __name__ == "__main__":
    main()
