"""Every benchmarked view end to end on DuckDB and on ClickHouse (chDB), same data,
interleaved in one process: medians and the chDB / DuckDB ratio.

    PYTHONPATH=. python benchmarks/chdb_vs_duckdb.py DUCKDB_URL CHDB_URL [--runs 9]

Both stores must hold the same data with fresh summary tables, e.g. the medium demo:

    CXDASH_DATABASE_URL=duckdb:////tmp/m.duckdb cxdash demo-data --scale medium
    CXDASH_DATABASE_URL=chdb:////tmp/m_chdb cxdash demo-data --scale medium

The typical filter of ``cxdash bench`` (last year, largest segment). Each round runs
every view on both stores, the order of the stores alternating between rounds, so a
busy machine slows both alike. The first run of each (warm-up) is not counted. Before
timing, the results of the two stores are compared: they must be equal.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from polars.testing import assert_frame_equal

from dashboard import db
from dashboard.bench.queries import cases, typical_filters


def _frames(result):
    """The DataFrames inside a view's result (a frame, a tuple, a dataclass)."""
    import dataclasses

    import polars as pl

    if isinstance(result, pl.DataFrame):
        return [result]
    if isinstance(result, tuple | list):
        return [f for item in result for f in _frames(item)]
    if dataclasses.is_dataclass(result):
        return [f for v in vars(result).values() for f in _frames(v)]
    return []


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("duckdb_url")
    parser.add_argument("chdb_url")
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args(argv)
    duck = db.create_engine(args.duckdb_url)
    click = db.create_engine(args.chdb_url)
    f = typical_filters(duck)
    by_store = {"duckdb": cases(duck, f, None), "chdb": cases(click, f, None)}
    names = [c.name for c in by_store["duckdb"]]
    for d, c in zip(by_store["duckdb"], by_store["chdb"], strict=True):
        for left, right in zip(_frames(d.run()), _frames(c.run()), strict=True):
            assert_frame_equal(left, right, check_dtypes=False, abs_tol=1e-9)
    print(f"results equal on both stores; timing {args.runs} rounds ...", file=sys.stderr)
    times: dict[tuple[str, str], list[float]] = {}
    for round_ in range(args.runs):
        order = ("duckdb", "chdb") if round_ % 2 == 0 else ("chdb", "duckdb")
        for i, name in enumerate(names):
            for store in order:
                start = time.perf_counter()
                by_store[store][i].run()
                times.setdefault((name, store), []).append(time.perf_counter() - start)
    print(f"Filter: {f.date_from} .. {f.date_to}, segment {f.segment[0]}; {args.runs} rounds")
    print()
    print("| view | DuckDB | chDB | chDB / DuckDB |")
    print("|---|---:|---:|---:|")
    for name in names:
        d = statistics.median(times[(name, "duckdb")]) * 1000
        c = statistics.median(times[(name, "chdb")]) * 1000
        print(f"| {name} | {d:,.0f} ms | {c:,.0f} ms | {c / d:.1f}× |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
