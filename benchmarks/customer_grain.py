"""How fast the customer-grain views are: customer view, at-risk / promoter lists, the
follow-up queue and ``followup sync``.

Runs against an existing demo store (generate one with ``cxdash demo-data``); creates
the follow-up tables if missing and, when the queue is empty, seeds the demo queue.
Each view is timed end to end (statement build, execution, polars, Python) and, on
DuckDB, also as raw SQL on the driver connection (the floor our layers add to), in
turn, several runs each; medians in milliseconds.

    PYTHONPATH=. python benchmarks/customer_grain.py --url duckdb:////tmp/demo.duckdb

``sync (all new)`` empties the follow-up tables before each timed run (the situation
after a first big import) and re-seeds the demo queue at the end: the store's queue
is replaced, so do not point this at a store whose follow-up state matters.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable

import sqlalchemy as sa

from dashboard import customers, db, followup
from dashboard.bench import interleaved_medians, raw_runner
from dashboard.config import get_settings
from queries import customers as cq
from queries import schema
from queries.filters import Filters


def _raw(engine: sa.Engine, statements: list[sa.Executable]) -> Callable[[], object] | None:
    if engine.dialect.name != "duckdb":
        return None
    runners = [raw_runner(engine, s) for s in statements]
    return lambda: [run() for run in runners]


def _count(engine: sa.Engine, table: sa.Table) -> int:
    return int(db.fetch(sa.select(sa.func.count()).select_from(table), engine).item())


def _sync_from_empty(engine: sa.Engine, runs: int) -> tuple[float, int]:
    times, created = [], 0
    for _ in range(runs):
        with db.begin(engine) as conn:
            db.empty_tables(conn, (schema.followup_events, schema.followups))
        start = time.perf_counter()
        created = followup.sync(engine)
        times.append(time.perf_counter() - start)
    return statistics.median(times), created


def measure(engine: sa.Engine, runs: int, log) -> list[tuple[str, float, float | None, str]]:
    f = Filters()  # open period: T is the last day with data
    day = customers.as_of(engine, f)
    window = get_settings().risk_window_days
    now = followup.utc_now()
    top = customers.at_risk(engine, f, limit=1)["customer_id"][0]
    phone = db.fetch(
        sa.select(schema.customers.c.phone).where(schema.customers.c.customer_id == top), engine
    ).item()
    open_items = ("new", "contacted")
    cases = [
        (
            "customer view",
            lambda: customers.customer_view(engine, top),
            [
                cq.customer_profile(top),
                cq.customer_stages(top),
                cq.customer_responses(top),
                cq.customer_followups(top, now),
                cq.customer_followup_events(top),
            ],
            f"customer {top}",
        ),
        (
            "find customer by phone",
            lambda: customers.find_customer(engine, phone or top),
            [cq.find_customer(phone or top).limit(1)],
            "",
        ),
        (
            "at-risk, first page",
            lambda: customers.at_risk(engine, f),
            [cq.customer_list("at_risk", f, day, window)],
            "50 rows by value at risk",
        ),
        (
            "at-risk, first page by lapsing",
            lambda: customers.at_risk(engine, f, sort="lapsing"),
            [cq.customer_list("at_risk", f, day, window, sort="lapsing")],
            "the flag for every listed customer",
        ),
        (
            "at-risk count",
            lambda: customers.at_risk_count(engine, f),
            [cq.customer_list_count("at_risk", f, day, window)],
            "",
        ),
        (
            "risk headline",
            lambda: customers.risk_headline(engine, f),
            [cq.customer_list_totals("at_risk", f, day, window)],
            "count and value",
        ),
        (
            "promoters, first page",
            lambda: customers.promoters(engine, f),
            [cq.customer_list("promoters", f, day, window)],
            "",
        ),
        (
            "follow-up queue, first page",
            lambda: customers.followup_list(engine, f, status=open_items, now=now),
            [cq.followup_list(f, day, now, status=open_items)],
            "open items, most urgent first",
        ),
        (
            "follow-up queue count",
            lambda: customers.followup_count(engine, f, status=open_items, now=now),
            [cq.followup_count(f, now, status=open_items)],
            "",
        ),
        (
            "queue KPIs",
            lambda: customers.queue_kpis(engine, f, now),
            [cq.queue_kpis(f, now)],
            "",
        ),
        ("sync (nothing new)", lambda: followup.sync(engine), [], "the anti-join alone"),
    ]
    results = []
    for name, run, statements, note in cases:
        log(f"  {name} ...")
        raw = _raw(engine, statements) if statements else None
        medians = interleaved_medians([run, raw] if raw else [run], runs)
        results.append((name, medians[0], medians[1] if raw else None, note))
    log("  sync (all new) ...")
    seconds, created = _sync_from_empty(engine, max(3, runs // 3))
    results.append(("sync (all new)", seconds, None, f"{created:,} items + their events"))
    log("  re-seeding the demo queue ...")
    followup.seed_demo_queue(engine)
    return results


def markdown(engine: sa.Engine, results, runs: int) -> str:
    counts = {
        name: _count(engine, table)
        for name, table in (
            ("customers", schema.customers),
            ("events", schema.events),
            ("feedback", schema.feedback),
            ("followups", schema.followups),
            ("followup_events", schema.followup_events),
        )
    }
    lines = [
        f"Store: {db.describe_store(engine)} "
        + ", ".join(f"{v:,} {k}" for k, v in counts.items())
        + f"; medians of {runs} runs.",
        "",
        "| view | end to end | raw SQL | note |",
        "|---|---:|---:|---|",
    ]
    for name, seconds, raw, note in results:
        raw_text = f"{raw * 1000:,.1f} ms" if raw is not None else "–"
        lines.append(f"| {name} | {seconds * 1000:,.1f} ms | {raw_text} | {note} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="store URL (default: the configured store)")
    parser.add_argument("--runs", type=int, default=9, help="timed runs per view (median)")
    args = parser.parse_args(argv)

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    engine = db.create_engine(args.url, external_access=True, timeout_seconds=db.NO_TIMEOUT)
    schema.create_all(engine)
    if _count(engine, schema.followups) == 0:
        log("seeding the demo follow-up queue ...")
        followup.seed_demo_queue(engine)
    results = measure(engine, args.runs, log)
    print(markdown(engine, results, args.runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
