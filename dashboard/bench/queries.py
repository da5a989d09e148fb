"""``cxdash bench``: how fast the queries are, measured against two references.

For each view, with a typical filter (the last year of data, one segment):

(a) ``end_to_end`` -- the service function (statement build, execution, Arrow to
    polars, statistics), as the dashboard and CLI call it;
(b) ``raw_sql`` -- the same compiled SQL executed directly on the DuckDB connection
    (fetching Arrow), the floor our layers add to;
(c) ``naive`` -- a baseline that loads the rows from a SQLite copy into pandas and
    computes the same numbers in Python;
(d) ``sources`` -- the statement over the source tables (what runs when the summary
    tables of ``queries.rollups`` are missing or outdated), raw on DuckDB.

Medians of several runs in one process; ratios a/b (overhead) and c/a (speed-up).
The large store is generated once into ``data/bench/`` and reused.
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

from dashboard import db, rollup_store, service
from dashboard.config import DATA_DIR
from queries import views
from queries.filters import Filters
from queries.funnel import funnel as funnel_statement

BENCH_DIR = DATA_DIR / "bench"
STEPS = ("visit", "signup", "cart", "purchase", "repeat_purchase")


Statements = sa.Executable | tuple[sa.Executable, ...]  # a view may run several


@dataclass(frozen=True)
class Case:
    name: str
    run: Callable[[], object]  # (a) end to end
    statement: Statements  # (b) the same SQL
    naive: Callable[[], object] | None  # (c) pandas on SQLite
    sources: Statements  # (d) the statement(s) over the source tables


def typical_filters(engine: sa.Engine, segment: str | None = None) -> Filters:
    """The last 365 days of data and one segment (default: the one with most customers,
    the slowest choice)."""
    _, last = service.data_range(engine)
    if last is None:
        raise ValueError("the benchmark store is empty")
    year = Filters(date_from=last - dt.timedelta(days=364), date_to=last)
    if segment is None:
        segment = service.get_segments(engine, year, "segment")["segment"][0]
    return year.replace(segment=(segment,))


def cases(engine: sa.Engine, f: Filters, sqlite_engine: sa.Engine | None) -> list[Case]:
    from dashboard.bench import naive

    def baseline(fn):
        return (lambda: fn(sqlite_engine, f)) if sqlite_engine is not None else None

    # (b) must be exactly what (a) runs: built with the service's own choice of tables.
    rollups = rollup_store.reader(engine).rollups
    return [
        Case(
            "kpis",
            lambda: service.get_kpis(engine, f),
            views.kpis(f, rollups=rollups),
            baseline(naive.kpis),
            views.kpis(f),
        ),
        Case(
            "funnel",
            lambda: service.get_funnel(engine, f, STEPS, 30),
            service.funnel_statement(engine, f, STEPS, 30, None),
            baseline(naive.funnel),
            funnel_statement(f, STEPS, 30),
        ),
        Case(
            "heatmap",
            lambda: service.get_heatmap(engine, f, "nps", "region"),
            views.heatmap(f, "region", rollups=rollups),
            baseline(naive.heatmap),
            views.heatmap(f, "region"),
        ),
        Case(
            "nps-trend",
            lambda: service.get_nps_trend(engine, f, "week"),
            views.nps_trend(f, "week", rollups=rollups),
            baseline(naive.nps_trend),
            views.nps_trend(f, "week"),
        ),
        Case(
            "segments",
            lambda: service.get_segments(engine, f, "region"),
            views.segments(f, "region", rollups=rollups),
            baseline(naive.segments),
            views.segments(f, "region"),
        ),
        *why_cases(engine, f),
    ]


def why_cases(engine: sa.Engine, f: Filters) -> list[Case]:
    """Funnel x satisfaction and the key drivers (point estimates, and with the seeded
    bootstrap intervals: the same SQL, more statistics). No naive baseline."""
    from dashboard import why
    from queries import drivers as driver_queries
    from queries import funnel_satisfaction as fs_queries

    rollups = rollup_store.reader(engine).rollups
    driver_statements = (
        driver_queries.customer_scores(f),
        driver_queries.touchpoint_csat(f, rollups=rollups),
    )
    driver_sources = (driver_queries.customer_scores(f), driver_queries.touchpoint_csat(f))
    return [
        Case(
            "funnel-satisfaction",
            lambda: why.funnel_satisfaction(engine, f, STEPS, 30, "nps"),
            why.funnel_satisfaction_query(engine, f, STEPS, 30),
            None,
            fs_queries.funnel_satisfaction(f, STEPS, 30),
        ),
        Case(
            "drivers (point estimates)",
            lambda: why.key_drivers(engine, f, intervals=False),
            driver_statements,
            None,
            driver_sources,
        ),
        Case(
            "drivers (with intervals)",
            lambda: why.key_drivers(engine, f, intervals=True),
            driver_statements,
            None,
            driver_sources,
        ),
    ]


def raw_runner(engine: sa.Engine, statements: Statements) -> Callable[[], object]:
    """``db.raw_runner`` over one statement or several in turn."""
    if not isinstance(statements, tuple):
        return db.raw_runner(engine, statements)
    runners = [db.raw_runner(engine, s) for s in statements]
    return lambda: [run() for run in runners]


def median_seconds(fn: Callable[[], object], runs: int, warm_up: bool = True) -> float:
    if warm_up:
        fn()  # first-run caches (catalog, plans) are not what a user waits for
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def interleaved_medians(fns: list[Callable[[], object]], runs: int) -> list[float]:
    """Median seconds of each function, run in turn so that a passing disturbance of
    the machine weighs on all of them alike; each round starts with the next function
    (a b d, b d a, d a b, ...) so that none always runs after the heaviest."""
    for fn in fns:
        fn()  # first-run caches (catalog, plans) are not what a user waits for
    times: list[list[float]] = [[] for _ in fns]
    for round_ in range(runs):
        for i in range(len(fns)):
            which = (round_ + i) % len(fns)
            start = time.perf_counter()
            fns[which]()
            times[which].append(time.perf_counter() - start)
    return [statistics.median(spent) for spent in times]


def measure(engine, f, sqlite_engine, runs: int, naive_runs: int, log) -> list[dict]:
    results = []
    for case in cases(engine, f, sqlite_engine):
        log(f"  {case.name} ...")
        end_to_end, raw_sql, sources = interleaved_medians(
            [case.run, raw_runner(engine, case.statement), raw_runner(engine, case.sources)],
            runs,
        )
        # The baseline reads whole tables each run (minutes at the large scale): no warm-up.
        naive = median_seconds(case.naive, naive_runs, warm_up=False) if case.naive else None
        results.append(
            {"query": case.name, "end_to_end_ms": end_to_end * 1000, "raw_sql_ms": raw_sql * 1000,
             "overhead": end_to_end / raw_sql, "sources_ms": sources * 1000,
             "sources_ratio": sources / end_to_end, "naive_ms": naive * 1000 if naive else None,
             "speedup": naive / end_to_end if naive else None}
        )  # fmt: skip
    return results


def markdown(
    results: list[dict], f: Filters, scale: str, counts: dict[str, int], rollups: bool
) -> str:
    tables = "summary tables (rollups)" if rollups else "source tables (no fresh rollups)"
    lines = [
        f"Store: embedded DuckDB, `{scale}` demo data "
        f"({counts['customers']:,} customers, {counts['events']:,} events, "
        f"{counts['feedback']:,} responses); views read the {tables}.",
        f"Filter: {f.date_from} .. {f.date_to}, segment = {', '.join(f.segment)}.",
        "",
        "| query | (a) end to end | (b) raw SQL | overhead a/b | "
        "(d) source tables, raw SQL | d/a | (c) naive pandas on SQLite | speed-up c/a |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        naive = f"{r['naive_ms']:,.0f} ms" if r["naive_ms"] is not None else "not run"
        speedup = f"{r['speedup']:,.0f}×" if r["speedup"] is not None else "–"
        lines.append(
            f"| {r['query']} | {r['end_to_end_ms']:,.0f} ms | {r['raw_sql_ms']:,.0f} ms | "
            f"{r['overhead']:.2f}× | {r['sources_ms']:,.0f} ms | {r['sources_ratio']:.1f}× | "
            f"{naive} | {speedup} |"
        )
    return "\n".join(lines)


def bench_store(scale: str, seed: int, log) -> sa.Engine:
    """The DuckDB store of ``scale`` under data/bench/, generated on first use."""
    from data.generator import generate

    path = BENCH_DIR / f"{scale}.duckdb"
    engine = db.create_engine(f"duckdb:///{path}", external_access=True)
    if not path.exists() or not service.has_data(engine):
        log(f"generating {scale} demo data into {path} (once) ...")
        generate(engine, scale=scale, seed=seed)
    elif rollup_store.status(engine).state != "fresh":  # a store from before the rollups
        log(f"building the summary tables of {path} (once) ...")
        rollup_store.refresh_store(engine)
    return engine


def url_store(url: str, log) -> sa.Engine:
    """The store at ``url`` (any backend), its summary tables built if they are not fresh.

    Raises
    ------
    ValueError
        When the store holds no data.
    """
    engine = db.create_engine(url, external_access=True)
    if not service.has_data(engine):
        raise ValueError(
            f"{db.describe_store(engine)} holds no data: fill it first "
            "(CXDASH_DATABASE_URL=... cxdash demo-data --scale ..., or cxdash import)"
        )
    if rollup_store.status(engine).state != "fresh":
        log(f"building the summary tables of {db.describe_store(engine)} ...")
        rollup_store.refresh_store(engine)
    return engine


def sqlite_copy(engine: sa.Engine, scale: str, log) -> sa.Engine:
    """A SQLite copy of the store for the naive baseline, built on first use."""
    from dashboard.bench import naive as bench_naive

    path = BENCH_DIR / f"{scale}.sqlite"
    if not path.exists():
        log(f"copying the store to SQLite for the naive baseline: {path} (once) ...")
        bench_naive.copy_to_sqlite(engine, path)
    return sa.create_engine(f"sqlite:///{path}")
