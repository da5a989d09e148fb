"""The heatmap cell's drill-down: that touchpoint × group's NPS trend and latest comments."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from dashboard import charts, service, views
from dashboard.i18n import _
from dashboard.ui.cache import call, run
from dashboard.ui.comments import comment_cards
from dashboard.ui.markdown import md
from dashboard.ui.page import chart, friendly_errors, no_data
from dashboard.views import Options
from queries.filters import Filters


def cell_panel(f: Filters, touchpoint: str, group: str, by: str, on_close: Callable) -> None:
    """Draw the drill-down of heatmap cell (``touchpoint``, ``group`` of dimension ``by``)."""
    st.divider()
    head, close = st.columns([5, 1], vertical_alignment="center")
    head.subheader(md(f"{touchpoint} × {charts.group_label(group)}"), anchor=False)
    close.button(_("Close"), icon=":material/close:", on_click=on_close, width="stretch")
    cell_f = f.replace(touchpoint=(touchpoint,), **{by: (group,)})
    with friendly_errors():
        trend = run(views.NPS_TREND, cell_f, Options(grain="month"))
        targets = call(service.touchpoint_targets)
        comments = run(views.FEEDBACK, cell_f, Options(limit=8))
    target_row = targets.filter(targets["touchpoint"] == touchpoint)
    target = target_row["target_nps"][0] if target_row.height else None
    left, right = st.columns([3, 2], gap="large")
    with left:
        title = _("NPS of {touchpoint} for {group}, by month").format(
            touchpoint=touchpoint, group=charts.group_label(group)
        )
        chart(charts.nps_trend(trend, target=target, title=title), "cell_trend")
    with right:
        st.markdown("**" + _("Latest comments") + "**")
        if comments.is_empty():
            no_data(_("No comments for this cell."))
        comment_cards(comments)
