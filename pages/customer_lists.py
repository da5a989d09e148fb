"""At-risk customers and promoters at the period's end, ranked by what they are worth;
a row opens the customer view."""

from __future__ import annotations

import math

import streamlit as st

from dashboard import state, ui, views
from dashboard.i18n import _
from dashboard.i18n.formats import fmt_int
from dashboard.ui import customers as cx
from dashboard.views import Options
from queries.customers import LIST_COLUMNS

PAGE_SIZE = 25

cx.require("customers")
f = ui.filters()
ui.url_value("cl_kind", "at_risk", parse=state.one_of(cx.LIST_KINDS))
ui.url_value("cl_sort", "value_at_risk", parse=state.one_of(LIST_COLUMNS))
ui.url_value("cl_asc", False, parse=lambda values: values[0] == "1")
ui.header(_("At-risk customers & promoters"), f)

controls = st.container(horizontal=True, vertical_alignment="bottom")
controls.segmented_control(_("List"), list(cx.LIST_KINDS), key="cl_kind", required=True,
                           format_func=cx.label)  # fmt: skip
controls.selectbox(_("Sort by"), LIST_COLUMNS, key="cl_sort", format_func=cx.label, width=220)
controls.toggle(_("Smallest first"), key="cl_asc")
kind = ui.widget_value("cl_kind", "at_risk", cx.LIST_KINDS)
view = views.AT_RISK if kind == "at_risk" else views.PROMOTERS

total = cx.list_summary(kind, f)
if total == 0:
    ui.no_data(_("Nobody is on this list at the end of this period. Widen the filters."))
    st.stop()

pages = max(1, math.ceil(total / PAGE_SIZE))
sort = ui.widget_value("cl_sort", "value_at_risk", LIST_COLUMNS)
ascending = bool(ui.widget_value("cl_asc", False))
page_key = f"cl_page_{kind}_{sort}_{ascending}"  # a new order starts on page 1
page = min(st.session_state.get(page_key, 1), pages)
options = Options(sort=sort, descending=not ascending, limit=PAGE_SIZE,
                  offset=(page - 1) * PAGE_SIZE)  # fmt: skip
frame = view.printed(cx.live(view, f, options), options)
picked = cx.selectable_table(frame, key=f"cl_table_{kind}_{sort}_{ascending}_{page}")
if picked:
    cx.open_customer(frame["customer_id"][picked[0]])

st.pagination(pages, key=page_key, max_visible_pages=7)
first = (page - 1) * PAGE_SIZE + 1
st.caption(
    _("Showing {first}–{last} of {total}.").format(
        first=fmt_int(first), last=fmt_int(first + frame.height - 1), total=fmt_int(total)
    )
)
cx.list_downloads(view, f, options, name=kind.replace("_", "-"), rows=total)
