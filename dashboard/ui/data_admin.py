"""The Data page's panels: data health and the summary tables' state and rebuild."""

from __future__ import annotations

import sqlalchemy as sa
import streamlit as st

from dashboard import audit, db, rollup_store
from dashboard.ingest.health import DataHealth, data_health
from dashboard.ui.cache import data_changed
from queries.rollups import SOURCE_TABLES


def health_panel(engine: sa.Engine) -> DataHealth | None:
    """Row counts, coverage, anonymous and orphan feedback, the last imports. None when the
    store has no tables yet (said on the page); stops the page when it cannot be read."""
    st.subheader("Data health", anchor=False)
    try:
        health = data_health(engine)
    except db.SchemaMissing:
        health = None
        st.info("The store has no tables yet; the first import creates them.")
    except db.StoreError as exc:
        st.error(f"**Cannot open the data store.** {exc}", icon=":material/database:")
        st.stop()
    if health is not None:
        cols = st.columns(4)
        cols[0].metric("Feedback responses", f"{health.feedback_total:,}")
        anonymous, orphans = health.share(health.anonymous), health.share(health.orphans)
        pct = "–" if anonymous is None else f"{anonymous:.1f}%"
        cols[1].metric("Anonymous feedback", pct, help="Responses without a customer_id.")
        pct = "–" if orphans is None else f"{orphans:.1f}%"
        cols[2].metric("Orphan feedback", pct, help="customer_id not among the customers.")
        last = health.last_import
        cols[3].metric("Last import", "never" if last is None else f"{last:%Y-%m-%d %H:%M} UTC")
        st.dataframe(health.coverage_frame(), hide_index=True, key="health_table")
        if health.recent_imports.height:
            with st.expander("Recent imports"):
                st.dataframe(health.recent_imports, hide_index=True, key="recent_imports")
    return health


def summary_tables_panel(engine: sa.Engine, health: DataHealth | None) -> None:
    """Whether the summary tables are up to date, with a rebuild button when they are not.

    Imports rebuild them themselves; only data written by another tool leaves them
    outdated. An empty store has nothing to summarise, so the part only shows with data.
    """
    if health is None or not any(health.counts.get(name) for name in SOURCE_TABLES):
        return
    if st.session_state.pop("summaries_rebuilt", False):
        st.toast("Summary tables rebuilt.", icon=":material/check:")
    try:
        summaries = rollup_store.status(engine)
    except db.StoreError as exc:
        summaries = None
        st.error(f"**Cannot check the summary tables.** {exc}", icon=":material/database:")
    if summaries is not None and summaries.state == "fresh":
        st.caption(f":material/bolt: {summaries.message}")
    elif summaries is not None:
        st.warning(summaries.message, icon=":material/hourglass_bottom:")
        rebuild = st.button(
            "Rebuild summary tables",
            icon=":material/autorenew:",
            key="rebuild_summaries",
            help="Rebuilds the summary tables from the data in the store, so that the views "
            "read them again instead of the slower source tables (same numbers). Can take a "
            "minute on large data.",
        )
        if rebuild:
            bar = st.progress(0.0, text="Rebuilding the summary tables…")

            def progress(message: str, fraction: float) -> None:
                bar.progress(fraction, text=f"Rebuilding the summary tables: {message}…")

            try:  # (the refresh lifts the statement timeout for its own transaction)
                rollup_store.refresh_store(engine, progress)
            except db.StoreError as exc:
                bar.empty()
                st.error(
                    f"**The summary tables could not be rebuilt; nothing was changed.** {exc} "
                    "Views keep reading the source tables. Try again, or run `cxdash refresh` "
                    "where the store is reachable.",
                    icon=":material/database:",
                )
            else:
                audit.record("refresh", detail="summary tables rebuilt", engine=engine)
                data_changed()  # other pages must read the rebuilt summaries
                st.session_state["summaries_rebuilt"] = True
                st.rerun()
