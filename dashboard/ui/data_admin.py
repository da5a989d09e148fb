"""The Data page's panels: data health and the summary tables' state and rebuild."""

from __future__ import annotations

import sqlalchemy as sa
import streamlit as st

from dashboard import audit, db, rollup_store
from dashboard.i18n import _
from dashboard.i18n.formats import MISSING, fmt_datetime, fmt_int, fmt_number, fmt_pct
from dashboard.ingest.health import DataHealth, data_health
from dashboard.ui.cache import data_changed
from dashboard.ui.tables import headers, styled
from queries.rollups import SOURCE_TABLES


def health_panel(engine: sa.Engine) -> DataHealth | None:
    """Row counts, coverage, anonymous and orphan feedback, the last imports. None when the
    store has no tables yet (said on the page); stops the page when it cannot be read."""
    st.subheader(_("Data health"), anchor=False)
    try:
        health = data_health(engine)
    except db.SchemaMissing:
        health = None
        st.info(_("The store has no tables yet; the first import creates them."))
    except db.StoreError as exc:
        st.error("**" + _("Cannot open the data store.") + f"** {exc}",
                 icon=":material/database:")  # fmt: skip
        st.stop()
    if health is not None:
        cols = st.columns(4)
        cols[0].metric(_("Feedback responses"), fmt_int(health.feedback_total))
        anonymous, orphans = health.share(health.anonymous), health.share(health.orphans)
        cols[1].metric(_("Anonymous feedback"), fmt_pct(anonymous),
                       help=_("Responses without a customer_id."))  # fmt: skip
        cols[2].metric(_("Orphan feedback"), fmt_pct(orphans),
                       help=_("customer_id not among the customers."))  # fmt: skip
        last = health.last_import
        when = _("never") if last is None else fmt_datetime(last) + " UTC"
        cols[3].metric(_("Last import"), when)
        _table(health.coverage_frame(), "health_table")
        if health.recent_imports.height:
            with st.expander(_("Recent imports")):
                _table(health.recent_imports, "recent_imports")
    return health


def _table(frame, key: str) -> None:
    """A small table with headers, numbers and times in the session's language."""
    counts = {c: fmt_int for c, t in frame.schema.items() if t.is_integer()}
    st.dataframe(styled(frame, counts), hide_index=True, key=key, placeholder=MISSING,
                 column_config=headers(frame))  # fmt: skip


def preview_table(frame, key: str = "preview") -> None:
    """Rows about to be imported, as they will be stored: the canonical column names (data,
    not words), numbers with the language's thousands and decimal marks, "–" for none."""
    numbers = {
        c: (fmt_int if t.is_integer() else _decimal)
        for c, t in frame.schema.items()
        if t.is_numeric()
    }
    st.dataframe(styled(frame, numbers), hide_index=True, key=key, placeholder=MISSING)


def _decimal(value: float) -> str:
    """An amount or a score: whole numbers without decimals, others with up to two."""
    return fmt_int(value) if float(value).is_integer() else fmt_number(value, 2)


def summary_tables_panel(engine: sa.Engine, health: DataHealth | None) -> None:
    """Whether the summary tables are up to date, with a rebuild button when they are not.

    Imports rebuild them themselves; only data written by another tool leaves them
    outdated. An empty store has nothing to summarise, so the part only shows with data.
    """
    if health is None or not any(health.counts.get(name) for name in SOURCE_TABLES):
        return
    if st.session_state.pop("summaries_rebuilt", False):
        st.toast(_("Summary tables rebuilt."), icon=":material/check:")
    try:
        summaries = rollup_store.status(engine)
    except db.StoreError as exc:
        summaries = None
        st.error("**" + _("Cannot check the summary tables.") + f"** {exc}",
                 icon=":material/database:")  # fmt: skip
    if summaries is not None and summaries.state == "fresh":
        st.caption(f":material/bolt: {summaries.message}")
    elif summaries is not None:
        st.warning(summaries.message, icon=":material/hourglass_bottom:")
        rebuild = st.button(
            _("Rebuild summary tables"),
            icon=":material/autorenew:",
            key="rebuild_summaries",
            help=_(
                "Rebuilds the summary tables from the data in the store, so that the views "
                "read them again instead of the slower source tables (same numbers). Can take "
                "a minute on large data."
            ),
        )
        if rebuild:
            bar = st.progress(0.0, text=_("Rebuilding the summary tables…"))

            def progress(message: str, fraction: float) -> None:
                text = _("Rebuilding the summary tables: {step}…").format(step=message)
                bar.progress(fraction, text=text)

            try:  # (the refresh lifts the statement timeout for its own transaction)
                rollup_store.refresh_store(engine, progress)
            except db.StoreError as exc:
                bar.empty()
                st.error(
                    "**"
                    + _("The summary tables could not be rebuilt; nothing was changed.")
                    + f"** {exc} "
                    + _(
                        "Views keep reading the source tables. Try again, or run "
                        "`cxdash refresh` where the store is reachable."
                    ),
                    icon=":material/database:",
                )
            else:
                audit.record("refresh", detail="summary tables rebuilt", engine=engine)
                data_changed()  # other pages must read the rebuilt summaries
                st.session_state["summaries_rebuilt"] = True
                st.rerun()
