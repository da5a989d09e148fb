"""Who may sign in: users, their roles and scopes, kept in the store.

Managed by ``cxdash users`` and the Users page (admins); read at every sign-in. Emails are
stored trimmed and in lower case, so ``An.Nguyen@Company.vn`` and ``an.nguyen@company.vn``
are one user. Every change is one transaction that also appends its audit row.

Rules beyond the roles themselves:

- an admin has no scope: admins import data and manage users (they could give themselves
  any scope), so a scope on them would only pretend to limit them;
- a scope names real values: ``(unknown)`` (empty or missing dimension) cannot be granted.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
import sqlalchemy as sa

from dashboard import access, audit, db
from dashboard.access import ROLES, Scope, Viewer
from queries import access as q
from queries.filters import UNKNOWN

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class User:
    email: str
    role: str
    active: bool = True
    scope: Scope = Scope()
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    updated_by: str = ""

    def viewer(self) -> Viewer:
        return Viewer(self.email, self.role, self.scope)


@dataclass(frozen=True)
class ImportSummary:
    """What ``cxdash users import`` did (emails, in file order)."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def normalise_email(text: str) -> str:
    """``text`` trimmed and in lower case; ValueError when it is no email address."""
    email = str(text or "").strip().lower()
    if not _EMAIL.match(email):
        raise ValueError(f"{str(text).strip()!r} is not an email address")
    return email


def checked(email: str, role: str, scope: Scope | None = None, active: bool = True) -> User:
    """A valid user, or ValueError saying what is wrong."""
    email = normalise_email(email)
    scope = scope or Scope()
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    if role == "admin" and not scope.everything:
        raise ValueError(
            "an admin sees the whole store (admins import data and manage users); "
            "give a scoped person the manager or analyst role"
        )
    if any(value == UNKNOWN for _, value in scope.as_pairs()):
        raise ValueError(f"a scope cannot grant {UNKNOWN}; name the values the user may see")
    if not isinstance(active, bool):
        raise ValueError(f"active must be true or false, got {active!r}")
    return User(email=email, role=role, active=active, scope=scope)


# -- reading ---------------------------------------------------------------------------------


def find(engine: sa.Engine, email: str) -> User | None:
    """The user with ``email`` (any case), or None. No viewer needed on a guarded engine:
    the lookup runs as the system (it decides whether someone may sign in)."""
    try:
        email = normalise_email(email)
    except ValueError:
        return None
    with access.system():
        rows = db.fetch(q.user(email), engine)
        if rows.height == 0:
            return None
        pairs = db.fetch(q.scopes(email), engine)
    return _user(rows.row(0, named=True), pairs)


def all_users(engine: sa.Engine) -> list[User]:
    """Every user, by email (empty when the store has no users table yet)."""
    try:
        rows = db.fetch(q.all_users(), engine)
        pairs = db.fetch(q.scopes(), engine)
    except db.SchemaMissing:
        return []
    return [
        _user(row, pairs.filter(pl.col("email") == row["email"]))
        for row in rows.iter_rows(named=True)
    ]


def _user(row: Mapping, pairs: pl.DataFrame) -> User:
    values: dict[str, list[str]] = {}
    for dimension, value in pairs.select("dimension", "value").iter_rows():
        values.setdefault(dimension, []).append(value)
    return User(
        email=str(row["email"]).lower(),
        role=row["role"],
        active=bool(row["active"]),
        scope=Scope.of(values),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        updated_by=row["updated_by"],
    )


def users_frame(users: list[User]) -> pl.DataFrame:
    """Users as a table.

    Returns columns: email, role, active, scope (``DIM=VALUE ...``, empty = whole store),
    updated_at, updated_by.
    """
    return pl.DataFrame(
        {
            "email": [u.email for u in users],
            "role": [u.role for u in users],
            "active": [u.active for u in users],
            "scope": [u.scope.spec() for u in users],
            "updated_at": [u.updated_at for u in users],
            "updated_by": [u.updated_by for u in users],
        },
        schema={"email": pl.String, "role": pl.String, "active": pl.Boolean,
                "scope": pl.String, "updated_at": pl.Datetime, "updated_by": pl.String},
    )  # fmt: skip


# -- writing ---------------------------------------------------------------------------------


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def save(engine: sa.Engine, user: User) -> str:
    """Add ``user`` or replace their role, scope and active flag; returns "added",
    "changed" or "unchanged". One transaction with its audit row."""
    with db.begin(engine) as conn:
        outcome = _save_in(conn, user)
    return outcome


def _save_in(conn: sa.Connection, user: User) -> str:
    user = checked(user.email, user.role, user.scope, user.active)
    existing = db.fetch_in(conn, q.user(user.email))
    by = audit.actor()
    now = _now()
    if existing.height:
        before = _user(existing.row(0, named=True), db.fetch_in(conn, q.scopes(user.email)))
        if (before.role, before.scope, before.active) == (user.role, user.scope, user.active):
            return "unchanged"
        created = before.created_at
    else:
        before, created = None, now
    db.execute(conn, q.delete_scopes(user.email))
    db.execute(conn, q.delete_user(user.email))
    row = {"email": user.email, "role": user.role, "active": user.active,
           "created_at": created, "updated_at": now, "updated_by": by}  # fmt: skip
    db.execute(conn, q.insert_user(row))
    insert = q.insert_scopes(user.email, user.scope.as_pairs())
    if insert is not None:
        db.execute(conn, insert)
    outcome = "changed" if before else "added"
    audit.record("user_change", detail=f"{outcome} {_describe(user)}", conn=conn)
    return outcome


def _describe(user: User) -> str:
    scope = user.scope.spec() or "whole store"
    state = "" if user.active else ", inactive"
    return f"{user.email}: {user.role}, {scope}{state}"


def remove(engine: sa.Engine, email: str) -> bool:
    """Delete the user and their scope; False when there was none."""
    email = normalise_email(email)
    with db.begin(engine) as conn:
        if db.fetch_in(conn, q.user(email)).height == 0:
            return False
        db.execute(conn, q.delete_scopes(email))
        db.execute(conn, q.delete_user(email))
        audit.record("user_change", detail=f"removed {email}", conn=conn)
    return True


def set_active(engine: sa.Engine, email: str, active: bool) -> bool:
    """Let the user sign in again, or not; False when there is no such user."""
    email = normalise_email(email)
    with db.begin(engine) as conn:
        if db.execute(conn, q.set_active(email, active, _now(), audit.actor())) == 0:
            return False
        word = "activated" if active else "deactivated"
        audit.record("user_change", detail=f"{word} {email}", conn=conn)
    return True


def refuse_own_lockout(email: str, *, removing: bool = False, role: str | None = None) -> None:
    """ValueError when the viewer would remove, deactivate or demote themselves (an admin
    locking themselves out of the Users page); the command line may."""
    viewer = access.current_viewer()
    if viewer == access.CLI_ADMIN or normalise_email(email) != viewer.email.lower():
        return
    if removing or (role is not None and role != viewer.role):
        raise ValueError(
            "you cannot remove, deactivate or demote your own account; ask another admin"
        )


# -- import ----------------------------------------------------------------------------------

_HEADER = re.compile(r"^\s*\[\[\s*(users?)\s*\]\]")


def parse_users(text: str, name: str = "users.toml") -> list[User]:
    """The users of a TOML file: ``[[users]]`` tables with email, role, optional scope
    (``{ region = ["TP.HCM"] }``) and active. Every item is checked; ValueError lists the
    problems, each with its line and item, and nothing is imported."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{name}: not valid TOML: {exc}") from None
    items = raw.get("users", raw.get("user"))
    unknown = sorted(set(raw) - {"users", "user"})
    if not isinstance(items, list) or not items or unknown:
        raise ValueError(
            f"{name}: expected [[users]] tables (email, role, scope, active)"
            + (f"; unknown key(s) {', '.join(unknown)}" if unknown else "")
        )
    lines = [i + 1 for i, line in enumerate(text.splitlines()) if _HEADER.match(line)]
    problems, users, seen = [], [], {}
    for index, item in enumerate(items):
        where = f"{name} line {lines[index]}" if index < len(lines) else name
        label = f"user {index + 1}" + (f" ({item.get('email')})" if isinstance(item, dict) else "")
        try:
            user = _item(item)
            if user.email in seen:
                raise ValueError(f"{user.email} is listed twice (also user {seen[user.email]})")
            seen[user.email] = index + 1
            users.append(user)
        except ValueError as exc:
            problems.append(f"{where}, {label}: {exc}")
    if problems:
        raise ValueError(
            f"{len(problems)} problem(s), nothing imported:\n  " + "\n  ".join(problems)
        )
    return users


def _item(item) -> User:
    if not isinstance(item, dict):
        raise ValueError("each [[users]] entry must be a table")
    extra = sorted(set(item) - {"email", "role", "scope", "active"})
    if extra:
        raise ValueError(f"unknown key(s) {', '.join(extra)} (email, role, scope, active)")
    if "email" not in item or "role" not in item:
        raise ValueError("email and role are required")
    scope_raw = item.get("scope", {})
    if not isinstance(scope_raw, dict):
        raise ValueError('scope must be a table, e.g. scope = { region = ["TP.HCM"] }')
    values = {d: ([v] if isinstance(v, str) else v) for d, v in scope_raw.items()}
    if any(
        not isinstance(v, list) or not all(isinstance(x, str) for x in v) for v in values.values()
    ):
        raise ValueError("scope values must be text or lists of text")
    return checked(item["email"], item["role"], Scope.of(values), item.get("active", True))


def import_file(engine: sa.Engine, path: Path | str) -> ImportSummary:
    """Add or update every user of the TOML file at ``path`` in one transaction (users not
    in the file are left as they are). ValueError, and nothing written, on any problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"cannot read {path}: {exc}") from None
    return import_text(engine, text, path.name)


def import_text(engine: sa.Engine, text: str, name: str = "users.toml") -> ImportSummary:
    """:func:`import_file` for TOML text (an upload on the Users page)."""
    users = parse_users(text, name)
    summary = ImportSummary()
    with db.begin(engine) as conn:
        for user in users:
            getattr(summary, _save_in(conn, user)).append(user.email)
    return summary
