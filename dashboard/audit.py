"""The audit trail: sign-ins, denials, imports, exports, follow-up and user changes.

Every sensitive action calls :func:`record`; the row says who (the viewer's email, or
``cli:<os user>`` for the command line), when (UTC), what (``action`` and a short
``detail``), in which scope and on how many rows. It is appended, never updated.

What never goes in: comment text, passwords, tokens, customers' names, emails or phones.
``detail`` names things (a file, a view, a follow-up's response id, a user's email --
an account, not a customer) and is cut to ``MAX_DETAIL`` characters.

Usage::

    audit.record("export", detail="table segments (csv)", rows=frame.height, engine=engine)
    with db.begin(engine) as conn:          # atomic with the change it describes
        ...
        audit.record("followup_change", detail=f"{response_id}: new -> contacted", conn=conn)
"""

from __future__ import annotations

import contextlib
import datetime as dt
import getpass
import logging
import uuid

import polars as pl
import sqlalchemy as sa

from dashboard import access, db
from dashboard.i18n import _
from queries import access as q
from queries.schema import ACCESS_TABLES

log = logging.getLogger(__name__)

ACTIONS = (
    "sign_in", "sign_out", "denied", "import", "export", "user_change", "followup_change",
    "refresh",
)  # fmt: skip
MAX_DETAIL = 300


def actor(viewer: access.Viewer | None = None) -> str:
    """Who acts: the viewer's email, or ``cli:<os user>`` on the command line."""
    viewer = viewer or access.current_viewer()
    if viewer == access.CLI_ADMIN:
        try:
            return f"cli:{getpass.getuser()}"
        except (KeyError, OSError):  # no user name (some containers)
            return "cli"
    return viewer.email


def exported_by(viewer: access.Viewer | None = None) -> str:
    """What an export says about who made it: 'Exported by an@x.vn (manager) · scope:
    region: TP.HCM' (footnote, About sheet, PDF cover)."""
    viewer = viewer or access.current_viewer()
    return _("Exported by {who} ({role}) · scope: {scope}").format(
        who=actor(viewer), role=access.role_label(viewer.role), scope=viewer.scope.words()
    )


def entry(
    action: str,
    *,
    detail: str = "",
    rows: int | None = None,
    who: str | None = None,
    viewer: access.Viewer | None = None,
) -> dict:
    """The audit row for ``action`` by ``viewer`` (default: this run's)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}; choose one of {', '.join(ACTIONS)}")
    viewer = viewer or access.current_viewer()
    detail = " ".join(str(detail).split())  # one line
    if len(detail) > MAX_DETAIL:
        detail = detail[: MAX_DETAIL - 1] + "…"
    return {
        "event_id": uuid.uuid4().hex,
        "occurred_at": dt.datetime.now(dt.UTC).replace(tzinfo=None),
        "actor": who or actor(viewer),
        "role": viewer.role if who is None else None,
        "action": action,
        "detail": detail or None,
        "scope": viewer.scope.spec() if who is None else None,
        "row_count": rows,
        "origin": "app" if access.viewer_is_set() else "cli",
    }


def record(
    action: str,
    *,
    detail: str = "",
    rows: int | None = None,
    engine: sa.Engine | None = None,
    conn: sa.Connection | None = None,
    who: str | None = None,
) -> None:
    """Append one audit row.

    ``conn``: inside the caller's transaction (the row commits or rolls back with the
    change it describes); else in a transaction of its own on ``engine`` (default: the
    configured store). ``who``: for a denial, the identity that was refused (no role or
    scope: they have none). Raises StoreError when the row cannot be written -- an action
    that must be on record should not happen off the record.
    """
    row = entry(action, detail=detail, rows=rows, who=who)
    if conn is not None:
        db.execute(conn, q.append_audit(row))
        return
    engine = engine or db.default_engine()
    # Denials happen before anyone is signed in: the row is written as the system.
    with access.system() if who is not None else contextlib.nullcontext():
        try:
            _append(engine, row)
        except db.SchemaMissing:  # a store from before the audit trail: add its tables
            ensure_tables(engine)
            _append(engine, row)
    log.info("audit %s by %s: %s", action, row["actor"], row["detail"] or "")


def _append(engine: sa.Engine, row: dict) -> None:
    with db.begin(engine) as conn:
        db.execute(conn, q.append_audit(row))


def record_import(report, *, engine: sa.Engine) -> None:
    """Put a written import (an ``ingest`` ImportReport) on the audit trail: table, file
    name and row counts."""
    if report.status != "written":
        return
    name = str(report.file).replace("\\", "/").rsplit("/", 1)[-1]
    detail = (
        f"{report.table} from {name}: {report.would_insert} inserted, "
        f"{report.would_update} updated, {report.unchanged} unchanged"
    )
    record("import", detail=detail, rows=report.rows_valid, engine=engine)


def ensure_tables(engine: sa.Engine) -> None:
    """Create the users, scopes and audit tables where they are missing (idempotent)."""
    db.create_tables(engine, ACCESS_TABLES)


def entries(
    engine: sa.Engine, since: dt.date | dt.datetime | None = None, limit: int | None = None
) -> pl.DataFrame:
    """The audit trail, newest first, from ``since`` (a day: from its start) on.

    Returns columns: occurred_at, actor, role, action, detail, scope, row_count, origin.
    """
    if isinstance(since, dt.date) and not isinstance(since, dt.datetime):
        since = dt.datetime.combine(since, dt.time())
    try:
        return db.fetch(q.audit_entries(since, limit), engine)
    except db.SchemaMissing:
        types = {"occurred_at": pl.Datetime, "row_count": pl.Int64}
        return pl.DataFrame(schema={c: types.get(c, pl.String) for c in q.AUDIT_COLUMNS})
