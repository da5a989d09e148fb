"""Overview (managers): KPI tiles vs the previous period, trend lines, what moved."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, state, ui, views
from dashboard.i18n import _
from dashboard.views import Options
from queries.schema import DIMENSIONS

f, view = ui.filters(), ui.view()
ui.header(_("Overview"), f)
ui.report_button("overview")

comparable = view.compare and f.date_from is not None and f.date_to is not None
by_month = Options(grain="month")
with ui.friendly_errors():
    kpis = ui.run(views.KPIS, f)
    deltas = ui.run(views.KPIS, f, Options(compare=True)) if comparable else None
    trend = ui.run(views.NPS_TREND, f, by_month)
    monthly = [ui.run(views.KPIS, month) for month in state.month_slices(f)]

if not kpis.get("customers") and not kpis.get("responses"):
    ui.no_data()
    st.stop()
ui.risk_headline(f)  # links to the at-risk list

ui.kpi_tiles(kpis, deltas, monthly, f)
if comparable:  # name what the deltas compare with
    st.caption(ui.md(state.describe_comparison(f)), help=_("Choose it in the sidebar."))
else:
    st.caption(_("Turn on *Compare with an earlier period* in the sidebar to see deltas."))

left, right = st.columns([3, 2], gap="large")
with left:
    ui.chart(charts.nps_trend(trend, title=views.NPS_TREND.title(by_month)), "nps_by_month")
with right:
    ui.chart(charts.nps_mix(trend, title=views.NPS_MIX.title(by_month)), "nps_mix")

st.subheader(_("What moved"), anchor=False)
ui.drivers_link()
if not comparable:
    ui.no_data(_("“What moved” compares with an earlier period: turn the comparison on."))
    st.stop()
ui.url_value("ov_metric", "nps", parse=state.one_of(charts.METRIC_SHORT))
ui.url_value("ov_by", "segment", parse=state.one_of(DIMENSIONS))
controls = st.container(horizontal=True, vertical_alignment="bottom")
controls.segmented_control(
    _("Score"), list(charts.METRIC_SHORT), key="ov_metric", required=True,
    format_func=charts.METRIC_SHORT.get,
)  # fmt: skip
controls.selectbox(_("Groups"), list(DIMENSIONS), key="ov_by", format_func=ui.dimension_label,
                   width=220)  # fmt: skip
metric = ui.widget_value("ov_metric", "nps", charts.METRIC_SHORT)
by = ui.widget_value("ov_by", "segment", DIMENSIONS)
short = charts.METRIC_SHORT[metric]
with ui.friendly_errors():
    moved_touchpoints = ui.run(views.WHAT_MOVED, f, Options(metric=metric))
    moved_groups = ui.run(views.WHAT_MOVED, f, Options(metric=metric, by_kind=by))
versus = (state.describe_comparison(f),)  # named in the exported files too
left, right = st.columns(2, gap="large")
with left:
    fig = charts.what_moved(moved_touchpoints, metric=metric)
    title = _("Touchpoints: {metric} change").format(metric=short)
    ui.chart(fig.update_layout(title_text=title), "moved_touchpoints", context_extra=versus)
with right:
    fig = charts.what_moved(moved_groups, metric=metric)
    title = _("{dimension}: {metric} change").format(dimension=ui.dimension_label(by), metric=short)
    ui.chart(fig.update_layout(title_text=title), "moved_groups", context_extra=versus)
st.caption(
    ui.md(versus[0]) + ". "
    + _("Coloured bars and * mark changes significant at p < 0.05; grey ones may be noise.")
)  # fmt: skip
