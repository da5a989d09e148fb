"""Overview (managers): KPI tiles vs the previous period, trend lines, what moved."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, state, ui, views
from dashboard.views import Options
from queries.schema import DIMENSIONS

f, view = ui.filters(), ui.view()
ui.header("Overview", f)
ui.report_button("overview")

comparable = view.compare and f.date_from is not None and f.date_to is not None
with ui.friendly_errors():
    kpis = ui.run(views.KPIS, f)
    deltas = ui.run(views.KPIS, f, Options(compare=True)) if comparable else None
    trend = ui.run(views.NPS_TREND, f, Options(grain="month"))
    monthly = [ui.run(views.KPIS, month) for month in state.month_slices(f)]

if not kpis.get("customers") and not kpis.get("responses"):
    ui.no_data()
    st.stop()
ui.risk_headline(f)  # links to the at-risk list

changes = {} if deltas is None else {r["metric"]: r for r in deltas.iter_rows(named=True)}
TILES = (
    ("customers", "Customers", charts.fmt_int, "Distinct customers with any event in the period."),
    ("revenue", "Revenue", charts.fmt_vnd_short, "Sum of transaction amounts (VND)."),
    ("orders", "Orders", charts.fmt_int, "Number of transactions."),
    ("aov", "Average order value", charts.fmt_vnd, "Revenue / orders."),
    ("repeat_rate", "Repeat rate", charts.fmt_pct, "Purchasers with 2+ transactions."),
    ("nps", "NPS", charts.fmt_score, "% promoters (9–10) − % detractors (0–6)."),
    ("csat", "CSAT", charts.fmt_pct, "% of CSAT answers scoring 4 or 5."),
    ("ces", "CES", charts.fmt_score, "Mean effort score 1–7 (higher = easier)."),
)
DELTA_FORMAT = {  # an ASCII sign first: st.metric reads the direction from it
    "revenue": lambda d: ("+" if d >= 0 else "-") + charts.fmt_vnd_short(abs(d)),
    "aov": lambda d: ("+" if d >= 0 else "-") + charts.fmt_vnd(abs(d)),
    "repeat_rate": lambda d: f"{d:+.1f} pts",
    "csat": lambda d: f"{d:+.1f} pts",
    "nps": lambda d: f"{d:+.1f}",
    "ces": lambda d: f"{d:+.2f}",
}


def tile(column, key: str, label: str, fmt, help_text: str) -> None:
    value = kpis.get(key)
    change = changes.get(key) or {}
    delta, description, colour = None, None, "normal"
    if change.get("delta") is not None:
        delta = DELTA_FORMAT.get(key, lambda d: f"{d:+,.0f}")(change["delta"])
        if key in ("nps", "csat", "ces"):
            significant = change.get("significant") is not None
            verdict = "significant" if significant else "not significant"
            description = f"{verdict} ({charts.fmt_p(change.get('p'))})"
            colour = "normal" if significant else "off"
        else:
            description = "vs previous period"
    if key == "nps" and value is not None:
        help_text += f" ±{kpis.get('moe') or 0:.1f} (95%), n = {kpis.get('n_nps'):,}."
        if kpis.get("low_n"):
            help_text += " Low sample: read with care."
    chart_data = [m[key] for m in monthly if m.get(key) is not None]
    column.metric(
        label, fmt(value), delta, delta_color=colour, help=help_text, border=True,
        delta_description=description, chart_data=chart_data if len(chart_data) > 1 else None,
    )  # fmt: skip


for row in (TILES[:4], TILES[4:]):
    for column, spec in zip(st.columns(4), row, strict=True):
        tile(column, *spec)
if not comparable:
    st.caption("Turn on *Compare with previous period* in the sidebar to see deltas.")

left, right = st.columns([3, 2], gap="large")
with left:
    ui.chart(charts.nps_trend(trend, title="NPS by month with 95% margin of error"), "nps_by_month")
with right:
    ui.chart(charts.nps_mix(trend, title="Promoters, passives and detractors by month"), "nps_mix")

st.subheader("What moved", anchor=False)
if not comparable:
    ui.no_data("“What moved” compares with the previous period: turn the comparison on.")
    st.stop()
ui.url_value("ov_metric", "nps", parse=state.one_of(charts.METRIC_SHORT))
ui.url_value("ov_by", "segment", parse=state.one_of(DIMENSIONS))
controls = st.container(horizontal=True, vertical_alignment="bottom")
controls.segmented_control(
    "Score", list(charts.METRIC_SHORT), key="ov_metric", required=True,
    format_func=charts.METRIC_SHORT.get,
)  # fmt: skip
controls.selectbox("Groups", list(DIMENSIONS), key="ov_by", format_func=ui.dimension_label,
                   width=220)  # fmt: skip
metric, by = st.session_state["ov_metric"], st.session_state["ov_by"]
short = charts.METRIC_SHORT[metric]
with ui.friendly_errors():
    moved_touchpoints = ui.run(views.WHAT_MOVED, f, Options(metric=metric))
    moved_groups = ui.run(views.WHAT_MOVED, f, Options(metric=metric, by_kind=by))
left, right = st.columns(2, gap="large")
with left:
    fig = charts.what_moved(moved_touchpoints, metric=metric)
    ui.chart(fig.update_layout(title_text=f"Touchpoints: {short} change"), "moved_touchpoints")
with right:
    fig = charts.what_moved(moved_groups, metric=metric)
    title = f"{ui.dimension_label(by)}: {short} change"
    ui.chart(fig.update_layout(title_text=title), "moved_groups")
st.caption("Coloured bars and * mark changes significant at p < 0.05; grey ones may be noise.")
