"""Small shared Streamlit helpers: the cached boundary, page headers, states, outputs.

Caching lives here and nowhere else: ``st.cache_resource`` for the engine and
``st.cache_data`` for service results, keyed by the store URL, the service
function's name and its (frozen, hashable) arguments -- so switching pages does
not recompute an unchanged view.

Every chart and table a page draws goes through :func:`chart` / :func:`table`, the
one place where export buttons get wired in.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping

import plotly.graph_objects as go
import polars as pl
import sqlalchemy as sa
import streamlit as st

from dashboard import charts, db, service, state
from dashboard.config import get_settings
from queries.filters import Filters

_TTL = get_settings().cache_ttl_seconds
EMPTY_STORE = (
    "No data yet — run `cxdash demo-data` for a realistic demo, or import your own "
    "exports with `cxdash import` (or the Data page)."
)
NO_DATA = "No data for these filters. Widen the period or clear some filters (Reset filters)."
PLOTLY_CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["lasso2d", "select2d"]}


def store_url() -> str:
    return get_settings().database_url


@st.cache_resource(show_spinner=False)
def _engine(url: str) -> sa.Engine:
    return db.engine_for(url)


def engine() -> sa.Engine:
    """The shared engine of the configured store."""
    return _engine(store_url())


@st.cache_data(ttl=_TTL, max_entries=512, show_spinner=False)
def _cached(url: str, name: str, args: tuple, kwargs: tuple) -> object:
    return getattr(service, name)(_engine(url), *args, **dict(kwargs))


def call(name: str, *args, **kwargs):
    """``service.<name>(engine, *args, **kwargs)``, cached (arguments must be hashable)."""
    with st.spinner("Crunching the numbers…", show_time=False):
        return _cached(store_url(), name, tuple(args), tuple(sorted(kwargs.items())))


@st.cache_data(ttl=30, max_entries=8, show_spinner=False)
def _status(url: str) -> tuple[str, str]:
    try:
        has = service.has_data(_engine(url))
    except db.SchemaMissing as exc:
        return "empty", str(exc)
    except db.StoreError as exc:
        return "unavailable", str(exc)
    return ("ok", "") if has else ("empty", EMPTY_STORE)


def store_status() -> tuple[str, str]:
    """("ok" | "empty" | "unavailable", message for people)."""
    return _status(store_url())


@contextlib.contextmanager
def friendly_errors() -> Iterator[None]:
    """Show store errors and rejected inputs as messages, never as tracebacks."""
    try:
        yield
    except db.StoreError as exc:
        st.error(f"**The database could not answer.** {exc}", icon=":material/database:")
        st.stop()
    except ValueError as exc:
        st.warning(str(exc), icon=":material/warning:")
        st.stop()


def filters() -> Filters:
    """The global filters the sidebar selected on this run."""
    return st.session_state["_cx_filters"]


def view() -> state.View:
    return st.session_state["_cx_view"]


def header(title: str, f: Filters, extra: tuple[str, ...] = (), icon: str = "") -> None:
    """Page title with the active filters in words underneath."""
    st.title(f"{icon} {title}".strip(), anchor=False)
    st.caption(state.describe_filters(f, extra))


def no_data(message: str = NO_DATA) -> None:
    st.info(message, icon=":material/filter_alt_off:")


def chart(fig: go.Figure, name: str, *, downloads: bool = True, **kwargs):
    """Draw a figure with its download menu. ``name`` names the exported files."""
    kwargs.setdefault("key", f"chart_{name}")
    event = st.plotly_chart(fig, width="stretch", config=PLOTLY_CONFIG, **kwargs)
    if downloads:
        from dashboard.ui.downloads import chart_downloads

        with _download_menu(name):
            chart_downloads(fig, name=name, context=export_context(fig.layout.title.text or ""))
    return event


def table(frame: pl.DataFrame, name: str, *, downloads: bool = True, **kwargs):
    """Draw a table with its download menu. ``name`` names the exported files."""
    kwargs.setdefault("key", f"table_{name}")
    kwargs.setdefault("hide_index", True)
    event = st.dataframe(frame, width="stretch", **kwargs)
    if downloads and isinstance(frame, pl.DataFrame):
        from dashboard.ui.downloads import table_downloads

        with _download_menu(name):
            table_downloads(frame, name=name, context=export_context(name.replace("_", " ")))
    return event


def _download_menu(name: str):
    # A small popover keeps the buttons out of the way; their files are only built on click.
    return st.popover("Download", icon=":material/download:", key=f"_cx_menu_{name}",
                      type="tertiary")  # fmt: skip


def export_context(title: str):
    """Title, filters in words and the as-of date that make an exported file self-explaining."""
    from dashboard.export.charts import ExportContext

    f = st.session_state.get("_cx_filters")
    latest = (st.session_state.get("_cx_data_range") or (None, None))[1]
    words = state.describe_filters(f) if f is not None else ""
    return ExportContext(title=title, filters_words=words, as_of=latest)


def report_button(page: str, **options) -> None:
    """The page's PDF report pack (Overview and Funnel & touchpoints)."""
    from dashboard.ui.downloads import report_button as export_report

    export_report(engine(), filters(), page=page, **options)


BAND_BADGE = {"detractor": "orange", "passive": "gray", "promoter": "blue"}


def comment_cards(frame: pl.DataFrame) -> None:
    """Comments as cards: score badges, touchpoint, date, segment, language, then the text.

    Reads response_id, responded_at, touchpoint, nps, csat, ces, comment, language, segment.
    """
    for row in frame.iter_rows(named=True):
        band = charts.nps_band(row["nps"])
        badges = [
            f":{BAND_BADGE[band]}-badge[NPS {row['nps']}]" if band else ":gray-badge[NPS –]",
            f":gray-badge[CSAT {_or_dash(row['csat'])}]",
            f":gray-badge[CES {_or_dash(row['ces'])}]",
        ]
        meta = [f"**{row['touchpoint']}**", f"{row['responded_at']:%Y-%m-%d}",
                row["segment"] or "(unknown)", row["language"] or ""]  # fmt: skip
        with st.container(border=True, gap="small"):
            st.markdown(" ".join(badges) + " " + " · ".join(m for m in meta if m))
            st.text(row["comment"] or "")


def _or_dash(value) -> str:
    return "–" if value is None else str(value)


def option_list(options: Mapping[str, list[str]], key: str) -> list[str]:
    return list(options.get(key, []))


def dimension_label(name: str) -> str:
    return state.LABELS.get(name, name.replace("_", " ").capitalize())
