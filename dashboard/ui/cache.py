"""The cached boundary: caching lives here and nowhere else.

``st.cache_resource`` for the engine and ``st.cache_data`` for results, keyed by the store
URL, the view's name (or the lookup function's qualified name) and its (frozen, hashable)
arguments -- so switching pages does not recompute an unchanged view -- and by the viewer's
role and scope (``access.cache_key()``): two people with different scopes never share a
result (Superset leaked rows across users through cache keys that lacked their row-level
rules). A result holding words people read (a view declared ``localized``, a lookup
called with ``localized=True``) is also keyed by the session's language; numbers and data
values are shared by all languages (figures are drawn after the cache, in the session's
language).
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
import streamlit as st

from dashboard import access, db, service
from dashboard.config import get_settings
from dashboard.i18n import N_, _, current_language
from dashboard.views import Options, Result, View
from queries.filters import Filters

_TTL = get_settings().cache_ttl_seconds
EMPTY_STORE = N_(
    "No data yet — run `cxdash demo-data` for a realistic demo, or import your own "
    "exports with `cxdash import` (or the Data page)."
)


def store_url() -> str:
    return get_settings().database_url


@st.cache_resource(show_spinner=False)
def _engine(url: str) -> sa.Engine:
    # Guarded: every statement on it needs the run's viewer (dashboard.ui.signin).
    return db.app_engine(url)


def engine() -> sa.Engine:
    """The shared engine of the configured store."""
    return _engine(store_url())


@st.cache_data(ttl=_TTL, max_entries=512, show_spinner=False)
def _cached(url: str, name: str, args: tuple, who: tuple, _compute: Callable) -> object:
    # ``name`` stands for ``_compute`` in the key (underscored arguments are not hashed);
    # ``who`` is the viewer's role and scope, which ``db`` applies inside ``_compute``.
    return _compute(_engine(url), *args)


def _name(name: str, localized: bool) -> str:
    # The language joins the key of results that hold words.
    return f"{name}@{current_language()}" if localized else name


def run(view: View, f: Filters, options: Options | None = None) -> Result:
    """The registry view's result for ``f`` and ``options``, cached."""
    options = options or Options()
    with st.spinner(_("Crunching the numbers…"), show_time=False):
        name = _name(f"view:{view.name}", view.localized)
        return _cached(store_url(), name, (f, options), access.cache_key(), view.run)


def call(lookup: Callable, *args, localized: bool = False):
    """``lookup(engine, *args)`` -- a lookup such as ``service.options`` -- cached
    (arguments must be hashable). ``localized``: the result holds words in the session's
    language, so each language gets its own entry."""
    name = _name(f"{lookup.__module__}.{lookup.__qualname__}", localized)
    return _cached(store_url(), name, tuple(args), access.cache_key(), lookup)


@st.cache_data(ttl=30, max_entries=64, show_spinner=False)
def _status(url: str, language: str, who: tuple) -> tuple[str, str]:
    # ``language`` and ``who`` key the cache: the messages are written in the language,
    # and the store answers within the viewer's scope.
    try:
        has = service.has_data(_engine(url))
    except db.SchemaMissing as exc:
        return "empty", str(exc)
    except db.StoreError as exc:
        return "unavailable", str(exc)
    return ("ok", "") if has else ("empty", _(EMPTY_STORE))


def store_status() -> tuple[str, str]:
    """("ok" | "empty" | "unavailable", message for people in the session's language)."""
    return _status(store_url(), current_language(), access.cache_key())


def data_changed() -> None:
    """Forget every cached result: the data changed (an import, a rebuild), and every page
    must show the new numbers."""
    st.cache_data.clear()
