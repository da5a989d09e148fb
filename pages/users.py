"""Users (admin): who may sign in, in which role and scope."""

from __future__ import annotations

import streamlit as st

from dashboard import ui, users
from dashboard.i18n import _
from dashboard.ui import admin

ui.require("users")
st.title(_(":material/manage_accounts: Users"), anchor=False)
admin.mode_note()

with ui.friendly_errors():
    known = users.all_users(ui.engine())
if known:
    ui.table(admin.users_table(known), "users", downloads=False)
else:
    st.info(_("No users yet. Add the first admin below, or with "
              "`cxdash users add EMAIL --role admin`."))  # fmt: skip

admin.user_form(known)
admin.remove_panel(known)
admin.import_panel()
st.caption(_("Every change is on the audit trail. The command line (`cxdash users`) acts "
             "as admin too."))  # fmt: skip
