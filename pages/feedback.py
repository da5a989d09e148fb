"""Feedback: the comments behind the numbers, by score band and text, paged."""

from __future__ import annotations

import math

import streamlit as st

from dashboard import charts, service, state, ui, views
from dashboard.i18n import N_, _, ngettext
from dashboard.views import Options

BANDS = {"all": N_("All"), "detractor": N_("Detractors (0–6)"), "passive": N_("Passives (7–8)"),
         "promoter": N_("Promoters (9–10)")}  # fmt: skip
PAGE_SIZE = 20

f = ui.filters()
ui.url_value("fb_band", "all", parse=state.one_of(BANDS))
ui.url_value("fb_search", "")
ui.header(_("Feedback"), f)

left, right = st.columns([3, 2])
left.segmented_control(_("Score band"), list(BANDS), key="fb_band", required=True,
                       format_func=lambda b: _(BANDS[b]))  # fmt: skip
right.text_input(_("Search the comments"), key="fb_search", icon=":material/search:",
                 placeholder=_("e.g. giao hàng, refund"))  # fmt: skip
band = None if st.session_state["fb_band"] == "all" else st.session_state["fb_band"]
search = st.session_state["fb_search"].strip() or None

with ui.friendly_errors():
    total = ui.call(service.count_comments, f, band, search)
if total == 0:
    ui.no_data(_("No comments match. Try another band, search or the sidebar filters."))
    st.stop()

pages = max(1, math.ceil(total / PAGE_SIZE))
page_key = f"fb_page_{band}_{search}"  # a new search starts on page 1
page = st.session_state.get(page_key, 1)
with ui.friendly_errors():
    shown = Options(band=band, search=search, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    comments = ui.run(views.FEEDBACK, f, shown)
first = (page - 1) * PAGE_SIZE + 1
last = first + comments.height - 1
st.caption(
    ngettext("{total} comment · showing {first}–{last}, newest first",
             "{total} comments · showing {first}–{last}, newest first", total).format(
        total=charts.fmt_int(total), first=charts.fmt_int(first), last=charts.fmt_int(last)
    )
)  # fmt: skip

ui.comment_cards(comments)
st.pagination(pages, key=page_key, max_visible_pages=7)
with st.expander(_("This page as a table")):
    ui.table(comments, "comments", column_config=ui.headers(comments),
             formats={"segment": charts.group_label}, title=_("Comments"),
             shorten={"comment": ui.SHORT_CHARS})  # fmt: skip
st.caption(
    ngettext("Page {page} of {pages}. {total} comment in total.",
             "Page {page} of {pages}. {total} comments in total.", total).format(
        page=charts.fmt_int(page), pages=charts.fmt_int(pages), total=charts.fmt_int(total)
    )
)
ui.report_button("feedback", band=band, search=search)
