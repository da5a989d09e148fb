"""Data (admin): data health, and importing a CSV / XLSX / Parquet export with a mapping."""

from __future__ import annotations

import streamlit as st

from dashboard import audit, charts, db, ui
from dashboard.i18n import _
from dashboard.ingest import IMPORT_ORDER
from dashboard.ingest.mapping import MappingError
from dashboard.ingest.read import FileRejected
from dashboard.ingest.upload import (
    UPLOAD_LIMIT_MB,
    UPLOAD_TYPES,
    Upload,
    commit,
    plan_upload,
    preview,
    starting_mapping,
)

ui.require("imports")
st.title(":material/upload_file: " + _("Data"), anchor=False)
engine = ui.engine()

health = ui.health_panel(engine)
ui.summary_tables_panel(engine, health)

# -- import ---------------------------------------------------------------------------------
st.subheader(_("Import a file"), anchor=False)
table = st.selectbox(_("Table"), IMPORT_ORDER, index=IMPORT_ORDER.index("feedback"), key="table")
upload = st.file_uploader(
    _("CSV, XLSX or Parquet — up to {limit} MB (bigger files: `cxdash import`)").format(
        limit=charts.fmt_int(UPLOAD_LIMIT_MB)
    ),
    type=list(UPLOAD_TYPES),
    key="upload",
)
if upload is None:
    st.caption(_("Nothing is written until you press Import, and only if every row is valid."))
    st.stop()

extra = st.file_uploader(
    _("Lookup files (optional): the files the mapping's [[lookups]] name"),
    type=list(UPLOAD_TYPES),
    accept_multiple_files=True,
    key="lookup_uploads",
)
main = Upload(upload.name, upload.getvalue())
lookups = [Upload(f.name, f.getvalue()) for f in extra or []]
lookup_names = [u.name for u in lookups]  # a change of them calls for a new Check too
key = f"{upload.file_id}:{table}"
try:
    if st.session_state.get("upload_key") != key:
        st.session_state.update(upload_key=key, plan=None,
                                mapping_text=starting_mapping(main, table))  # fmt: skip
except FileRejected as exc:
    st.error(str(exc), icon=":material/block:")
    st.stop()

st.text_area(_("Mapping (TOML) — edit, then Check"), key="mapping_text", height=260)
if st.button(_("Check"), icon=":material/fact_check:", key="check"):
    try:
        db.create_schema(engine)
        text = st.session_state.get("mapping_text") or ""
        st.session_state["plan"] = plan_upload(main, table, text, engine, lookups)
        st.session_state["checked_text"] = (text, lookup_names)
    except (FileRejected, MappingError, db.StoreError) as exc:
        st.session_state["plan"] = None
        st.error(str(exc), icon=":material/block:")

plan = st.session_state.get("plan")
if plan is None:
    st.stop()
if st.session_state.get("checked_text") != (st.session_state.get("mapping_text"), lookup_names):
    st.warning(_("The mapping changed since the last check: press Check again."))
    st.stop()
report = plan.report
st.code(report.render(limit=50), language=None)
if report.ok:
    st.caption(_("Preview: the first rows as they will be stored ({rows} in all)").format(
        rows=charts.fmt_int(report.rows_valid)))  # fmt: skip
    # The canonical column names, as the mapping names them: data, not words.
    ui.preview_table(preview(plan))
    if report.status == "written":
        st.success(_("Imported {file} into {table}.").format(file=report.file, table=report.table),
                   icon=":material/check:")  # fmt: skip
    elif st.button(_("Import"), type="primary", icon=":material/upload:", key="import"):
        with ui.friendly_errors():
            commit(plan, engine)
            audit.record_import(plan.report, engine=engine)
        ui.data_changed()  # other pages must see the new rows
        st.rerun()
else:
    st.error(_("Fix the rows listed above in the source file and upload it again."))
