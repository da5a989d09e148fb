"""Overview (managers): KPI tiles vs the previous period, trend lines, what moved."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, state, ui, views
from dashboard.i18n import N_, _, pgettext
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

changes = {} if deltas is None else {r["metric"]: r for r in deltas.iter_rows(named=True)}
TILES = (  # (KPI, name, formatter, explanation); words marked, translated when drawn
    ("customers", N_("Customers"), charts.fmt_int,
     N_("Distinct customers with any event in the period.")),
    ("revenue", N_("Revenue"), charts.fmt_vnd_short, N_("Sum of transaction amounts (VND).")),
    ("orders", N_("Orders"), charts.fmt_int, N_("Number of transactions.")),
    ("aov", N_("Average order value"), charts.fmt_vnd, N_("Revenue / orders.")),
    ("repeat_rate", N_("Repeat rate"), charts.fmt_pct, N_("Purchasers with 2+ transactions.")),
    ("nps", "NPS", charts.fmt_score, N_("% promoters (9–10) − % detractors (0–6).")),
    ("csat", "CSAT", charts.fmt_pct, N_("% of CSAT answers scoring 4 or 5.")),
    ("ces", "CES", charts.fmt_score, N_("Mean effort score 1–7 (higher = easier).")),
)  # fmt: skip
DELTA_FORMAT = {  # an ASCII sign first: st.metric reads the direction from it
    "revenue": lambda d: ("+" if d >= 0 else "-") + charts.fmt_vnd_short(abs(d)),
    "aov": lambda d: ("+" if d >= 0 else "-") + charts.fmt_vnd(abs(d)),
    "repeat_rate": lambda d: _("{delta} pts").format(delta=charts.fmt_number(d, 1, signed=True)),
    "csat": lambda d: _("{delta} pts").format(delta=charts.fmt_number(d, 1, signed=True)),
    "nps": lambda d: charts.fmt_number(d, 1, signed=True),
    "ces": lambda d: charts.fmt_number(d, 2, signed=True),
}


def tile(column, key: str, label: str, fmt, help_text: str) -> None:
    value = kpis.get(key)
    change = changes.get(key) or {}
    delta, description, colour, help_text = None, None, "normal", _(help_text)
    if change.get("delta") is not None:
        write = DELTA_FORMAT.get(key, lambda d: charts.fmt_number(d, 0, signed=True))
        delta = write(change["delta"])
        if key in ("nps", "csat", "ces"):  # the p-value in the help: the tile has no room
            significant = change.get("significant") is not None
            verdict = _("significant") if significant else _("not significant")
            help_text += " " + _("Change vs previous period: {verdict} ({p}).").format(
                verdict=verdict, p=charts.fmt_test(change.get("p"))
            )
            short = pgettext("KPI tile", "significant"), pgettext("KPI tile", "not significant")
            description = short[0] if significant else short[1]
            colour = "normal" if significant else "off"
        else:
            description = _("vs previous period")
    if key == "nps" and value is not None:
        help_text += " " + _("±{moe} (95%), n = {n}.").format(
            moe=charts.fmt_score(kpis.get("moe") or 0), n=charts.fmt_int(kpis.get("n_nps"))
        )
        if kpis.get("low_n"):
            help_text += " " + _("Low sample: read with care.")
    chart_data = [m[key] for m in monthly if m.get(key) is not None]
    column.metric(
        _(label), fmt(value), delta, delta_color=colour, help=help_text, border=True,
        delta_description=description, chart_data=chart_data if len(chart_data) > 1 else None,
    )  # fmt: skip


for row in (TILES[:4], TILES[4:]):
    for column, spec in zip(st.columns(4), row, strict=True):
        tile(column, *spec)
if not comparable:
    st.caption(_("Turn on *Compare with previous period* in the sidebar to see deltas."))

left, right = st.columns([3, 2], gap="large")
with left:
    ui.chart(charts.nps_trend(trend, title=views.NPS_TREND.title(by_month)), "nps_by_month")
with right:
    ui.chart(charts.nps_mix(trend, title=views.NPS_MIX.title(by_month)), "nps_mix")

st.subheader(_("What moved"), anchor=False)
ui.drivers_link()
if not comparable:
    ui.no_data(_("“What moved” compares with the previous period: turn the comparison on."))
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
metric, by = st.session_state["ov_metric"], st.session_state["ov_by"]
short = charts.METRIC_SHORT[metric]
with ui.friendly_errors():
    moved_touchpoints = ui.run(views.WHAT_MOVED, f, Options(metric=metric))
    moved_groups = ui.run(views.WHAT_MOVED, f, Options(metric=metric, by_kind=by))
left, right = st.columns(2, gap="large")
with left:
    fig = charts.what_moved(moved_touchpoints, metric=metric)
    title = _("Touchpoints: {metric} change").format(metric=short)
    ui.chart(fig.update_layout(title_text=title), "moved_touchpoints")
with right:
    fig = charts.what_moved(moved_groups, metric=metric)
    title = _("{dimension}: {metric} change").format(dimension=ui.dimension_label(by), metric=short)
    ui.chart(fig.update_layout(title_text=title), "moved_groups")
st.caption(_("Coloured bars and * mark changes significant at p < 0.05; grey ones may be noise."))
