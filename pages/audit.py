"""Audit trail (admin): sign-ins, denials, imports, exports and changes, newest first."""

from __future__ import annotations

import streamlit as st

from dashboard import ui
from dashboard.i18n import _, ngettext
from dashboard.i18n.formats import fmt_int
from dashboard.ui import admin

ui.require("audit")
st.title(_(":material/policy: Audit trail"), anchor=False)
st.caption(_("Who did what, when, in which scope, on how many rows. Comment text, passwords "
             "and customers' personal data are never recorded."))  # fmt: skip

since, actions = admin.audit_filters()
with ui.friendly_errors():
    entries = admin.audit_entries(since, actions)
if entries.is_empty():
    st.info(_("Nothing on the audit trail for this choice."), icon=":material/history:")
    st.stop()
st.caption(ngettext("{n} entry", "{n} entries", entries.height).format(n=fmt_int(entries.height)))
ui.table(entries, "audit_trail")
