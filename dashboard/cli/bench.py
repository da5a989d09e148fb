"""``cxdash bench [queries|comments]``: the query benchmark (dashboard.bench.queries) and
the comments benchmark (dashboard.bench.comments); figures in BENCHMARKS.md."""

from __future__ import annotations

import argparse
import sys

from dashboard import rollup_store, service
from dashboard.bench import customers as bench_customers
from dashboard.bench.queries import (
    bench_store,
    markdown,
    measure,
    sqlite_copy,
    typical_filters,
    url_store,
)


def _handle(args: argparse.Namespace) -> int:
    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    if args.what == "comments":
        from dashboard.bench import comments as bench_comments

        scale = args.scale or "medium"
        print(bench_comments.run(scale, args.seed, args.repeat, args.quick, log))
        return 0
    args.scale = args.scale or "large"

    if args.url:
        engine = url_store(args.url, log)
        naive = not args.no_naive and engine.dialect.name == "duckdb"
    else:
        engine = bench_store(args.scale, args.seed, log)
        naive = not args.no_naive
    f = typical_filters(engine, args.segment)
    sqlite_engine = sqlite_copy(engine, args.scale, log) if naive else None
    log(f"measuring ({args.runs} runs each, naive {args.naive_runs}) ...")
    results = measure(engine, f, sqlite_engine, args.runs, args.naive_runs, log)
    rollups = rollup_store.reader(engine).rollups
    print(markdown(results, f, args.scale, service.table_counts(engine), rollups))
    log("measuring the customer pages ...")
    grain = bench_customers.measure(engine, f, args.runs, log)
    print("\n" + bench_customers.markdown(grain, bench_customers.queue_size(engine)))
    if args.scope:
        from dashboard.access import Scope
        from dashboard.bench.scope import measure_scope, scope_markdown

        scope = Scope.parse(args.scope)
        log(f"measuring the scope {scope.spec()} ({args.runs} runs each) ...")
        print(scope_markdown(measure_scope(engine, f, scope, args.runs, log), scope))
    return 0


def register_cli(subparsers) -> None:
    p = subparsers.add_parser(
        "bench",
        help="benchmark the queries (end to end vs raw SQL vs a naive baseline), or the "
        "comments (sentiment quality, learning curve, scoring and training speed)",
    )
    p.add_argument("what", nargs="?", choices=("queries", "comments"), default="queries",
                   help="what to measure (default: queries)")  # fmt: skip
    p.add_argument("--scale", default=None, choices=("small", "medium", "large", "xlarge"),
                   help="demo store (default: large for queries, medium for comments)")  # fmt: skip
    p.add_argument("--repeat", type=int, default=3, help="comments: runs per figure (median)")
    p.add_argument("--quick", action="store_true", help="comments: smaller sizes (smoke run)")
    p.add_argument(
        "--url",
        help="benchmark the store at this database URL (any backend, e.g. chdb:////path) "
        "instead of the generated DuckDB store of --scale; the naive baseline runs on "
        "DuckDB stores only",
    )
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--runs", type=int, default=9, help="timed runs per query (median)")
    p.add_argument("--naive-runs", type=int, default=3, help="timed runs of the baseline")
    p.add_argument("--segment", help="segment to filter on (default: the largest)")
    p.add_argument("--no-naive", action="store_true", help="skip the pandas/SQLite baseline")
    p.add_argument(
        "--scope", action="append", metavar="DIM=VALUE",
        help="also measure a viewer with this scope (repeatable, e.g. --scope region=TP.HCM): "
        "medians with and without it, and against the same values as filters",
    )  # fmt: skip
    p.set_defaults(handler=_handle)
