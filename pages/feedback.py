"""Feedback: the comments behind the numbers, by score band and text, paged."""

from __future__ import annotations

import math

import streamlit as st

from dashboard import charts, service, state, ui, views
from dashboard.views import Options

BANDS = {"all": "All", "detractor": "Detractors (0–6)", "passive": "Passives (7–8)",
         "promoter": "Promoters (9–10)"}  # fmt: skip
PAGE_SIZE = 20

f = ui.filters()
ui.url_value("fb_band", "all", parse=state.one_of(BANDS))
ui.url_value("fb_search", "")
ui.header("Feedback", f)

left, right = st.columns([3, 2])
left.segmented_control("Score band", list(BANDS), key="fb_band", required=True,
                       format_func=BANDS.get)  # fmt: skip
right.text_input("Search the comments", key="fb_search", placeholder="e.g. giao hàng, refund",
                 icon=":material/search:")  # fmt: skip
band = None if st.session_state["fb_band"] == "all" else st.session_state["fb_band"]
search = st.session_state["fb_search"].strip() or None

with ui.friendly_errors():
    total = ui.call(service.count_comments, f, band, search)
if total == 0:
    ui.no_data("No comments match. Try another band, search or the sidebar filters.")
    st.stop()

pages = max(1, math.ceil(total / PAGE_SIZE))
page_key = f"fb_page_{band}_{search}"  # a new search starts on page 1
page = st.session_state.get(page_key, 1)
with ui.friendly_errors():
    shown = Options(band=band, search=search, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    comments = ui.run(views.FEEDBACK, f, shown)
first = (page - 1) * PAGE_SIZE + 1
st.caption(f"{total:,} comments · showing {first:,}–{first + comments.height - 1:,}, newest first")

ui.comment_cards(comments)
st.pagination(pages, key=page_key, max_visible_pages=7)
with st.expander("This page as a table"):
    ui.table(comments, "comments")
st.caption(f"Page {page} of {pages}. {charts.fmt_int(total)} comments in total.")
