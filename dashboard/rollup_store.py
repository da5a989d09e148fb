"""Keeping the summary tables of ``queries.rollups`` true, and deciding when to use them.

- :func:`refresh` rebuilds them inside the caller's transaction: the one write path
  (``dashboard.ingest.write.load``, used by imports and the demo generator) calls it
  before it commits, so readers never see data without matching summaries.
  ``cxdash refresh`` and the Data page call it for data written by other tools.
- Every write through ``dashboard.db`` to a source table deletes the state row first
  (``db.forget_summaries``), so a write that is not followed by a refresh can never be
  answered from outdated summaries.
- :func:`reader` tells the service whether a query may use them: the state row must
  exist and its fingerprint (row counts, latest timestamps) must match the sources,
  compared in SQL and re-checked every ``rollup_check_seconds``; otherwise the views
  read the sources.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field

import sqlalchemy as sa

from dashboard import access, db
from dashboard.config import get_settings
from dashboard.i18n import N_, _
from dashboard.i18n.formats import fmt_datetime
from queries import rollups

Progress = Callable[[str, float], None]


@dataclass(frozen=True)
class Reader:
    """How the views may read: ``rollups`` on or off, and the funnel's stage index
    (stage -> ``rollup_funnel_stages.idx``)."""

    rollups: bool
    stage_index: dict[str, int] = field(default_factory=dict)


SOURCES_ONLY = Reader(rollups=False)


@dataclass(frozen=True)
class Status:
    """What the Data page and ``cxdash refresh --status`` report."""

    state: str  # "fresh", "stale" (sources changed since), "missing" (never built)
    refreshed_at: dt.datetime | None = None

    @property
    def message(self) -> str:
        """The state in words, in the current language."""
        if self.state == "fresh":
            return _("Summary tables are up to date (built {time}).").format(
                time=fmt_datetime(self.refreshed_at)
            )
        if self.state == "stale":
            return _(
                "The data changed after the summary tables were built ({time}); views read "
                "the source tables, which is slower on large data. Rebuild them on the Data "
                "page or with `cxdash refresh`."
            ).format(time=fmt_datetime(self.refreshed_at))
        return _(
            "No summary tables yet; views read the source tables, which is slower on "
            "large data. Build them on the Data page or with `cxdash refresh`."
        )


# -- writing ------------------------------------------------------------------------------

# Which summary tables each source feeds (dimensions are copied into three of them).
DEPENDS_ON = {
    "customers": {"customer_days", "feedback", "funnel_stages", "funnel_events"},
    "events": {"customer_days", "funnel_stages", "funnel_events", "customer_keys"},
    "feedback": {"feedback"},
    "stages": {"funnel_stages", "funnel_events"},
}


def refresh(
    conn: sa.Connection, progress: Progress | None = None, *, changed: set[str] | None = None
) -> None:
    """Rebuild the summary tables from the sources, in the caller's transaction.

    ``changed``: the source tables written since the summaries were last up to date
    (see :func:`up_to_date`); only the summaries they feed are rebuilt -- a small
    feedback import into a large store then costs seconds, not half a minute.
    ``None`` rebuilds everything.
    """
    report = progress or (lambda message, fraction: None)
    # On large stores this takes minutes: lift the app's statement timeout for the rest
    # of this transaction (the Data page imports on the app's connection).
    db.lift_timeout(conn)
    steps = [  # (summary, what it summarises for the progress, table, fill)
        ("customer_days", N_("summarising customer days"), rollups.customer_days,
         rollups.fill_customer_days),
        ("feedback", N_("summarising feedback"), rollups.feedback_facts,
         rollups.fill_feedback_facts),
        ("funnel_stages", N_("summarising funnel stages"), rollups.funnel_stages,
         rollups.fill_funnel_stages),
        ("funnel_events", N_("summarising funnel events"), rollups.funnel_events, None),
        ("customer_keys", N_("summarising customer keys"), rollups.customer_keys,
         rollups.fill_customer_keys),
    ]  # fmt: skip
    # A summary table added by a newer version is filled whatever changed: otherwise
    # a partial refresh would leave it empty beside a "fresh" state.
    new_tables = {step[0] for step in steps if not db.has_table(conn, step[2])}
    db.create_schema(conn)
    db.execute(conn, rollups.state.delete())
    if changed is not None:
        wanted = set().union(*(DEPENDS_ON.get(name, set()) for name in changed), new_tables)
        steps = [step for step in steps if step[0] in wanted]
    for i, (_summary, label, table, fill) in enumerate(steps):
        report(_(label), i / len(steps))
        db.empty_tables(conn, [table])
        if fill is None:  # the funnel events need the number of stages just indexed
            stage_count = db.scalar_in(conn, rollups.count_funnel_stages())
            db.execute(conn, rollups.fill_funnel_events(stage_count))
        else:
            db.execute(conn, fill())
    # Fresh statistics: without them PostgreSQL's planner guesses row counts of freshly
    # loaded tables and may pick nested loops over millions of rows.
    db.analyze(conn, [*sorted(rollups.SOURCE_TABLES), *(t.name for t in rollups.ROLLUP_TABLES)])
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    db.execute(conn, rollups.record_state(now))
    report(_("summaries ready"), 1.0)


def up_to_date(conn: sa.Connection) -> bool:
    """Whether the summaries match the sources, as this transaction sees them (call it
    before writing, to know whether a partial :func:`refresh` will do afterwards)."""
    if not db.has_table(conn, rollups.state):
        return False
    with access.system():  # the whole store's fingerprint, whoever writes
        rows = db.fetch_in(conn, rollups.freshness())
    return rows.height > 0 and bool(rows["up_to_date"][0])


def refresh_store(engine: sa.Engine, progress: Progress | None = None) -> None:
    """:func:`refresh` in a transaction of its own (``cxdash refresh``, Data page)."""
    with db.begin(engine) as conn:
        refresh(conn, progress)
    forget_decisions()  # queries during the transaction still saw the old state


# -- reading ------------------------------------------------------------------------------

# engine -> (the reader decided, db.write_count() then, monotonic time of the check).
# Keyed by the engine itself, not its URL: PostgreSQL URLs that differ only in their
# search_path (one schema per store) print the same.
_readers: weakref.WeakKeyDictionary[sa.Engine, tuple[Reader, int, float]] = (
    weakref.WeakKeyDictionary()
)
_lock = threading.Lock()


def status(engine: sa.Engine) -> Status:
    """Whether the summaries exist and match the sources (always checks)."""
    row = _freshness(engine)
    if row is None:
        return Status("missing")
    return Status("fresh" if row["up_to_date"] else "stale", row["refreshed_at"])


def reader(engine: sa.Engine) -> Reader:
    """How views may read now.

    The decision is kept for ``rollup_check_seconds``, or until this process writes to
    a source table: writes through cxdash keep the summaries true (imports refresh
    them before they commit), so only another tool's writes can outdate them, and the
    fingerprint catches those at the next check.
    """
    if not get_settings().use_rollups:
        return SOURCES_ONLY
    with _lock:
        cached = _readers.get(engine)
    if cached is not None:
        decided, writes, checked = cached
        recent = time.monotonic() - checked < get_settings().rollup_check_seconds
        if writes == db.write_count() and recent:
            return decided
    decided = _decide(engine)
    with _lock:
        _readers[engine] = (decided, db.write_count(), time.monotonic())
    return decided


def _decide(engine: sa.Engine) -> Reader:
    row = _freshness(engine)
    if row is None or not row["up_to_date"]:
        return SOURCES_ONLY
    stages = db.fetch(sa.select(rollups.funnel_stages), engine)
    index = dict(zip(stages["stage"].to_list(), stages["idx"].to_list(), strict=True))
    return Reader(rollups=True, stage_index=index)


def forget_decisions() -> None:
    """Re-check the summaries at the next query (after a refresh, or in tests)."""
    with _lock:
        _readers.clear()


def _freshness(engine: sa.Engine) -> dict | None:
    """The state row's ``refreshed_at`` and ``up_to_date``; None when there is none.

    Compared over the whole store whoever asks: a scoped viewer's row counts would never
    match the fingerprint, and the decision is shared by every viewer of the engine."""
    try:
        with access.system():
            frame = db.fetch(rollups.freshness(), engine)
    except db.SchemaMissing:  # a store created before the summaries existed
        return None
    return frame.row(0, named=True) if frame.height else None
