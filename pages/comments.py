"""What customers say: which themes the comments of each touchpoint carry and with what
sentiment, how the themes move, and sentiment per touchpoint x group."""

from __future__ import annotations

import streamlit as st

from dashboard import state, ui
from dashboard.i18n import _
from dashboard.ui import feedback as fb
from dashboard.ui import what_customers_say as ws
from queries.schema import DIMENSIONS

f = ui.filters()
ui.url_value("ws_grain", "month", parse=state.one_of(ws.GRAINS))
ui.url_value("ws_score", "net", parse=state.one_of(ws.SCORES))
ui.url_value("ws_by", "segment", parse=state.one_of(DIMENSIONS))
ui.header(_("What customers say"), f)
fb.sentiment_source_line(f)

st.subheader(_("Themes by touchpoint"), anchor=False)
frame = ws.themes_by_touchpoint(f)
if frame is not None:
    ws.feedback_links(frame)
st.divider()
st.subheader(_("Theme trends"), anchor=False)
ws.theme_trends(f)
st.divider()
st.subheader(_("Sentiment by touchpoint and group"), anchor=False)
ws.sentiment_cells(f, ui.dimension_label)
