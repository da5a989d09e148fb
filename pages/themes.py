"""Themes (admins): the taxonomy comments are themed with -- edit it, see what each theme
and keyword matches with examples, and how well the keywords agree with people's labels."""

from __future__ import annotations

import streamlit as st

from dashboard import ui
from dashboard.i18n import _
from dashboard.ui import themes_admin as th

ui.require("settings")
f = ui.filters()
ui.header(_("Themes"), f)
st.caption(_("Themes are matched on every comment's words, with and without Vietnamese marks. "
             "Counts and examples follow the sidebar's filters."))  # fmt: skip
th.in_force_line()

edit, matches, quality = st.tabs([_("Edit the taxonomy"), _("Matches and examples"),
                                  _("Quality against labels")])  # fmt: skip
with edit:
    taxonomy = th.editor()
if taxonomy is None:  # an error in the text: the reports use the taxonomy in force
    taxonomy = ui.call(th.text_service.current_taxonomy)
with matches:
    th.keyword_panel(taxonomy, f)
with quality:
    th.quality_panel(taxonomy)
