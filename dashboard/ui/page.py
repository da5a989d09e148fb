"""What every page draws: the header, states and messages, charts and tables with their
download menus.

Every chart and table a page draws goes through :func:`chart` / :func:`table`, the one
place where export buttons get wired in.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator, Mapping

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from dashboard import access, audit, charts, db, state
from dashboard.i18n import N_, SOURCE_LANGUAGE, _, current_language
from dashboard.i18n.formats import MISSING
from dashboard.metrics.groups import TOP_GROUPS
from dashboard.ui.cache import engine
from dashboard.ui.markdown import md
from dashboard.ui.tables import styled
from dashboard.ui.url_state import url_value
from dashboard.views import Options, View
from queries.filters import Filters

NO_DATA = N_("No data for these filters. Widen the period or clear some filters (Reset filters).")
PLOTLY_CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["lasso2d", "select2d"]}
NO_TOOLBAR = {**PLOTLY_CONFIG, "displayModeBar": False}


@contextlib.contextmanager
def friendly_errors() -> Iterator[None]:
    """Show store errors and rejected inputs as messages, never as tracebacks."""
    try:
        yield
    except db.StoreBusy as exc:
        being_updated(str(exc))
    except db.StoreError as exc:
        st.error("**" + _("The database could not answer.") + f"** {exc}",
                 icon=":material/database:")  # fmt: skip
        st.stop()
    except ValueError as exc:
        st.warning(str(exc), icon=":material/warning:")
        st.stop()


BUSY_RETRY_SECONDS = 1.5


def being_updated(message: str) -> None:
    """A write holds the embedded store (an import, a refresh): say so briefly, then run the
    page again by itself -- it answers as soon as the write has committed."""
    st.info(message, icon=":material/sync:")
    time.sleep(BUSY_RETRY_SECONDS)
    st.rerun()


def filters() -> Filters:
    """The global filters the sidebar selected on this run."""
    return st.session_state["_cx_filters"]


def view() -> state.View:
    return st.session_state["_cx_view"]


def header(title: str, f: Filters, extra: tuple[str, ...] = (), icon: str = "") -> None:
    """Page title with the active filters in words underneath."""
    st.title(f"{icon} {title}".strip(), anchor=False)
    st.caption(md(state.describe_filters(f, extra)))  # data and URL values: literal text


def no_data(message: str | None = None) -> None:
    """Say why there is nothing to show (default: no data for these filters)."""
    st.info(message if message is not None else _(NO_DATA), icon=":material/filter_alt_off:")


def chart(
    fig: go.Figure,
    name: str,
    *,
    downloads: bool = True,
    context_extra: tuple[str, ...] = (),
    **kwargs,
):
    """Draw a figure with its download menu. ``name`` names the exported files;
    ``context_extra`` adds words to their filters line (e.g. the comparison period)."""
    kwargs.setdefault("key", f"chart_{name}")
    # A chart that cannot be zoomed or panned (the heatmap) has no use for plotly's
    # toolbar, which would cover its title; downloads are in the menu below.
    config = PLOTLY_CONFIG if fig.layout.dragmode is not False else NO_TOOLBAR
    event = st.plotly_chart(fig, width="stretch", config=config, **kwargs)
    if downloads and access.may("chart_exports"):
        from dashboard.ui.downloads import chart_downloads

        with _download_menu(name):
            context = export_context(fig.layout.title.text or "", context_extra)
            chart_downloads(fig, name=name, context=context)
    return event


def table(
    frame: pl.DataFrame,
    name: str,
    *,
    downloads: bool = True,
    formats: Mapping[str, Callable] | None = None,
    title: str | None = None,
    shorten: Mapping[str, int] | None = None,
    **kwargs,
):
    """Draw a table with its download menu. ``name`` names the exported files.

    ``shorten`` (column -> characters) cuts long text on screen only: the downloads keep
    the whole text.

    ``formats`` writes numbers and dates in the current language (column -> formatter,
    e.g. ``charts.fmt_pct``): the cells show the formatted text and still sort as numbers
    (Streamlit's printf formats know one decimal mark only). Such columns need a
    ``column_config`` entry without ``format``. ``title`` heads the exported files.
    """
    kwargs.setdefault("key", f"table_{name}")
    kwargs.setdefault("hide_index", True)
    kwargs.setdefault("placeholder", MISSING)  # not Streamlit's English "None"
    on_screen = frame
    if shorten and isinstance(frame, pl.DataFrame):
        on_screen = frame.with_columns(
            pl.col(c).map_elements(lambda t, n=n: shortened(t, n), return_dtype=pl.String)
            for c, n in shorten.items()
            if c in frame.columns
        )
    shown = styled(on_screen, formats) if formats and isinstance(frame, pl.DataFrame) else on_screen
    event = st.dataframe(shown, width="stretch", **kwargs)
    # Table exports (every row, every column) are for analysts and admins only.
    if downloads and isinstance(frame, pl.DataFrame) and access.may("table_exports"):
        from dashboard.ui.downloads import table_downloads

        # English files keep the name they always had; other languages get the title.
        english = current_language() == SOURCE_LANGUAGE
        context = export_context(name.replace("_", " ") if english or not title else title)
        with _download_menu(name):
            table_downloads(frame, name=name, context=context)
    return event


def shortened(text: str | None, limit: int) -> str | None:
    """``text`` cut to ``limit`` characters with "…" (None stays None)."""
    if text is None or len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + "…"


def _download_menu(name: str):
    # A small popover keeps the buttons out of the way; their files are only built on click.
    return st.popover(_("Download"), icon=":material/download:", key=f"_cx_menu_{name}",
                      type="tertiary")  # fmt: skip


def export_context(title: str, extra: tuple[str, ...] = ()):
    """Title, filters in words (and ``extra`` words) and the as-of date that make an
    exported file self-explaining."""
    from dashboard.export.charts import ExportContext

    f = st.session_state.get("_cx_filters")
    latest = (st.session_state.get("_cx_data_range") or (None, None))[1]
    words = state.describe_filters(f, extra) if f is not None else " · ".join(extra)
    return ExportContext(
        title=title, filters_words=words, as_of=latest, exported_by=audit.exported_by()
    )


def top_groups(container=None) -> int | None:
    """A toggle "All groups" (off: the largest groups and "(other)", as the report packs
    show them); returns the ``top`` option for the views. Kept in the address."""
    url_value("all_groups", False, parse=lambda v: v[0] in ("1", "true"))
    (container or st).toggle(
        _("All groups"), key="all_groups",
        help=_("Off: the {n} largest groups, the rest together as “(other)”.").format(n=TOP_GROUPS),
    )  # fmt: skip
    return None if st.session_state.get("all_groups") else TOP_GROUPS


def report_button(page: str, f: Filters | None = None, **options) -> None:
    """The page's PDF report pack (Overview, Funnel & touchpoints, Segments, NPS trends,
    Feedback)."""
    from dashboard.ui.downloads import report_button as export_report

    if not access.may("report_exports"):
        return
    export_report(engine(), f or filters(), page=page, **options)


def option_list(options: Mapping[str, list[str]], key: str) -> list[str]:
    return list(options.get(key, []))


def dimension_label(name: str) -> str:
    """A dimension's label in the current language (``Acquisition channel`` ...)."""
    return charts.dimension_label(name)


def broken_rule(view: View, options: Options) -> str | None:
    """The message of the first rule of ``view`` that ``options`` break, else None (a page
    says it instead of running the view)."""
    try:
        view.check(options)
    except ValueError as exc:
        return str(exc)
    return None
