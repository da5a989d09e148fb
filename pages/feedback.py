"""Feedback: the comments behind the numbers with their sentiment and themes, by score band,
sentiment, theme and text, paged; and, for analysts and admins, labelling them."""

from __future__ import annotations

import math

import streamlit as st

from dashboard import charts, state, ui
from dashboard.i18n import _, ngettext
from dashboard.ui import comments as cm
from dashboard.ui import feedback as fb
from dashboard.ui import labelling as lb

PAGE_SIZE = 20

f = ui.filters()
labeller = cm.may_label()
if labeller:
    ui.url_value("fb_mode", "read", parse=state.one_of(lb.MODES))
fb.seed_filters()
ui.header(_("Feedback"), f)
fb.sentiment_source_line(f)

if labeller:
    top = st.container(horizontal=True, vertical_alignment="bottom")
    top.segmented_control(_("Mode"), list(lb.MODES), key="fb_mode", required=True,
                          format_func=lambda m: _(lb.MODES[m]))  # fmt: skip
    top.page_link(fb.MODEL_PAGE, label=_("Sentiment model"), icon=":material/model_training:")
    if ui.widget_value("fb_mode", "read", lb.MODES) == "label":
        lb.label_panel(f)
        st.stop()

band, sentiment, theme, search = fb.filter_widgets()
with ui.friendly_errors():
    total = fb.total(f, band, search, sentiment, theme)
if total == 0:
    ui.no_data(_("No comments match. Try another band, sentiment, theme, search or the sidebar "
                 "filters."))  # fmt: skip
    st.stop()

pages = max(1, math.ceil(total / PAGE_SIZE))
page_key = f"fb_page_{band}_{search}_{sentiment}_{theme}"  # new filters start on page 1
page = min(st.session_state.get(page_key, 1), pages)
with ui.friendly_errors():
    comments = fb.comments(f, band, search, sentiment, theme, PAGE_SIZE, (page - 1) * PAGE_SIZE)
first = (page - 1) * PAGE_SIZE + 1
last = first + comments.height - 1
st.caption(
    ngettext("{total} comment · showing {first}–{last}, newest first",
             "{total} comments · showing {first}–{last}, newest first", total).format(
        total=charts.fmt_int(total), first=charts.fmt_int(first), last=charts.fmt_int(last)
    )
)  # fmt: skip

cm.comment_cards(comments, label_button=lb.label_button if labeller else None)
st.pagination(pages, key=page_key, max_visible_pages=7)
with st.expander(_("This page as a table")):
    shown = fb.table_rows(comments)
    ui.table(shown, "comments", column_config=fb.table_headers(shown),
             formats={"segment": charts.group_label}, title=_("Comments"),
             shorten={"comment": ui.SHORT_CHARS})  # fmt: skip
st.caption(
    ngettext("Page {page} of {pages}. {total} comment in total.",
             "Page {page} of {pages}. {total} comments in total.", total).format(
        page=charts.fmt_int(page), pages=charts.fmt_int(pages), total=charts.fmt_int(total)
    )
)  # fmt: skip
ui.report_button("feedback", band=band, search=search)
