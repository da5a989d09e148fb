"""Statements of the access tables: users, their scopes, the audit trail.

Emails are passed in already trimmed and in lower case (``dashboard.users`` does that);
the lookups compare ``lower(email)`` too, so rows written by another tool still match.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

import sqlalchemy as sa

from queries.schema import audit_log, user_scopes, users

USER_COLUMNS = ("email", "role", "active", "created_at", "updated_at", "updated_by")
AUDIT_COLUMNS = (
    "occurred_at", "actor", "role", "action", "detail", "scope", "row_count", "origin",
)  # fmt: skip


def all_users() -> sa.Select:
    """Every user (columns ``USER_COLUMNS``), by email."""
    return sa.select(*(users.c[c] for c in USER_COLUMNS)).order_by(users.c.email)


def user(email: str) -> sa.Select:
    """The user with ``email`` (compared case-insensitively): zero or one row."""
    return sa.select(*(users.c[c] for c in USER_COLUMNS)).where(
        sa.func.lower(users.c.email) == email
    )


def scopes(email: str | None = None) -> sa.Select:
    """Scope rows (email, dimension, value), of one user or of all."""
    statement = sa.select(user_scopes.c.email, user_scopes.c.dimension, user_scopes.c.value)
    if email is not None:
        statement = statement.where(sa.func.lower(user_scopes.c.email) == email)
    return statement.order_by(user_scopes.c.email, user_scopes.c.dimension, user_scopes.c.value)


def delete_user(email: str) -> sa.Delete:
    return users.delete().where(sa.func.lower(users.c.email) == email)


def delete_scopes(email: str) -> sa.Delete:
    return user_scopes.delete().where(sa.func.lower(user_scopes.c.email) == email)


def insert_user(row: Mapping[str, object]) -> sa.Insert:
    return users.insert().values(**{c: row[c] for c in USER_COLUMNS})


def insert_scopes(email: str, pairs: Iterable[tuple[str, str]]) -> sa.Insert | None:
    """One row per (dimension, value); None when there is nothing to insert."""
    rows = [{"email": email, "dimension": d, "value": v} for d, v in pairs]
    return user_scopes.insert().values(rows) if rows else None


def set_active(email: str, active: bool, at: dt.datetime, by: str) -> sa.Update:
    return (
        users.update()
        .where(sa.func.lower(users.c.email) == email)
        .values(active=active, updated_at=at, updated_by=by)
    )


def append_audit(row: Mapping[str, object]) -> sa.Insert:
    return audit_log.insert().values(**row)


def audit_entries(since: dt.datetime | None = None, limit: int | None = None) -> sa.Select:
    """Audit rows (``AUDIT_COLUMNS``), newest first; from ``since`` on when given."""
    statement = sa.select(*(audit_log.c[c] for c in AUDIT_COLUMNS))
    if since is not None:
        statement = statement.where(
            audit_log.c.occurred_at >= sa.bindparam("since", since, type_=sa.DateTime)
        )
    statement = statement.order_by(audit_log.c.occurred_at.desc(), audit_log.c.event_id.desc())
    return statement.limit(limit) if limit else statement
