"""Customer: one customer's profile, value, journey, everything they said and the
follow-up of their complaints. Opened by id in the URL (?customer=...), from a comment,
a list or a follow-up item, or found here by id, phone or e-mail."""

from __future__ import annotations

import streamlit as st

from dashboard import access, ui
from dashboard.i18n import _
from dashboard.ui import comments as cm
from dashboard.ui import customers as cx

cx.require("customers")
ui.url_value(cx.CUSTOMER_PARAM, "")
st.title(_("Customer"), anchor=False)
st.caption(_("Everything the company knows about one customer and everything they said."))
# Callbacks run before the app signs the run in: the search runs as the viewer who drew
# the box (the store refuses statements without one).
st.text_input(
    _("Find a customer"), key=cx.CUSTOMER_PARAM, on_change=access.bound(cx.resolve_search),
    placeholder=_("Customer id, phone or e-mail (exact)"), icon=":material/search:",
)  # fmt: skip
cx.not_found_message()

text = (st.session_state.get(cx.CUSTOMER_PARAM) or "").strip()
if not text:
    st.info(_("Type a customer id, phone number or e-mail address, or open a customer from "
              "a comment, the at-risk list or the follow-up queue."),
            icon=":material/person_search:")  # fmt: skip
    st.stop()

view = cx.customer(text)
if view is None:
    st.warning(_("No customer has the id, e-mail or phone “{text}”.").format(text=text),
               icon=":material/person_off:")  # fmt: skip
    st.stop()

name = view["name"] or ""
st.subheader(cx.md(f"{view['customer_id']} {name}".strip()), anchor=False)
cx.profile(view)

at = cx.now()
open_items = sum(1 for item in view["followups"] if item["status"] in ("new", "contacted"))
feedback, followup = st.columns([3, 2], gap="large")
with feedback:
    st.subheader(_("Feedback ({n})").format(n=len(view["responses"])), anchor=False)
    cx.timeline(view["responses"], analysis=cm.analysis_badges)
with followup:
    st.subheader(_("Follow-up ({n} open)").format(n=open_items), anchor=False)
    cx.followup_items(view["followups"], at, key="cv")
