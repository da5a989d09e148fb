"""Funnel & touchpoints (the core view): the funnel beside the satisfaction heatmap.

Clicking a heatmap cell drills into that touchpoint × group (its NPS trend and
comments); the drill-down is part of the URL (``cell_tp``, ``cell_group``).
"""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import charts, state, ui, views
from dashboard.charts.comments import sentiment_heatmap
from dashboard.charts.heatmap import metric_short
from dashboard.config import get_settings
from dashboard.i18n import _
from dashboard.views import Options
from dashboard.views.dashboard import SENTIMENT_METRIC as SENTIMENT
from queries.filters import choices
from queries.schema import DIMENSIONS

f = ui.filters()
options = st.session_state["_cx_options"]
stages = options.get("stage") or list(get_settings().funnel_stages)


ui.url_value("fn_steps", list(stages), parse=lambda v: [s for s in stages if s in v])
ui.url_value("fn_window", get_settings().conversion_window_days, parse=state.int_between(1, 365))
ui.url_value("fn_by", None, parse=state.one_of(DIMENSIONS))
HM_METRICS = [*charts.METRIC_SHORT, SENTIMENT]  # net sentiment: the fourth score
ui.url_value("hm_metric", "nps", parse=state.one_of(HM_METRICS))
hm_by_seeded = ui.url_value("hm_by", "segment", parse=state.one_of(DIMENSIONS))
# A drill-down names a touchpoint and a group the store has; anything else in a link
# (a typo, or text made to look like a link) opens no drill-down.
tp = ui.url_value("cell_tp", None, parse=state.one_of(options.get("touchpoint", [])))
group_choices = choices(hm_by_seeded, options.get(hm_by_seeded, []))
group = ui.url_value("cell_group", None, parse=state.one_of(group_choices))


def close_cell() -> None:
    st.session_state["cell_tp"] = st.session_state["cell_group"] = None


STEP_FORMATS = {"customers": charts.fmt_int, "conversion_from_previous": charts.fmt_pct,
                "conversion_overall": charts.fmt_pct, "dropoff": charts.fmt_int,
                "median_seconds_from_previous": charts.fmt_seconds}  # fmt: skip
extra = (f"{tp} × {charts.group_label(group)}",) if tp and group else ()
ui.header(_("Funnel & touchpoints"), f, extra)
funnel_col, heat_col = ui.halves()  # stacked where a half is too narrow for the heatmap

with funnel_col:
    st.subheader(_("Funnel"), anchor=False)
    st.pills(_("Steps"), stages, selection_mode="multi", key="fn_steps",
             format_func=charts.step_label, wrap=True)  # fmt: skip
    steps = tuple(s for s in stages if s in ui.widget_value("fn_steps", list(stages), stages))
    st.pills(_("Break down by"), list(DIMENSIONS), key="fn_by", format_func=ui.dimension_label,
             wrap=True)  # fmt: skip
    st.number_input(_("Conversion window (days)"), 1, 365, key="fn_window", width=220,
                    help=_("Counted from each customer's entry into the first step."))  # fmt: skip
    by = ui.widget_value("fn_by", None, DIMENSIONS)
    window = ui.widget_value("fn_window", get_settings().conversion_window_days)
    top = ui.top_groups()
    funnel_options = Options(steps=steps, window_days=float(window), by=by, top=top)
    broken = ui.broken_rule(views.FUNNEL, funnel_options)
    if broken:
        ui.no_data(broken)
    else:
        with ui.friendly_errors():
            funnel = ui.run(views.FUNNEL, f, funnel_options)
    if not broken and (funnel.is_empty() or not funnel["customers"].sum()):
        ui.no_data(_("No customer entered the funnel in this period with these filters."))
    elif not broken:
        funnel_click = ui.chart(charts.funnel(funnel, by=by), "funnel", on_select="rerun",
                                selection_mode=("points",))  # fmt: skip
        # Beside each step, the KPI-style count: everyone with that step in the period.
        with ui.friendly_errors():
            in_period = ui.run(views.FUNNEL_IN_PERIOD, f, funnel_options)
        keys = [*([by] if by else []), "step"]
        columns = [*keys, "customers", "reached_in_period", *list(STEP_FORMATS)[1:]]
        steps_table = (
            funnel.join(in_period, on=keys, how="left")
            .select(columns)
            .with_columns(pl.col("step").map_elements(charts.step_label, return_dtype=str))
        )
        formats = {**STEP_FORMATS, "reached_in_period": charts.fmt_int}
        config = ui.headers(steps_table)
        config["customers"] = ui.number_column(_("Reached (entrants)"), help=_(
            "Customers who entered the funnel in the period and reached this step "
            "within the window."))  # fmt: skip
        config["reached_in_period"] = ui.number_column(_("In the period"), help=_(
            "Customers with this step in the period, whenever they entered (as the KPI "
            "tiles count)."))  # fmt: skip
        ui.table(steps_table, "funnel_steps", column_config=config,
                 formats={**formats, by: charts.group_label} if by else formats,
                 title=views.FUNNEL.heading(funnel_options))  # fmt: skip
        first = charts.step_label(steps[0]) if steps else ""
        st.caption(ui.md(_(views.FUNNEL_COUNTS_NOTE).format(first=first)))

with heat_col:
    st.subheader(_("Touchpoint satisfaction"), anchor=False)
    # A row that wraps: the four scores stay whole (Vietnamese "Cảm xúc" was cut off in a
    # half column), and "By" moves under them where the column is narrow.
    controls = st.container(horizontal=True, vertical_alignment="bottom")
    controls.segmented_control(
        _("Score"), HM_METRICS, key="hm_metric", required=True,
        format_func=metric_short, on_change=close_cell,
    )  # fmt: skip
    controls.selectbox(_("By"), list(DIMENSIONS), key="hm_by", format_func=ui.dimension_label,
                       on_change=close_cell, width=220)  # fmt: skip
    metric = ui.widget_value("hm_metric", "nps", HM_METRICS)
    hm_by = ui.widget_value("hm_by", "segment", DIMENSIONS)
    with ui.friendly_errors():
        cells = ui.run(views.HEATMAP, f, Options(metric=metric, by=hm_by, top=top))
    chosen = (tp, group) if tp else None
    fig = (sentiment_heatmap(cells, by=hm_by, selected=chosen) if metric == SENTIMENT
           else charts.heatmap(cells, metric=metric, by=hm_by, selected=chosen))  # fmt: skip
    # The key follows the view, so a new cell or a closed drill-down starts unselected.
    key = f"heatmap_{metric}_{hm_by}_{tp}_{group}"
    event = (
        ui.chart(fig, "heatmap", key=key, on_select="rerun", selection_mode=("points",))
        if not cells.is_empty()
        else ui.no_data(
            _("No scored feedback for these filters.")
            if metric in charts.METRIC_SHORT
            else _("No analysed comments for these filters.")
        )  # fmt: skip
    )
    clicked = charts.cell_from_selection(event["selection"]["points"]) if event else None
    if clicked and clicked != (tp, group):
        st.session_state["cell_tp"], st.session_state["cell_group"] = clicked
        st.rerun()
    st.caption(
        _(
            "Colour: distance from the touchpoint's target (or neutral). ▲/▼ significantly "
            "above/below the rest of the row (BH q ≤ 0.05). Grey: fewer than {min_n} responses; "
            "n<5 hidden. **Click a cell** to see its trend and comments."
        ).format(min_n=charts.fmt_int(f.min_n))
        + (" " + _("Net sentiment = % positive − % negative comments.")
           if metric == SENTIMENT else "")
    )  # fmt: skip
score = metric if metric in charts.METRIC_SHORT else "nps"  # funnel x satisfaction: a score

if not broken and funnel["customers"].sum():  # who drops, and how satisfied they were
    ui.funnel_satisfaction_panel(f, funnel_options, score, funnel_click)
ui.report_button(
    "funnel", by=hm_by, metric=score, steps=None if broken else steps,
    window_days=funnel_options.window_days, top=top or 0,
)  # fmt: skip
if tp and group:
    ui.cell_panel(f, tp, group, hm_by, close_cell)
