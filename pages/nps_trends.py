"""NPS trends: NPS over time with its 95% margin of error, mix, lines per group."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, service, state, ui, views
from dashboard.views import Options
from queries.schema import DIMENSIONS

GRAINS = {"day": "Day", "week": "Week", "month": "Month"}

f = ui.filters()
ui.url_value("tr_grain", "month", parse=state.one_of(GRAINS))
ui.url_value("tr_by", None, parse=state.one_of(DIMENSIONS))
ui.header("NPS trends", f)

left, right = st.columns([1, 2])
left.segmented_control("Grain", list(GRAINS), key="tr_grain", required=True,
                       format_func=GRAINS.get)  # fmt: skip
right.pills("Lines per", list(DIMENSIONS), key="tr_by", format_func=ui.dimension_label)
grain, by = st.session_state["tr_grain"], st.session_state["tr_by"]

with ui.friendly_errors():
    overall = ui.run(views.NPS_TREND, f, Options(grain=grain))
    groups = ui.run(views.NPS_TREND, f, Options(grain=grain, by=by)) if by else None
    targets = ui.call(service.touchpoint_targets)
if overall.is_empty() or overall["nps"].drop_nulls().is_empty():
    ui.no_data()
    st.stop()

target = None
if len(f.touchpoint) == 1:
    match = targets.filter(targets["touchpoint"] == f.touchpoint[0])
    target = match["target_nps"][0] if match.height else None

title = f"NPS by {grain} with 95% margin of error" + (
    f" — {f.touchpoint[0]}" if target is not None else ""
)
ui.chart(charts.nps_trend(overall, target=target, title=title), "nps_trend")
if groups is not None:
    ui.chart(
        charts.nps_trend(groups, by=by, target=target,
                         title=f"NPS by {grain}, one line per {ui.dimension_label(by).lower()}"),
        "nps_trend_by_group",
    )  # fmt: skip
ui.chart(charts.nps_mix(overall, title=f"Promoters, passives and detractors by {grain}"), "nps_mix")
st.caption(
    f"Grey points: fewer than {f.min_n} scored responses (read with care); periods with fewer "
    "than 5 are not shown. The band is the 95% margin of error of NPS."
    + ("" if target is not None else " Select one touchpoint in the sidebar to see its target.")
)
with st.expander("Data points"):
    ui.table(
        overall.select("period", "n", "promoters", "passives", "detractors", "nps", "moe", "low_n"),
        "nps_trend_points",
        column_config={"nps": st.column_config.NumberColumn("NPS", format="%.1f"),
                       "moe": st.column_config.NumberColumn("± MoE", format="%.1f")},
    )  # fmt: skip
