"""Data (admin): data health, and importing a CSV / XLSX / Parquet export with a mapping."""

from __future__ import annotations

import streamlit as st

from dashboard import db, rollup_store, ui
from dashboard.ingest import IMPORT_ORDER
from dashboard.ingest.health import data_health
from dashboard.ingest.mapping import MappingError
from dashboard.ingest.read import FileRejected
from dashboard.ingest.upload import (
    UPLOAD_LIMIT_MB,
    UPLOAD_TYPES,
    commit,
    plan_upload,
    preview,
    save_upload,
    starting_mapping,
)
from queries.rollups import SOURCE_TABLES

st.title(":material/upload_file: Data", anchor=False)
engine = ui.engine()

# -- data health ----------------------------------------------------------------------------
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

# -- summary tables -------------------------------------------------------------------------
# Imports rebuild them themselves; only data written by another tool leaves them outdated.
# An empty store has nothing to summarise, so the part only shows once there is data.
if health is not None and any(health.counts.get(name) for name in SOURCE_TABLES):
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
                st.cache_data.clear()  # other pages must read the rebuilt summaries
                st.session_state["summaries_rebuilt"] = True
                st.rerun()

# -- import ---------------------------------------------------------------------------------
st.subheader("Import a file", anchor=False)
table = st.selectbox("Table", IMPORT_ORDER, index=IMPORT_ORDER.index("feedback"), key="table")
upload = st.file_uploader(
    f"CSV, XLSX or Parquet — up to {UPLOAD_LIMIT_MB} MB (bigger files: `cxdash import`)",
    type=list(UPLOAD_TYPES),
    key="upload",
)
if upload is None:
    st.caption("Nothing is written until you press Import, and only if every row is valid.")
    st.stop()

key = f"{upload.file_id}:{table}"
try:
    if st.session_state.get("upload_key") != key:
        path = save_upload(upload.name, upload.getvalue())
        st.session_state.update(upload_key=key, upload_path=path, plan=None,
                                mapping_text=starting_mapping(path, table))  # fmt: skip
except FileRejected as exc:
    st.error(str(exc), icon=":material/block:")
    st.stop()

st.text_area("Mapping (TOML) — edit, then Check", key="mapping_text", height=260)
if st.button("Check", icon=":material/fact_check:", key="check"):
    try:
        db.create_schema(engine)
        text = st.session_state["mapping_text"]
        st.session_state["plan"] = plan_upload(st.session_state["upload_path"], table, text, engine)
        st.session_state["checked_text"] = text
    except (FileRejected, MappingError, db.StoreError) as exc:
        st.session_state["plan"] = None
        st.error(str(exc), icon=":material/block:")

plan = st.session_state.get("plan")
if plan is None:
    st.stop()
if st.session_state.get("checked_text") != st.session_state["mapping_text"]:
    st.warning("The mapping changed since the last check: press Check again.")
    st.stop()
report = plan.report
st.code(report.render(limit=50), language=None)
if report.ok:
    st.caption(f"Preview: the first rows as they will be stored ({report.rows_valid:,} in all)")
    st.dataframe(preview(plan), hide_index=True, key="preview")
    if report.status == "written":
        st.success(f"Imported {report.file} into {report.table}.", icon=":material/check:")
    elif st.button("Import", type="primary", icon=":material/upload:", key="import"):
        with ui.friendly_errors():
            commit(plan, engine)
        st.cache_data.clear()  # other pages must see the new rows
        st.rerun()
else:
    st.error("Fix the rows listed above in the source file and upload it again.")
