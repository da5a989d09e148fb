"""Who may see what: roles, what each may do, scopes, and the viewer of this run.

DESIGN.md's Access section: executive (dashboards, chart and report exports), manager
(+ comments, the customer view and follow-up within their scope), analyst (+ table
exports and every view; they label comments and train the sentiment model), admin
(+ imports, users, settings such as the themes' taxonomy). Personal data (name, email,
phone) is shown only to manager and admin, and only inside their scope.

The viewer is held per run in a context variable (each Streamlit session's script runs
in its own thread), never process-wide. The command line acts as admin: whoever has the
machine has the data.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import ParamSpec, TypeVar

from dashboard.i18n import _
from queries import schema
from queries.schema import DIMENSIONS

P = ParamSpec("P")
R = TypeVar("R")

ROLES = schema.ROLES

# What each role may do, cumulatively in ROLES' order.
ACTIONS = {
    "executive": ("dashboards", "chart_exports", "report_exports"),
    "manager": ("comments", "customers", "followup", "personal_data"),
    # labels: label comments, train the sentiment model and switch it on (it changes what
    # every viewer sees, so not below analyst); the themes' taxonomy is a setting (admin).
    "analyst": ("table_exports", "all_views", "labels"),
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

    def as_pairs(self) -> list[tuple[str, str]]:
        """(dimension, value) for every allowed value: how the store keeps a scope."""
        return [(d, v) for d, values in self.allowed for v in values]

    def words(self) -> str:
        """The scope for people: 'region: TP.HCM; segment: SMB, VIP' or 'whole store'."""
        if self.everything:
            return _("whole store")
        return "; ".join(f"{d.replace('_', ' ')}: {', '.join(vs)}" for d, vs in self.allowed)

    def spec(self) -> str:
        """The scope in one line for lists and the audit trail: 'region=TP.HCM,Đà Nẵng;
        segment=SMB' ('' for the whole store)."""
        return "; ".join(f"{d}={','.join(vs)}" for d, vs in self.allowed)

    @classmethod
    def parse(cls, items: list[str] | tuple[str, ...]) -> Scope:
        """``DIM=VALUE`` items (repeatable; several values of one dimension allowed)."""
        values: dict[str, list[str]] = {}
        for item in items:
            dimension, sep, value = item.partition("=")
            if not sep or not dimension.strip() or not value.strip():
                raise ValueError(f"scope {item!r} is not DIMENSION=VALUE (e.g. region=TP.HCM)")
            values.setdefault(dimension.strip(), []).append(value.strip())
        return cls.of(values)


@dataclass(frozen=True)
class Viewer:
    """The person (or process) a run acts for."""

    email: str
    role: str
    scope: Scope = Scope()

    def may(self, action: str) -> bool:
        return action in permissions(self.role)

    def words(self) -> str:
        """Who, in which role and scope: 'an@x.vn (manager) · region: TP.HCM'."""
        return _("{who} ({role}) · {scope}").format(
            who=self.email, role=role_label(self.role), scope=self.scope.words()
        )


def role_label(role: str) -> str:
    """A role's name for people."""
    labels = {
        "executive": _("executive"),
        "manager": _("manager"),
        "analyst": _("analyst"),
        "admin": _("admin"),
    }
    return labels.get(role, role)


CLI_ADMIN = Viewer(email="cli", role="admin")
# Bookkeeping that must see the whole store whatever the viewer's scope and reveals no
# rows to them: the summary tables' fingerprint, the sign-in lookup of a user.
SYSTEM = Viewer(email="system", role="admin")

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


@contextlib.contextmanager
def system() -> Iterator[Viewer]:
    """Run the block over the whole store (see :data:`SYSTEM`); its callers return no rows
    to the viewer, only decisions (fresh or not, known user or not)."""
    with acting_as(SYSTEM) as viewer:
        yield viewer


def bound(fn: Callable[P, R]) -> Callable[P, R]:
    """``fn`` that runs as this run's viewer wherever it is called: Streamlit runs download
    callbacks on another thread, where the viewer of the run is not set."""
    viewer = _viewer.get()

    @functools.wraps(fn)
    def as_viewer(*args: P.args, **kwargs: P.kwargs) -> R:
        if viewer is None:
            return fn(*args, **kwargs)
        with acting_as(viewer):
            return fn(*args, **kwargs)

    return as_viewer


def cache_key() -> tuple[str, Scope]:
    """What a cached result depends on besides its arguments: the viewer's role (personal
    data is masked by role) and scope (rows). Part of every cache key of the app."""
    viewer = current_viewer()
    return viewer.role, viewer.scope


def may(action: str) -> bool:
    """Whether the current viewer may do ``action``."""
    return current_viewer().may(action)


def may_see_personal_data() -> bool:
    """Names, emails and phones unmasked: managers and admins only (inside their scope,
    which the store enforces on every statement)."""
    return may("personal_data")
