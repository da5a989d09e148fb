"""Data (admin): data health, and importing a CSV / XLSX / Parquet export with a mapping."""

from __future__ import annotations

import streamlit as st

from dashboard import audit, db, ui
from dashboard.ingest import IMPORT_ORDER
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

ui.require("imports")
st.title(":material/upload_file: Data", anchor=False)
engine = ui.engine()

health = ui.health_panel(engine)
ui.summary_tables_panel(engine, health)

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
            audit.record_import(plan.report, engine=engine)
        ui.data_changed()  # other pages must see the new rows
        st.rerun()
else:
    st.error("Fix the rows listed above in the source file and upload it again.")
