"""NPS trends: NPS over time with its 95% margin of error, mix, lines per group."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import charts, service, state, ui, views
from dashboard.i18n import N_, _
from dashboard.views import Options
from queries.schema import DIMENSIONS

GRAINS = {"day": N_("Day"), "week": N_("Week"), "month": N_("Month")}
# One line per group: the chart's title for each grain.
BY_GROUP_TITLES = {
    "day": N_("NPS by day, one line per {dimension}"),
    "week": N_("NPS by week, one line per {dimension}"),
    "month": N_("NPS by month, one line per {dimension}"),
}

f = ui.filters()
ui.url_value("tr_grain", "month", parse=state.one_of(GRAINS))
ui.url_value("tr_by", None, parse=state.one_of(DIMENSIONS))
ui.header(_("NPS trends"), f)

left, right = st.columns([1, 2])
left.segmented_control(_("Grain"), list(GRAINS), key="tr_grain", required=True,
                       format_func=lambda g: _(GRAINS[g]))  # fmt: skip
right.pills(_("Lines per"), list(DIMENSIONS), key="tr_by", format_func=ui.dimension_label)
grain, by = ui.widget_value("tr_grain", "month", GRAINS), ui.widget_value("tr_by", None, DIMENSIONS)
top = ui.top_groups(right) if by else None

with ui.friendly_errors():
    overall = ui.run(views.NPS_TREND, f, Options(grain=grain))
    groups = ui.run(views.NPS_TREND, f, Options(grain=grain, by=by, top=top)) if by else None
    targets = ui.call(service.touchpoint_targets)
if overall.is_empty() or overall["nps"].drop_nulls().is_empty():
    ui.no_data()
    st.stop()

target = None
if len(f.touchpoint) == 1:
    match = targets.filter(targets["touchpoint"] == f.touchpoint[0])
    target = match["target_nps"][0] if match.height else None

shown = Options(grain=grain)
title = views.NPS_TREND.title(shown) + (f" — {f.touchpoint[0]}" if target is not None else "")
ui.chart(charts.nps_trend(overall, target=target, title=title, grain=grain), "nps_trend")
if groups is not None:
    by_group = _(BY_GROUP_TITLES[grain]).format(dimension=charts.dimension_noun(by))
    ui.chart(
        charts.nps_trend(groups, by=by, target=target, title=by_group, grain=grain),
        "nps_trend_by_group",
    )  # fmt: skip
mix = charts.nps_mix(overall, title=views.NPS_MIX.title(shown), grain=grain)
ui.chart(mix, "nps_mix")
st.caption(
    _(
        "Grey points: fewer than {min_n} scored responses (read with care); periods with fewer "
        "than 5 are not shown. The band is the 95% margin of error of NPS."
    ).format(min_n=charts.fmt_int(f.min_n))
    + ("" if target is not None else " " + _("Select one touchpoint in the sidebar to see its "
                                             "target."))
)  # fmt: skip
with st.expander(_("Data points")):
    points = overall.select("period", "n", "promoters", "passives", "detractors", "nps", "moe",
                            "low_n").with_columns(pl.col("period").str.to_date())  # fmt: skip
    number = {name: charts.fmt_int for name in ("n", "promoters", "passives", "detractors")}
    ui.table(
        points, "nps_trend_points", column_config=ui.headers(points),
        formats={**number, "nps": charts.fmt_score, "moe": charts.fmt_score},
        title=_("NPS data points"),
    )  # fmt: skip
ui.report_button("nps_trends", grain=grain, by=by, top=top or 0)
