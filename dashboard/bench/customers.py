"""``cxdash bench``, the customer grain (issue 14): what each customer page reads, end to
end and as raw SQL.

(a) ``end_to_end`` -- every read the page makes through ``dashboard.customers`` /
    the registry (statement build, execution, Arrow to polars, typing), as the pages
    and ``cxdash query`` call them;
(b) ``raw_sql`` -- the very statements (a) sent to the driver, recorded from one run
    of (a), replayed straight on the DuckDB connection (fetching Arrow).

The cases: the customer view (the customer with the most responses among the top of
the at-risk list); the at-risk and promoter lists' first page of 25 (read live on every
visit and page turn) and their headline (count and value, cached until the data
change); the follow-up queue page (clock, KPIs, count, owners and
the first page of 25); and ``followup sync`` creating every item from scratch (the
worst case after a large import), timed inside a transaction that is rolled back.
Medians of several runs in one process, run in turn as in ``dashboard.bench.queries``.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

from dashboard import customers, db, followup
from dashboard.bench.queries import interleaved_medians
from dashboard.views import Options
from dashboard.views.customers import AT_RISK, FOLLOWUPS, PROMOTERS
from queries.filters import Filters
from queries.schema import FOLLOWUP_TABLES

PAGE = 25  # rows of a first page, as the pages show them


@dataclass(frozen=True)
class PageCase:
    name: str
    run: Callable[[], object]  # (a): every read of the page


def _customer_to_open(engine: sa.Engine, f: Filters) -> str:
    """A customer worth opening: of the 25 most valuable at-risk ones, the one who
    answered most (the heaviest timeline)."""
    top = customers.at_risk(engine, f, limit=PAGE)["customer_id"].to_list()
    if not top:
        raise ValueError("the benchmark store has no at-risk customer for this filter")
    views = {cid: customers.customer_view(engine, cid) for cid in top}
    return max(top, key=lambda cid: (len(views[cid]["responses"]), cid))


def page_cases(engine: sa.Engine, f: Filters) -> list[PageCase]:
    customer_id = _customer_to_open(engine, f)
    first = Options(limit=PAGE)
    open_items = Options(status="open", limit=PAGE)

    def customer_view():
        return customers.customer_view(engine, customer_id, now=followup.clock(engine))

    def headline(kind: str):
        return lambda: customers.list_totals(engine, kind, f)

    def list_page(view):
        return lambda: view.run(engine, f, first)

    def queue_page():
        at = followup.clock(engine)
        customers.queue_kpis(engine, f, at)
        customers.followup_owners(engine)
        customers.followup_count(engine, f, now=at, status=("new", "contacted"))
        return FOLLOWUPS.run(engine, f, open_items)

    return [
        PageCase("customer view", customer_view),
        PageCase("at-risk list, first page", list_page(AT_RISK)),
        PageCase("at-risk headline (count, value; cached)", headline("at_risk")),
        PageCase("promoters list, first page", list_page(PROMOTERS)),
        PageCase("promoters headline (count, value; cached)", headline("promoters")),
        PageCase("follow-up queue (KPIs + first page)", queue_page),
    ]


def recorded(engine: sa.Engine, fn: Callable[[], object]) -> list[tuple[str, object]]:
    """The (SQL, parameters) pairs ``fn`` sends to the driver, in order."""
    sent: list[tuple[str, object]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        sent.append((statement, parameters))

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        fn()
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    return sent


def _sync_seconds(engine: sa.Engine, raw: bool) -> float:
    """One ``followup sync`` creating every item from scratch, timed inside a
    transaction that is rolled back (the store keeps its queue)."""
    now = followup.clock(engine)

    class _RollBack(Exception):
        pass

    spent = 0.0
    try:
        with db.begin(engine) as conn:
            db.empty_tables(conn, FOLLOWUP_TABLES)
            start = time.perf_counter()
            if raw:
                _raw_sync(conn, now)
            else:
                followup.sync_in(conn, now=now)
            spent = time.perf_counter() - start
            raise _RollBack
    except _RollBack:
        pass
    return spent


def _raw_sync(conn: sa.Connection, now) -> None:
    from dashboard.config import get_settings
    from queries import customers as cq

    statements = (
        cq.sync_followups(now, get_settings().followup_sla_hours, followup.SYNC_ACTOR),
        cq.log_created(now, followup.SYNC_ACTOR),
    )
    for statement in statements:
        db.raw_execute_in(conn, statement)


def ensure_queue(engine: sa.Engine, log) -> None:
    """A benchmark store generated before the follow-up queue existed gets its tables
    and items once (what an import does now)."""
    followup.ensure_tables(engine)
    if queue_size(engine) == 0:
        log("creating the follow-up items of the store (once) ...")
        followup.sync(engine)


def measure(engine: sa.Engine, f: Filters, runs: int, log) -> list[dict]:
    """Medians per case: end_to_end_ms, raw_sql_ms, overhead (a/b), statements."""
    ensure_queue(engine, log)
    results = []
    for case in page_cases(engine, f):
        log(f"  {case.name} ...")
        statements = recorded(engine, case.run)
        end_to_end, raw_sql = interleaved_medians(
            [case.run, db.raw_replay_runner(engine, statements)], runs
        )
        results.append(
            {"query": case.name, "end_to_end_ms": end_to_end * 1000, "raw_sql_ms": raw_sql * 1000,
             "overhead": end_to_end / raw_sql, "statements": len(statements)}
        )  # fmt: skip
    log("  followup sync ...")
    sync_runs = max(3, runs // 3)
    ours = statistics.median(_sync_seconds(engine, raw=False) for _ in range(sync_runs))
    raw = statistics.median(_sync_seconds(engine, raw=True) for _ in range(sync_runs))
    results.append(
        {"query": "followup sync (every item from scratch)", "end_to_end_ms": ours * 1000,
         "raw_sql_ms": raw * 1000, "overhead": ours / raw, "statements": 2}
    )  # fmt: skip
    return results


def markdown(results: list[dict], items: int) -> str:
    lines = [
        f"Customer grain (issue 14); the queue holds {items:,} follow-up items.",
        "",
        "| page or command | statements | (a) end to end | (b) raw SQL | overhead a/b |",
        "|---|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r['query']} | {r['statements']} | {r['end_to_end_ms']:,.0f} ms | "
            f"{r['raw_sql_ms']:,.0f} ms | {r['overhead']:.2f}× |"
        )
    return "\n".join(lines)


def queue_size(engine: sa.Engine) -> int:
    """How many follow-up items the store holds."""
    from queries.schema import followups

    count = sa.select(sa.func.count().label("n")).select_from(followups)
    return int(db.fetch(count, engine)["n"][0])
