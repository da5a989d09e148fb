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
    """Open the drill-down of heatmap cell (``touchpoint``, ``group`` of dimension ``by``)
    in a drawer beside the heatmap, where the click was -- not under the page's fold.

    Closing it (its button, the X, Esc or a click outside) calls ``on_close``; the cell is
    in the address, so the browser's Back button closes it too.
    """
    drawer = st.dialog(
        _("Heatmap cell"), width="medium", position="right", on_dismiss=on_close,
        icon=":material/zoom_in:",
    )(_cell_content)  # fmt: skip
    drawer(f, touchpoint, group, by, on_close)


def _cell_content(f: Filters, touchpoint: str, group: str, by: str, on_close: Callable) -> None:
    head, close = st.columns([5, 1], vertical_alignment="center")
    head.subheader(md(f"{touchpoint} × {charts.group_label(group)}"), anchor=False)
    if close.button(_("Close"), icon=":material/close:", on_click=on_close, width="stretch"):
        st.rerun()  # the whole page: the drawer closes and the heatmap loses its mark
    cell_f = f.replace(touchpoint=(touchpoint,), **{by: (group,)})
    with friendly_errors():
        trend = run(views.NPS_TREND, cell_f, Options(grain="month"))
        targets = call(service.touchpoint_targets)
        comments = run(views.FEEDBACK, cell_f, Options(limit=8))
    target_row = targets.filter(targets["touchpoint"] == touchpoint)
    target = target_row["target_nps"][0] if target_row.height else None
    title = _("NPS of {touchpoint} for {group}, by month").format(
        touchpoint=touchpoint, group=charts.group_label(group)
    )
    chart(charts.nps_trend(trend, target=target, title=title), "cell_trend")
    st.markdown("**" + _("Latest comments") + "**")
    if comments.is_empty():
        no_data(_("No comments for this cell."))
    comment_cards(comments)
