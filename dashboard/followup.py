"""The closed loop on detractors: creating follow-up items and changing them safely.

Plain functions over ``dashboard.db`` (no streamlit), for the queue page, the customer
view and ``cxdash followup``:

- :func:`sync` creates the missing items (idempotent, one INSERT ... SELECT);
- :func:`change` applies one status / owner / note change in one transaction, with an
  optimistic version check, and appends it to the event log;
- :func:`seed_demo_queue` gives the demo store a lived-in queue;
- :func:`clock` is "now" for the queue (overdue, SLA countdowns, change times): the
  current time, except in a demo store, whose history is frozen (see :func:`clock`).

Statuses move ``new -> contacted -> resolved | unreachable``, then optionally to
``closed`` (:data:`TRANSITIONS`). Owner changes and notes need no status change.
"""

from __future__ import annotations

import datetime as dt
import time

import numpy as np
import polars as pl
import sqlalchemy as sa

from dashboard import audit, db
from dashboard.config import get_settings
from queries import customers as cq
from queries.schema import FOLLOWUP_STATUSES, followup_events, followups

SYNC_ACTOR = "sync"
# How the import log names the loads of ``data.generator`` ("demo-data small seed 42").
DEMO_ORIGIN_PREFIX = "demo-data "
CONFLICT_POLLS, CONFLICT_POLL_SECONDS = 20, 0.05

# Where each status may go next; anything else is refused.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "new": ("contacted",),
    "contacted": ("resolved", "unreachable"),
    "resolved": ("closed",),
    "unreachable": ("closed",),
    "closed": (),
}


class InvalidTransition(ValueError):
    """A status change the transition table does not allow; the message names the
    statuses that may follow."""


class Conflict(RuntimeError):
    """Someone else changed the item since it was read: reload and try again.

    ``who`` names them (None when unknown), for a message in the reader's language.
    """

    def __init__(self, message: str, who: str | None = None) -> None:
        super().__init__(message)
        self.who = who


class UnknownItem(LookupError):
    """No follow-up item for that response."""


def utc_now() -> dt.datetime:
    """Now, as the naive UTC timestamp the store keeps (the importer's convention)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def demo_start(last_response_at: dt.datetime) -> dt.datetime:
    """Where a demo store's clock starts: the end of the day of its last response (the
    demo history ends on a day; its queue is simulated up to that moment)."""
    return cq.end_of(last_response_at.date())


def clock(engine: sa.Engine, *, real_now: dt.datetime | None = None) -> dt.datetime:
    """Now, for the follow-up queue: overdue items, SLA countdowns and change times.

    The current UTC time -- except when the store's latest load is the demo generator's.
    The demo's history ends on a fixed day (2026-10-31), so at the real time every open
    item would long be overdue; instead a demo store's clock starts at the end of its
    last day (:func:`demo_start`, the moment its queue was simulated up to) when the
    demo was generated, and runs on in real time from there. Right after ``cxdash
    demo-data`` the queue therefore has items due in the next two days, others overdue,
    contacted and resolved ones; left alone for two days, every open item is overdue,
    as in life. The first import of real data (a load with another origin) switches the
    store to the real clock.
    """
    real_now = real_now or utc_now()
    try:
        anchor = db.fetch(cq.clock_anchor(), engine).row(0, named=True)
    except db.SchemaMissing:
        return real_now
    return clock_from(anchor, real_now)


def clock_from(anchor: dict, real_now: dt.datetime) -> dt.datetime:
    """:func:`clock` given the row of ``queries.customers.clock_anchor`` (origin,
    loaded_at, last_response_at) and the real time."""
    origin = anchor.get("origin") or ""
    if (
        not origin.startswith(DEMO_ORIGIN_PREFIX)
        or anchor.get("loaded_at") is None
        or anchor.get("last_response_at") is None
    ):
        return real_now
    elapsed = max(real_now - anchor["loaded_at"], dt.timedelta(0))
    return demo_start(anchor["last_response_at"]) + elapsed


def check_transition(current: str, new: str) -> None:
    """Raise :class:`InvalidTransition` unless ``current -> new`` is allowed."""
    if new not in FOLLOWUP_STATUSES:
        raise InvalidTransition(
            f"unknown status {new!r}; the statuses are {', '.join(FOLLOWUP_STATUSES)}"
        )
    allowed = TRANSITIONS[current]
    if new not in allowed:
        after = f"only to {' or '.join(allowed)}" if allowed else "nowhere: it is final"
        raise InvalidTransition(f"an item that is {current} cannot become {new}; it can go {after}")


def ensure_tables(bind: sa.Engine | sa.Connection) -> None:
    """Create the follow-up tables if the store predates them (safe to repeat)."""
    db.create_schema(bind)


# -- creating items -------------------------------------------------------------------------


def sync(engine: sa.Engine, *, now: dt.datetime | None = None, actor: str = SYNC_ACTOR) -> int:
    """Create an item for every detractor (NPS 0-6) or CSAT 1-2 response of a known
    customer that has none; returns how many were created (0 on a second run).

    One transaction: the items and their creation events (version 1) appear together.
    """
    with db.begin(engine) as conn:
        return sync_in(conn, now=now, actor=actor)


def sync_in(conn: sa.Connection, *, now: dt.datetime | None = None, actor: str = SYNC_ACTOR) -> int:
    """:func:`sync` inside the caller's transaction (an import can create the items in
    the transaction that writes the responses)."""
    now = now or utc_now()
    ensure_tables(conn)
    created = db.execute(conn, cq.sync_followups(now, get_settings().followup_sla_hours, actor))
    if created:
        db.execute(conn, cq.log_created(now, actor))
    return created


# -- changing an item -----------------------------------------------------------------------


def change(
    engine: sa.Engine,
    response_id: str,
    *,
    status: str | None = None,
    owner: str | None = None,
    note: str | None = None,
    actor: str,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> dict:
    """Change one item's status and/or owner, or add a note, and log it -- atomically.

    Parameters
    ----------
    status
        The new status (None or the current one: unchanged). Must be allowed by
        :data:`TRANSITIONS`.
    owner
        The new owner (None: unchanged; ``""``: nobody).
    note
        Free text kept in the event log.
    actor
        Who makes the change (recorded as ``updated_by`` and in the log).
    expected_version
        The version the person saw when they decided (the page passes it); None takes
        the version read at the start of this transaction.

    Returns
    -------
    dict
        The item after the change: response_id, status, owner, version, updated_at,
        updated_by, first_contact_at.

    Raises
    ------
    InvalidTransition
        The status change is not allowed (nothing is written).
    Conflict
        The item changed since ``expected_version`` (or during this call): "changed
        meanwhile by X -- reload". Nothing is written.
    UnknownItem
        No item for ``response_id``.
    ValueError
        Nothing to change, or no actor.
    """
    if not actor or not actor.strip():
        raise ValueError("say who makes the change (actor)")
    now = now or utc_now()
    seen: int | None = expected_version
    try:
        with db.begin(engine) as conn:
            current = _current(conn, response_id)
            seen = current["version"]
            if expected_version is not None and current["version"] != expected_version:
                raise _conflict(current["updated_by"])
            version = current["version"]
            new_status = current["status"] if status in (None, current["status"]) else status
            if new_status != current["status"]:
                check_transition(current["status"], new_status)
            new_owner = current["owner"] if owner is None else (owner.strip() or None)
            note = note.strip() if note and note.strip() else None
            if new_status == current["status"] and new_owner == current["owner"] and not note:
                raise ValueError("nothing to change: give a new status, owner or a note")
            update = cq.update_followup(
                response_id, version, status=new_status, owner=new_owner, at=now, actor=actor
            )
            if db.execute(conn, update) != 1:
                raise _conflict(_changed_by(conn, response_id))
            db.execute(
                conn,
                cq.log_change(
                    response_id,
                    version + 1,
                    at=now,
                    actor=actor,
                    from_status=current["status"],
                    to_status=new_status,
                    owner_from=current["owner"],
                    owner_to=new_owner,
                    note=note,
                ),
            )
            after = _current(conn, response_id)
            _audit_change(conn, current, after, actor=actor, note=note)
            return after
    except db.StoreError as exc:
        if _is_write_conflict(exc):
            # Another transaction wrote the row first (DuckDB refuses the second update;
            # a duplicate event key means the same): that writer is named once committed.
            raise _conflict(_changed_by_outside(engine, response_id, seen)) from None
        raise


def _audit_change(
    conn: sa.Connection, before: dict, after: dict, *, actor: str, note: str | None
) -> None:
    """Put the change on the audit trail (DESIGN.md, Access), in the change's transaction:
    what changed, never the note's text (the item's own event log keeps it)."""
    del actor  # the trail records the signed-in viewer (dashboard.audit), not a typed name
    changes = []
    if after["status"] != before["status"]:
        changes.append(f"{before['status']} -> {after['status']}")
    if after["owner"] != before["owner"]:
        changes.append("owner changed")
    if note:
        changes.append("note")
    detail = f"{after['response_id']}: {', '.join(changes) or 'no change'}"
    audit.record("followup_change", detail=detail, conn=conn)


def _current(conn: sa.Connection, response_id: str) -> dict:
    frame = db.fetch_in(conn, cq.followup_state(response_id))
    if frame.is_empty():
        raise UnknownItem(f"no follow-up item for response {response_id!r}")
    return frame.row(0, named=True)


def _changed_by(conn: sa.Connection, response_id: str) -> str | None:
    frame = db.fetch_in(conn, cq.followup_state(response_id))
    return None if frame.is_empty() else frame["updated_by"][0]


def _changed_by_outside(engine: sa.Engine, response_id: str, seen: int | None) -> str | None:
    """Who wrote the item after ``seen``: the winning transaction may still be about to
    commit, so look a few times (up to ~1 s) before giving up on a name."""
    for _ in range(CONFLICT_POLLS):
        try:
            frame = db.fetch(cq.followup_state(response_id), engine)
        except db.StoreError:
            return None
        if frame.is_empty():
            return None
        if seen is None or frame["version"][0] != seen:
            return frame["updated_by"][0]
        time.sleep(CONFLICT_POLL_SECONDS)
    return None


def _conflict(who: str | None) -> Conflict:
    return Conflict(f"changed meanwhile by {who or 'someone else'} — reload", who)


def _is_write_conflict(exc: db.StoreError) -> bool:
    text = str(exc.__cause__ or exc).lower()
    duplicate_event = "followup_events" in text and (
        "duplicate" in text or "unique" in text or "primary key" in text
    )
    return "conflict on" in text or "could not serialize" in text or duplicate_event


# -- the demo queue -------------------------------------------------------------------------

DEMO_OWNERS = ("lan.nguyen", "minh.tran", "thao.pham", "tuan.le", "ha.vo")
DEMO_MANAGER = "hoa.dang"  # assigns items
_CONTACT_NOTES = (
    "Đã gọi điện, khách phàn nàn giao hàng trễ",
    "Đã gọi, khách cần đổi sản phẩm",
    "Đã nhắn Zalo, khách phản hồi",
    "Called; the customer explained the problem",
    "Đã gửi email xin lỗi và hẹn gọi lại",
)
_RESOLVED_NOTES = (
    "Đã hoàn tiền phí giao hàng",
    "Đổi sản phẩm mới, khách hài lòng",
    "Tặng voucher 100.000 ₫ cho đơn sau",
    "Refund issued; customer satisfied",
    "Đã giải thích chính sách, khách đồng ý",
)
_UNREACHABLE_NOTES = ("Gọi 3 lần không nghe máy", "Số điện thoại không liên lạc được")
_CLOSED_NOTES = ("Đóng sau kiểm tra chất lượng", "Closed after QA review")


def demo_start_in(conn: sa.Connection) -> dt.datetime | None:
    """:func:`demo_start` of the responses the caller's transaction sees (None without
    any): the generator simulates its queue up to there."""
    last = db.fetch_in(conn, cq.clock_anchor())["last_response_at"][0]
    return None if last is None else demo_start(last)


def seed_demo_queue(
    engine: sa.Engine, seed: int = 42, *, as_of: dt.datetime | None = None
) -> dict[str, int]:
    """Replace the follow-up items with a lived-in queue for the demo.

    Every qualifying response gets an item; its history is simulated up to ``as_of``
    (default: the last qualifying response in the store): older items are mostly
    resolved, unreachable or closed, recent ones new or contacted, a few are forgotten
    (open and overdue). Deterministic for the same data and seed. Every step is in the
    event log with a demo owner's name. Returns the number of items per status.
    """
    with db.begin(engine) as conn:
        return seed_demo_queue_in(conn, seed, as_of=as_of)


def seed_demo_queue_in(
    conn: sa.Connection, seed: int = 42, *, as_of: dt.datetime | None = None
) -> dict[str, int]:
    """:func:`seed_demo_queue` inside the caller's transaction (the demo generator's)."""
    sla = dt.timedelta(hours=get_settings().followup_sla_hours)
    ensure_tables(conn)
    # The demo rebuilds the queue from scratch: the demo data was just replaced.
    db.empty_tables(conn, (followup_events, followups))
    candidates = db.fetch_in(conn, cq.followup_candidates().order_by("response_id"))
    if candidates.is_empty():
        return dict.fromkeys(FOLLOWUP_STATUSES, 0)
    as_of = as_of or candidates["responded_at"].max()
    items, log = _simulate(candidates, np.random.default_rng(seed), as_of, sla)
    db.append_frame(conn, followups, items)
    db.append_frame(conn, followup_events, log)
    counts = items.group_by("status").len()
    found = dict(zip(counts["status"], counts["len"], strict=True))
    return {s: int(found.get(s, 0)) for s in FOLLOWUP_STATUSES}


def _hours(values: np.ndarray) -> pl.Series:
    """Hours as durations, in whole seconds (as people's clocks show them)."""
    return pl.Series(np.round(values * 3600) * 1_000_000).cast(pl.Int64).cast(pl.Duration("us"))


def _simulate(
    candidates: pl.DataFrame, rng: np.random.Generator, as_of: dt.datetime, sla: dt.timedelta
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Each item's would-be history (created, assigned, contacted, outcome, closed),
    cut at ``as_of``: the item is what its last step before ``as_of`` made it."""
    n = candidates.height
    forgotten = rng.random(n) < 0.02  # never handled: open and overdue
    outcome_resolved = rng.random(n) < 0.78  # else unreachable
    closes = rng.random(n) < 0.45
    owner = np.asarray(DEMO_OWNERS)[rng.integers(0, len(DEMO_OWNERS), n)]
    created_h = rng.uniform(0.05, 1.0, n)  # the nightly import
    assigned_h = created_h + rng.lognormal(np.log(3.0), 0.8, n)
    contacted_h = assigned_h + rng.lognormal(np.log(20.0), 0.7, n)  # ~1 in 6 past the SLA
    outcome_h = contacted_h + rng.lognormal(np.log(40.0), 0.8, n)
    closed_h = outcome_h + rng.uniform(24.0, 240.0, n)

    def note(choices: tuple[str, ...]) -> np.ndarray:
        return np.asarray(choices)[rng.integers(0, len(choices), n)]

    outcome = np.where(outcome_resolved, "resolved", "unreachable")
    outcome_note = np.where(outcome_resolved, note(_RESOLVED_NOTES), note(_UNREACHABLE_NOTES))
    base = candidates.select(
        "response_id", "responded_at", pl.Series("owner", owner), pl.Series("i", np.arange(n))
    )
    at = pl.col("responded_at")
    steps = [
        # step, hours after the response, actor, from, to, owner from/to, note, happens
        (1, created_h, SYNC_ACTOR, None, "new", None, None, None, np.ones(n, bool)),
        (2, assigned_h, DEMO_MANAGER, "new", "new", None, owner, None, ~forgotten),
        (3, contacted_h, owner, "new", "contacted", owner, owner, note(_CONTACT_NOTES),
         ~forgotten),
        (4, outcome_h, owner, "contacted", outcome, owner, owner, outcome_note, ~forgotten),
        (5, closed_h, DEMO_MANAGER, outcome, "closed", owner, owner, note(_CLOSED_NOTES),
         ~forgotten & closes),
    ]  # fmt: skip
    frames = []
    for step, hours, actor, from_s, to_s, owner_from, owner_to, text, happens in steps:

        def column(value, name):
            return pl.Series(name, np.broadcast_to(np.asarray(value, dtype=object), n))

        frames.append(
            base.with_columns(
                pl.lit(step, pl.Int32).alias("version"),
                (at + _hours(hours)).alias("changed_at"),
                column(actor, "actor").cast(pl.String),
                column(from_s, "from_status").cast(pl.String),
                column(to_s, "to_status").cast(pl.String),
                column(owner_from, "owner_from").cast(pl.String),
                column(owner_to, "owner_to").cast(pl.String),
                column(text, "note").cast(pl.String),
                pl.Series("happens", happens),
            )
        )
    log = (
        pl.concat(frames)
        # Every item exists (creation is the import's), later steps only up to as_of.
        .filter(pl.col("happens") & ((pl.col("changed_at") <= as_of) | (pl.col("version") == 1)))
        .sort("i", "version")
        .with_columns(
            (pl.col("response_id") + "#" + pl.col("version").cast(pl.String)).alias("event_id")
        )
    )
    last = log.group_by("i").agg(
        pl.col("version").max(),
        pl.col("to_status").last().alias("status"),
        pl.col("owner_to").last().alias("owner"),
        pl.col("changed_at").last().alias("updated_at"),
        pl.col("actor").last().alias("updated_by"),
        pl.col("changed_at")
        .filter(pl.col("to_status") == "contacted")
        .first()
        .alias("first_contact_at"),
        pl.col("changed_at").first().alias("created_at"),
    )
    items = (
        candidates.with_row_index("i")
        .with_columns(pl.col("i").cast(pl.Int64))
        .join(last.with_columns(pl.col("i").cast(pl.Int64)), on="i")
        .with_columns((pl.col("responded_at") + pl.lit(sla)).alias("due_at"))
        .drop("i")
    )
    events = log.select(
        "event_id", "response_id", "version", "changed_at", "actor", "from_status", "to_status",
        "owner_from", "owner_to", "note",
    )  # fmt: skip
    return items, events
