"""Follow-up queue: the closed loop on detractors -- every NPS 0-6 / CSAT 1-2 response of
a known customer, who owns it, what is overdue; assign, contact, resolve."""

from __future__ import annotations

import math

import streamlit as st

from dashboard import state, ui, views
from dashboard.i18n import N_, _, ngettext
from dashboard.i18n.formats import fmt_int
from dashboard.ui import customers as cx
from dashboard.views import Options

PAGE_SIZE = 25
STATUSES = {"open": N_("Open"), **cx.STATUS_LABELS, "all": N_("All")}

cx.require("followup")
f = ui.filters()
ui.url_value("fq_status", "open", parse=state.one_of(STATUSES))
owners = cx.owner_filter_choices()
ui.url_value("fq_owner", cx.EVERYONE, parse=state.one_of(owners))
ui.url_value("fq_overdue", False, parse=lambda values: values[0] == "1")
ui.header(_("Follow-up queue"), f)

at = cx.now()
cx.queue_kpis(f, at)

controls = st.container(horizontal=True, vertical_alignment="bottom")
controls.segmented_control(_("Status"), list(STATUSES), key="fq_status", required=True,
                           format_func=lambda s: _(STATUSES[s]))  # fmt: skip
controls.selectbox(_("Owner"), owners, key="fq_owner", format_func=cx.owner_filter_label,
                   width=220)  # fmt: skip
controls.toggle(_("Overdue only"), key="fq_overdue")
st.caption(_("Touchpoint, segment, period and the other filters are in the sidebar. Items are "
             "due {hours} hours after the response.").format(hours=cx.sla_hours()))  # fmt: skip

status = ui.widget_value("fq_status", "open", STATUSES)
owner = ui.widget_value("fq_owner", cx.EVERYONE, owners)
overdue = True if ui.widget_value("fq_overdue", False) else None
chosen = Options(status=None if status == "all" else status, owner=owner or None, overdue=overdue)
total = cx.queue_count(f, chosen, at)
if total == 0:
    ui.no_data(_("No follow-up items match. Try another status, owner or the sidebar filters."))
    st.stop()

pages = max(1, math.ceil(total / PAGE_SIZE))
page_key = f"fq_page_{status}_{owner}_{overdue}"  # new filters start on page 1
page = min(st.session_state.get(page_key, 1), pages)
options = chosen.replace(limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
frame = cx.live(views.FOLLOWUPS, f, options)
st.caption(ngettext("{total} item, most urgent first. Pick one to work on it.",
                    "{total} items, most urgent first. Pick one to work on it.",
                    total).format(total=fmt_int(total)))  # fmt: skip
picked = cx.selectable_table(cx.queue_rows(frame, at), key=f"fq_table_{page_key}_{page}")
st.pagination(pages, key=page_key, max_visible_pages=7)
cx.list_downloads(views.FOLLOWUPS, f, options, name="followups", rows=total)

if picked:
    st.divider()
    cx.item_panel(frame.row(picked[0], named=True), at)
