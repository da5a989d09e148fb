"""Who may see what: roles, what each may do, scopes, and the viewer of this run.

DESIGN.md's Access section: executive (dashboards, chart and report exports), manager
(+ comments, the customer view and follow-up within their scope), analyst (+ table
exports and every view), admin (+ imports, users, settings). Personal data (name, email,
phone) is shown only to manager and admin, and only inside their scope.

The viewer is held per run in a context variable (each Streamlit session's script runs
in its own thread), never process-wide. The command line acts as admin: whoever has the
machine has the data.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass

from queries.schema import DIMENSIONS

ROLES = ("executive", "manager", "analyst", "admin")

# What each role may do, cumulatively in ROLES' order.
ACTIONS = {
    "executive": ("dashboards", "chart_exports", "report_exports"),
    "manager": ("comments", "customers", "followup", "personal_data"),
    "analyst": ("table_exports", "all_views"),
    "admin": ("imports", "users", "settings", "audit"),
}


def permissions(role: str) -> frozenset[str]:
    """Everything ``role`` may do (ValueError for an unknown role)."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    granted: set[str] = set()
    for each in ROLES[: ROLES.index(role) + 1]:
        granted.update(ACTIONS[each])
    if role == "analyst":
        granted.discard("personal_data")  # analysts see every view, never personal data
    return frozenset(granted)


@dataclass(frozen=True)
class Scope:
    """Allowed values per customer dimension; no entry means the dimension is open, and
    an empty scope (``Scope()``) is everything. Frozen and hashable: it is part of every
    cache key."""

    allowed: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @classmethod
    def of(cls, values: Mapping[str, list[str] | tuple[str, ...]]) -> Scope:
        unknown = [d for d in values if d not in DIMENSIONS]
        if unknown:
            raise ValueError(
                f"unknown dimension {unknown[0]!r}; choose from {', '.join(DIMENSIONS)}"
            )
        cleaned = {d: tuple(sorted({str(v).strip() for v in vs if str(v).strip()}))
                   for d, vs in values.items()}  # fmt: skip
        return cls(tuple(sorted((d, vs) for d, vs in cleaned.items() if vs)))

    @property
    def everything(self) -> bool:
        return not self.allowed

    def as_dict(self) -> dict[str, tuple[str, ...]]:
        return dict(self.allowed)


@dataclass(frozen=True)
class Viewer:
    """The person (or process) a run acts for."""

    email: str
    role: str
    scope: Scope = Scope()

    def may(self, action: str) -> bool:
        return action in permissions(self.role)


CLI_ADMIN = Viewer(email="cli", role="admin")

_viewer: ContextVar[Viewer | None] = ContextVar("cxdash_viewer", default=None)


def current_viewer() -> Viewer:
    """The viewer of this run; the command line (no viewer set) acts as admin."""
    return _viewer.get() or CLI_ADMIN


def viewer_is_set() -> bool:
    """Whether this run set a viewer (the app must; only the CLI runs without one)."""
    return _viewer.get() is not None


@contextlib.contextmanager
def acting_as(viewer: Viewer) -> Iterator[Viewer]:
    """Run the block as ``viewer`` (restores the previous one afterwards)."""
    token = _viewer.set(viewer)
    try:
        yield viewer
    finally:
        _viewer.reset(token)


def set_viewer(viewer: Viewer | None) -> None:
    """Set the viewer for the rest of this run (the app, at the start of each run)."""
    _viewer.set(viewer)


def may(action: str) -> bool:
    """Whether the current viewer may do ``action``."""
    return current_viewer().may(action)


def may_see_personal_data() -> bool:
    """Names, emails and phones unmasked: managers and admins only (inside their scope,
    which the store enforces on every statement)."""
    return may("personal_data")
