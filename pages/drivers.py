"""Key drivers of NPS: which touchpoints' CSAT explains customers' NPS, and what to fix first.

Within the global filters (a segment is one click away); the quadrant (importance
against CSAT target), the ranked bars with their bootstrap intervals, the table and one
paragraph in plain words -- or, when the data cannot support the analysis, why.
"""

from __future__ import annotations

import streamlit as st

from dashboard import ui, views
from dashboard.i18n import _
from dashboard.ui import why as ui_why

f = ui.filters()
ui.header(_("Key drivers of NPS"), f)
controls, report = st.columns([4, 1], vertical_alignment="bottom")
with controls:
    ui_why.segment_shortcuts(ui.option_list(st.session_state["_cx_options"], "segment"))
with report:
    ui.report_button("drivers")

with ui.friendly_errors():
    drivers = ui.run(views.DRIVERS, f)
    verdict = ui_why.drivers_verdict(f, drivers)

if drivers.is_empty():
    ui.no_data(verdict.message if verdict else ui.NO_DATA)
    st.caption(ui_why.interval_note())
    st.stop()

# One paragraph in plain words; a warning when the data cannot fully support it.
reading = ui_why.drivers_reading(drivers)
if verdict is None:
    st.info(reading, icon=":material/target:")
else:
    st.warning(reading, icon=":material/warning:")
ui_why.drivers_summary(drivers)
ui_why.drivers_charts(drivers)
ui.table(ui_why.drivers_table(drivers), "drivers", column_config=ui_why.drivers_columns())
st.caption(ui_why.interval_note())
