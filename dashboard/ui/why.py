"""The "why" views on the pages: funnel x satisfaction under the funnel, and the pieces of
the Key drivers page.

Funnel x satisfaction: the step picker (also set by a click on the funnel), the dumbbell
chart of every step, the selected step's table, and -- after a click on a touchpoint's
dot or row -- the comments of the customers who dropped there. Its choices live in the
URL (``fs_step``, ``fs_tp``).
"""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import access, views, why
from dashboard.charts import drivers as driver_charts
from dashboard.charts import funnel_satisfaction as fs_charts
from dashboard.charts.funnel import step_label
from dashboard.charts.theme import METRIC_SHORT
from dashboard.i18n import _, ngettext
from dashboard.i18n.formats import fmt_int, fmt_number
from dashboard.metrics import drivers as driver_metrics
from dashboard.metrics.funnel_satisfaction import clearest_gap
from dashboard.state import one_of
from dashboard.ui.cache import call, run
from dashboard.ui.comments import comment_cards
from dashboard.ui.markdown import md
from dashboard.ui.page import chart, friendly_errors, no_data, table
from dashboard.ui.url_state import url_value, widget_value
from dashboard.views import Options
from queries.filters import Filters

STEP_KEY, TOUCHPOINT_KEY = "fs_step", "fs_tp"
PICKED_KEY = "_fs_picked"  # (step, touchpoint) of a clicked dot, applied on the next run
COMMENTS_SHOWN = 10
ALL = fs_charts.ALL_TOUCHPOINTS


# -- funnel x satisfaction ----------------------------------------------------------------


def clicked_funnel_step(event, steps: tuple[str, ...]) -> str | None:
    """The step a click on the funnel chart selected (its bar's or point's label), if any."""
    points = (event or {}).get("selection", {}).get("points", []) if event else []
    labels = {step_label(s): s for s in steps}
    for point in points:
        for axis in ("y", "x", "label"):
            if point.get(axis) in labels:
                return labels[point[axis]]
    return None


def default_step(frame: pl.DataFrame, steps: tuple[str, ...]) -> str:
    """The step to open on: where a touchpoint separates converters from drop-outs most
    clearly (``dashboard.metrics.funnel_satisfaction.clearest_gap``), else the second."""
    clearest = clearest_gap(frame)
    return steps[1] if clearest is None else clearest["step"]


def _close_comments() -> None:
    st.session_state[TOUCHPOINT_KEY] = None


def funnel_satisfaction_panel(
    f: Filters, funnel_options: Options, metric: str, funnel_event=None
) -> None:
    """Funnel x satisfaction for the funnel's steps and window, scored on ``metric``;
    ``funnel_event`` is the funnel chart's selection (a click picks the step)."""
    steps = tuple(funnel_options.steps or ())
    options = Options(steps=steps, window_days=funnel_options.window_days, metric=metric)
    st.subheader(_("Who drops out, and how satisfied were they?"), anchor=False)
    st.caption(
        _(
            "At each step, the customers who reached the step before split into those who "
            "reached it within the window (converted) and those who did not (dropped). "
            "Their {metric} in the period, per touchpoint, with 95% margins; a dark bar "
            "marks a significant gap (BH q ≤ 0.05), grey dots fewer than {min_n} responses, "
            "and sides with fewer than 5 are left out."
        ).format(metric=METRIC_SHORT.get(metric, metric), min_n=fmt_int(f.min_n))
    )
    with friendly_errors():
        frame = run(views.FUNNEL_SATISFACTION, f, options)
    if not (frame["n_converted"].sum() + frame["n_dropped"].sum()):
        no_data(_("No customer in this funnel answered a survey in the period."))
        return
    step, touchpoint = _current_choice(frame, steps, funnel_event)
    _dumbbells(frame, metric, step, touchpoint)
    _step_rows(frame.filter(pl.col("step") == step), metric, step, touchpoint)
    if not access.may("comments"):  # executives see the numbers, not the comments
        return
    if touchpoint is None:
        st.caption(_("Click a touchpoint (a dot or a row) to read what the customers who "
                     "dropped out said about it."))  # fmt: skip
        return
    dropped_comments_panel(f, options, step, touchpoint)


def _current_choice(
    frame: pl.DataFrame, steps: tuple[str, ...], funnel_event
) -> tuple[str, str | None]:
    """Draw the step picker; return (step, touchpoint) as the URL, a click on the funnel
    (new since the last run) or on a dot (the last run's) chose them."""
    later = steps[1:]
    step = url_value(STEP_KEY, default_step(frame, steps), parse=one_of(later))
    touchpoint = url_value(TOUCHPOINT_KEY, None)
    clicked = clicked_funnel_step(funnel_event, later)  # the first step has no split
    if step not in later or (clicked and clicked != st.session_state.get("_fs_clicked")):
        st.session_state[STEP_KEY] = step = clicked or default_step(frame, steps)
        st.session_state[TOUCHPOINT_KEY] = touchpoint = None
    st.session_state["_fs_clicked"] = clicked
    if st.session_state.get(PICKED_KEY):  # a dot clicked on the last run (_dumbbells)
        st.session_state[STEP_KEY], touchpoint = st.session_state.pop(PICKED_KEY)
        st.session_state[TOUCHPOINT_KEY] = touchpoint
    st.segmented_control(
        _("Step"), later, key=STEP_KEY, required=True, on_change=_close_comments,
        format_func=lambda s: _("→ {step}").format(step=step_label(s)),
    )  # fmt: skip
    return widget_value(STEP_KEY, step, later), touchpoint


def _dumbbells(frame: pl.DataFrame, metric: str, step: str, touchpoint: str | None) -> None:
    """The chart of every step, the chosen one shaded; a click on a dot chooses its step
    and touchpoint."""
    fig = fs_charts.funnel_satisfaction(
        frame, metric=metric, selected_step=step, selected_touchpoint=touchpoint
    )
    event = chart(fig, "funnel_satisfaction", key=f"fs_chart_{step}_{touchpoint}",
                  on_select="rerun", selection_mode=("points",))  # fmt: skip
    picked = _picked_point(event)
    if picked and picked != (step, touchpoint):
        # The step picker is drawn already: its value can only change on the next run.
        st.session_state[PICKED_KEY] = picked
        st.rerun()


def _step_rows(rows: pl.DataFrame, metric: str, step: str, touchpoint: str | None) -> None:
    """The chosen step's table; a click on a row chooses its touchpoint."""
    selection = table(
        step_table(rows, metric), "funnel_satisfaction_step", key=f"fs_table_{step}_{touchpoint}",
        column_config=step_columns(metric), on_select="rerun", selection_mode="single-row",
    )  # fmt: skip
    chosen = selection["selection"]["rows"] if selection else []
    if chosen and rows["touchpoint"][chosen[0]] != touchpoint:
        st.session_state[TOUCHPOINT_KEY] = rows["touchpoint"][chosen[0]]
        st.rerun()


def _picked_point(event) -> tuple[str, str] | None:
    points = (event or {}).get("selection", {}).get("points", []) if event else []
    for point in points:
        data = point.get("customdata")
        if isinstance(data, list | tuple) and len(data) >= 2:
            return str(data[0]), str(data[1])
    return None


def step_columns(metric: str) -> dict:
    """Column labels and formats of the step table (:func:`step_table`)."""
    number = st.column_config.NumberColumn
    value = "%.1f%%" if metric == "csat" else "%.1f"
    short = METRIC_SHORT.get(metric, metric)
    return {
        "touchpoint": st.column_config.TextColumn(_("Touchpoint")),
        "value_converted": number(_("{metric}, converted").format(metric=short), format=value),
        "moe_converted": number(_("± (converted)"), format="%.1f"),
        "n_converted": number(_("n converted"), format="%,d"),
        "value_dropped": number(_("{metric}, dropped").format(metric=short), format=value),
        "moe_dropped": number(_("± (dropped)"), format="%.1f"),
        "n_dropped": number(_("n dropped"), format="%,d"),
        "delta": number(_("Gap"), format="%+.1f", help=_("Converted minus dropped")),
        "q": number("q", format="%.3f", help=_("Benjamini–Hochberg q-value of the gap")),
        "significant": st.column_config.TextColumn(_("Significant?")),
    }


def step_table(rows: pl.DataFrame, metric: str) -> pl.DataFrame:
    """One step's rows for people: touchpoints named, significance in words."""
    words = {"up": _("yes: converted higher"), "down": _("yes: dropped higher")}
    return rows.select(
        pl.col("touchpoint").map_elements(fs_charts.touchpoint_label, return_dtype=pl.String),
        "value_converted", "moe_converted", "n_converted",
        "value_dropped", "moe_dropped", "n_dropped", "delta", "q",
        pl.col("significant").replace_strict(words, default=_("no"), return_dtype=pl.String),
    )  # fmt: skip


def dropped_comments_panel(f: Filters, options: Options, step: str, touchpoint: str) -> None:
    """What the customers who dropped at ``step`` said about ``touchpoint`` (or anything)."""
    head, close = st.columns([5, 1], vertical_alignment="center")
    head.markdown(
        _("**Comments of customers who dropped out before → {step}, about {touchpoint}**").format(
            step=md(step_label(step)), touchpoint=md(fs_charts.touchpoint_label(touchpoint))
        )
    )
    close.button(_("Close"), icon=":material/close:", on_click=_close_comments,
                 key="fs_close", width="stretch")  # fmt: skip
    args = (f, options.steps, options.window_days, step, touchpoint)
    with friendly_errors():
        counts = call(why.dropped_comment_count, *args)
        comments = call(why.dropped_comments, *args, COMMENTS_SHOWN)
    if not counts["comments"]:
        no_data(_("None of them left a comment here in the period."))
        return
    st.caption(
        ngettext(
            "{comments} comment from {customers} customers; the latest first.",
            "{comments} comments from {customers} customers; the latest {shown} first.",
            counts["comments"],
        ).format(
            comments=fmt_int(counts["comments"]),
            customers=fmt_int(counts["customers"]),
            shown=fmt_int(min(COMMENTS_SHOWN, counts["comments"])),
        )
    )
    comment_cards(comments)


# -- key drivers of NPS -------------------------------------------------------------------


def drivers_link() -> None:
    """The Overview's way to the Key drivers page (beside "what moved")."""
    st.page_link("../pages/drivers.py", label=_("Why did NPS move? See its key drivers"),
                 icon=":material/target:")  # fmt: skip


def segment_shortcuts(segments: list[str]) -> None:
    """One click to the drivers of one segment: sets the sidebar's segment filter."""
    chosen = st.session_state.get("segment") or []
    st.session_state["dr_segment"] = chosen[0] if len(chosen) == 1 else None

    def apply() -> None:
        picked = st.session_state.get("dr_segment")
        st.session_state["segment"] = [picked] if picked else []

    hint = _("Sets the segment filter in the sidebar; click again for all segments.")
    st.pills(_("Drivers for one segment"), segments, key="dr_segment", on_change=apply, help=hint)


def drivers_verdict(f: Filters, frame: pl.DataFrame) -> driver_metrics.Verdict | None:
    """Why the drivers cannot be read as they are (None when they can). An empty table's
    reason comes from the model itself (which says why nothing was estimated)."""
    if frame.is_empty():
        return call(why.drivers_verdict, f)
    return driver_metrics.verdict(frame)


def drivers_reading(frame: pl.DataFrame) -> str:
    """The paragraph in plain words (``dashboard.why.drivers_reading``)."""
    return why.drivers_reading(frame)


def drivers_summary(frame: pl.DataFrame) -> None:
    """R², the customers behind it, and how the correlations were computed."""
    row = frame.row(0, named=True)
    method = _("pairwise") if row["method"] == "pairwise" else _("listwise")
    left, middle, right = st.columns(3)
    left.metric(_("R² (share of NPS explained)"), fmt_number(row["r2"], 2), border=True,
                help=_("How much of the differences in customers' NPS the touchpoints' CSAT "
                       "explains together."))  # fmt: skip
    who = _("Known customers with an NPS and a CSAT score in the period.")
    middle.metric(_("Customers with both scores"), fmt_int(row["customers"]), border=True,
                  help=who)  # fmt: skip
    right.metric(_("Correlations"), method, border=True,
                 help=_("Pairwise: each pair over the customers who have both. Listwise: "
                        "only customers who rated every touchpoint (used when the pairwise "
                        "ones do not fit together)."))  # fmt: skip


def drivers_table(frame: pl.DataFrame) -> pl.DataFrame:
    """The drivers for people: direction in words, the gap to target."""
    return frame.select(
        "touchpoint", "importance", "ci_low", "ci_high",
        pl.when(pl.col("direction") > 0).then(pl.lit(_("↑ raises NPS")))
        .otherwise(pl.lit(_("↓ lowers NPS"))).alias("direction"),
        "n", "csat", "target_csat",
        (pl.col("csat") - pl.col("target_csat")).alias("vs_target"),
    )  # fmt: skip


def drivers_columns() -> dict:
    number = st.column_config.NumberColumn
    return {
        "touchpoint": st.column_config.TextColumn(_("Touchpoint")),
        "importance": st.column_config.ProgressColumn(
            _("Importance"), format="%.1f%%", min_value=0, max_value=100,
            help=_("Share of the explained NPS variance (Johnson's relative weights)"),
        ),
        "ci_low": number(_("95% interval from"), format="%.1f%%"),
        "ci_high": number(_("to"), format="%.1f%%"),
        "direction": st.column_config.TextColumn(_("Direction")),
        "n": number(_("Customers (pairs)"), format="%,d"),
        "csat": number(_("CSAT now"), format="%.1f%%"),
        "target_csat": number(_("CSAT target"), format="%.1f%%"),
        "vs_target": number(_("vs target (points)"), format="%+.1f"),
    }  # fmt: skip


def drivers_charts(frame: pl.DataFrame) -> None:
    left, right = st.columns(2, gap="large")
    with left:
        chart(driver_charts.quadrant(frame), "drivers_quadrant")
    with right:
        chart(driver_charts.ranked(frame), "drivers_ranked")


def interval_note() -> str:
    return _(
        "Importance: each touchpoint's share of the NPS differences the touchpoints explain "
        "together (Johnson's relative weights on customers' mean scores in the period). "
        "Intervals: {replicates} bootstrap resamples of the customers, seeded, so the same "
        "data gives the same interval."
    ).format(replicates=fmt_int(driver_metrics.REPLICATES))
