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

Results follow the data: every key also holds the store's data version (``db.data_version``),
read once per run (:func:`store_status`, at the start of every page's run). A write by any
process -- an import from cron, a refresh, a follow-up change in another session -- bumps
it, so every session computes fresh numbers at its next interaction instead of after the
cache's TTL; sessions at the same version keep sharing their results.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
import streamlit as st

from dashboard import access, db, rollup_store, service
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
def _cached(
    url: str, name: str, args: tuple, who: tuple, version: int, _compute: Callable
) -> object:
    # ``name`` stands for ``_compute`` in the key (underscored arguments are not hashed);
    # ``who`` is the viewer's role and scope, which ``db`` applies inside ``_compute``;
    # ``version`` the data version this run saw (a new one means new data).
    return _compute(_engine(url), *args)


_VERSION_KEY = "_cx_data_version"
_LAST_KEY = "_cx_last_data_version"  # kept across runs: answers while a write runs
# How long a run waits for the data version while the embedded store is being written,
# before it answers from the results of the version it saw last.
VERSION_WAIT_SECONDS = 0.3
# The version this process saw last: when another process's write changes it, decisions
# kept per engine (are the summary tables fresh?) are taken again.
_last_seen: dict[str, int] = {}


def read_data_version() -> int:
    """Read the store's data version now and keep it for this session's run (every cache
    key of the run holds it). Raises ``db.StoreError`` when the store cannot answer."""
    url = store_url()
    try:
        with access.system():  # the whole store's version, whoever looks
            version = db.data_version(_engine(url), wait=VERSION_WAIT_SECONDS)
    except db.StoreBusy:
        # An import writes the embedded store: results of the last committed data (this
        # session's, else this process's) still answer; what is not cached says "being
        # updated" (db.StoreBusy) and the page tries again.
        version = st.session_state.get(_LAST_KEY, _last_seen.get(url))
        if version is None:
            raise
    if _last_seen.get(url) not in (None, version):
        rollup_store.forget_decisions()
    _last_seen[url] = version
    st.session_state[_VERSION_KEY] = version
    st.session_state[_LAST_KEY] = version
    return version


def new_run() -> None:
    """At the start of every run (``app.main``): this run reads the data version afresh."""
    st.session_state.pop(_VERSION_KEY, None)


def data_version() -> int:
    """The data version of this run (read at its start by :func:`store_status`)."""
    version = st.session_state.get(_VERSION_KEY)
    return read_data_version() if version is None else version


def _name(name: str, localized: bool) -> str:
    # The language joins the key of results that hold words.
    return f"{name}@{current_language()}" if localized else name


def run(view: View, f: Filters, options: Options | None = None) -> Result:
    """The registry view's result for ``f`` and ``options``, cached."""
    options = options or Options()
    with st.spinner(_("Crunching the numbers…"), show_time=False):
        name = _name(f"view:{view.name}", view.localized)
        key = access.cache_key()
        return _cached(store_url(), name, (f, options), key, data_version(), view.run)


def call(lookup: Callable, *args, localized: bool = False):
    """``lookup(engine, *args)`` -- a lookup such as ``service.options`` -- cached
    (arguments must be hashable). ``localized``: the result holds words in the session's
    language, so each language gets its own entry."""
    name = _name(f"{lookup.__module__}.{lookup.__qualname__}", localized)
    return _cached(store_url(), name, tuple(args), access.cache_key(), data_version(), lookup)


@st.cache_data(ttl=_TTL, max_entries=64, show_spinner=False)
def _status(url: str, language: str, who: tuple, version: int) -> tuple[str, str]:
    # ``language`` and ``who`` key the cache: the messages are written in the language,
    # and the store answers within the viewer's scope; ``version``: an import fills it.
    try:
        has = service.has_data(_engine(url))
    except db.SchemaMissing as exc:
        return "empty", str(exc)
    except db.StoreBusy:
        raise  # not cached: the write ends soon
    except db.StoreError as exc:
        raise _Unavailable(str(exc)) from None  # not cached: the next run asks again
    return ("ok", "") if has else ("empty", _(EMPTY_STORE))


class _Unavailable(Exception):
    pass


def store_status() -> tuple[str, str]:
    """("ok" | "empty" | "busy" | "unavailable", message for people in the session's
    language); "busy": a write holds the embedded store and nothing was cached to answer.

    Called at the start of every page's run: it reads the data version the run's cached
    results are keyed by, so a store that went away is said at once (never hidden behind
    cached numbers) and one that came back is used again at the next interaction."""
    try:
        version = read_data_version()
        return _status(store_url(), current_language(), access.cache_key(), version)
    except db.StoreBusy as exc:
        return "busy", str(exc)
    except db.StoreError as exc:
        return "unavailable", str(exc)
    except _Unavailable as exc:
        return "unavailable", str(exc)


def data_changed() -> None:
    """Forget every cached result: the data changed (an import, a rebuild), and every page
    must show the new numbers."""
    st.cache_data.clear()
