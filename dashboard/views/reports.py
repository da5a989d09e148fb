"""The PDF report packs: which views each dashboard page's pack holds, and the caption each
chart gets from its own numbers.

A pack is a list of :class:`Section` -- a registry view, the options it is drawn with,
and a caption function -- so a scheduled report and a click in the app give the same
pages and numbers as the dashboard.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from dashboard import state, why
from dashboard.charts.funnel import step_label
from dashboard.charts.funnel_satisfaction import touchpoint_label
from dashboard.charts.theme import METRIC_SHORT
from dashboard.i18n import _
from dashboard.i18n.formats import fmt_int, fmt_number, fmt_pct, fmt_score
from dashboard.metrics.funnel_satisfaction import clearest_gap
from dashboard.views.base import Options, View
from dashboard.views.dashboard import (
    DEFAULT_BY,
    FUNNEL,
    HEATMAP,
    NPS_MIX,
    NPS_TREND,
    WHAT_MOVED,
    window_days,
    window_words,
)
from dashboard.views.why import DRIVERS, DRIVERS_RANKED, FUNNEL_SATISFACTION
from queries.filters import Filters

Caption = Callable[[pl.DataFrame, Options, Filters], str]


@dataclass(frozen=True)
class Section:
    """One chart page of a pack: a view drawn with ``options``, captioned from its result.
    ``title`` (from the filters) replaces the chart's own title when given."""

    view: View
    options: Options
    caption: Caption
    title: Callable[[Filters], str] | None = None


@dataclass(frozen=True)
class Report:
    """A page's pack: its title and how to build its sections for the given options."""

    page: str
    title: str
    sections: Callable[[Filters, Options], list[Section]]


# -- captions -------------------------------------------------------------------------------


def trend_caption(trend: pl.DataFrame, options: Options, f: Filters) -> str:
    text = (
        "NPS per month; the band is the 95% margin of error. Grey points have fewer "
        "responses than the minimum sample."
    )
    scored = trend.filter(pl.col("nps").is_not_null()) if "nps" in trend.columns else trend
    if scored.is_empty():
        return text
    last = scored.sort("period").row(-1, named=True)
    return (
        f"{text} Latest month ({last['period']}): NPS {last['nps']:.1f} ± "
        f"{(last['moe'] or 0):.1f} from {last['n']:,} scored responses."
    )


def mix_caption(trend: pl.DataFrame, options: Options, f: Filters) -> str:
    return (
        "Share of promoters (9–10), passives (7–8) and detractors (0–6) among the "
        "responses that gave an NPS score; skipped answers are not counted."
    )


def moved_caption(moved: pl.DataFrame, options: Options, f: Filters) -> str:
    significant = moved.filter(pl.col("significant").is_not_null()).height
    return (
        f"NPS change of each {options.by_kind.replace('_', ' ')} against "
        f"{_previous_period_words(f)}. Coloured bars marked * are significant at p < 0.05 "
        f"({significant} of {moved.height}); grey ones may be noise."
    )


def funnel_caption(funnel: pl.DataFrame, options: Options, f: Filters) -> str:
    window = window_words(options)
    if options.by is not None:
        return (
            f"Share of entering customers reaching each step, one line per "
            f"{options.by.replace('_', ' ')}; {window}."
        )
    if funnel.is_empty() or not funnel["customers"].sum():
        return f"No customers entered the funnel in this period ({window})."
    data = funnel.sort("position")
    first, last = data.row(0, named=True), data.row(-1, named=True)
    text = (
        f"Of {first['customers']:,} customers entering at “{first['step']}”, "
        f"{last['customers']:,} ({(last['conversion_overall'] or 0):.1f}%) reached "
        f"“{last['step']}” ({window})."
    )
    losses = data.slice(1).filter(pl.col("dropoff").is_not_null())
    if not losses.is_empty():
        worst = losses.sort("dropoff", descending=True).row(0, named=True)
        text += (
            f" The largest drop-off is into “{worst['step']}”: {worst['dropoff']:,} customers "
            f"({100 - (worst['conversion_from_previous'] or 0):.1f}% of the step before)."
        )
    return text


def heatmap_caption(cells: pl.DataFrame, options: Options, f: Filters) -> str:
    text = (
        f"{options.metric.upper()} per touchpoint and group, coloured by the distance from the "
        f"touchpoint's target (or the neutral point). ▲/▼ mark cells significantly above/below "
        f"the rest of their row (Benjamini–Hochberg q ≤ 0.05); grey cells have fewer than "
        f"{f.min_n} responses, blank ones fewer than 5."
    )
    if "significant" in cells.columns and not cells.is_empty():
        above = cells.filter(pl.col("significant") == "above").height
        below = cells.filter(pl.col("significant") == "below").height
        text += f" {above} cells significantly above, {below} below."
    return text


def funnel_satisfaction_caption(table: pl.DataFrame, options: Options, f: Filters) -> str:
    """What the dumbbells show, and the clearest gap between converters and drop-outs."""
    metric = METRIC_SHORT.get(options.metric, options.metric)
    text = _(
        "{metric} of the customers who reached each step (blue) against those who dropped "
        "out before it (vermillion), per touchpoint, with 95% margins ({window}); dark bars "
        "mark significant gaps (Benjamini–Hochberg q ≤ 0.05), grey dots fewer than {min_n} "
        "responses."
    ).format(metric=metric, window=_window_days_words(options), min_n=fmt_int(f.min_n))
    top = clearest_gap(table)
    if top is None:
        return text + " " + _("No touchpoint separates them significantly.")
    value = fmt_pct if options.metric == "csat" else fmt_score
    return (
        text
        + " "
        + _(
            "The clearest gap: at → {step}, {touchpoint} {metric} is {dropped} for those who "
            "dropped out against {converted} for those who converted."
        ).format(
            step=step_label(top["step"]),
            touchpoint=touchpoint_label(top["touchpoint"]),
            metric=metric,
            dropped=value(top["value_dropped"]),
            converted=value(top["value_converted"]),
        )
    )


def _window_days_words(options: Options) -> str:
    return _("conversion window {days} days").format(days=fmt_number(window_days(options), 0))


def drivers_caption(table: pl.DataFrame, options: Options, f: Filters) -> str:
    """The one-paragraph reading (``dashboard.why.drivers_reading``)."""
    return why.drivers_reading(table)


def ranked_caption(table: pl.DataFrame, options: Options, f: Filters) -> str:
    return _(
        "Each touchpoint's share of the NPS differences that the touchpoints' CSAT explains "
        "together (Johnson's relative weights on customers' mean scores), with a seeded "
        "bootstrap 95% interval. Vermillion: the touchpoint to fix first; hatched grey: "
        "higher CSAT there goes with a lower NPS."
    )


def _previous_period_words(f: Filters) -> str:
    previous = f.previous_period()
    return state.describe_period(previous.date_from, previous.date_to)


# -- packs ----------------------------------------------------------------------------------


def _overview(f: Filters, options: Options) -> list[Section]:
    monthly = Options(grain="month")
    sections = [
        Section(NPS_TREND, monthly, trend_caption),
        Section(NPS_MIX, monthly, mix_caption),
    ]
    if f.date_from is None or f.date_to is None:
        return sections
    for by_kind, label in (("touchpoint", "Touchpoints"), ("segment", "Segments")):

        def title(f: Filters, label: str = label) -> str:
            return f"{label}: NPS change vs {_previous_period_words(f)}"

        moved = Options(metric="nps", by_kind=by_kind)
        sections.append(Section(WHAT_MOVED, moved, moved_caption, title))
    return sections


def _funnel_page(f: Filters, options: Options) -> list[Section]:
    whole = options.replace(by=None)
    split = options.replace(by=options.by or DEFAULT_BY)
    joined = Options(steps=options.steps, window_days=options.window_days, metric=options.metric)
    return [
        Section(FUNNEL, whole, funnel_caption),
        Section(FUNNEL, split, funnel_caption),
        Section(HEATMAP, split, heatmap_caption),
        Section(FUNNEL_SATISFACTION, joined, funnel_satisfaction_caption),
    ]


def _drivers_page(f: Filters, options: Options) -> list[Section]:
    # One computation (the seeded bootstrap) for both charts.
    return [
        Section(DRIVERS, Options(), drivers_caption),
        Section(DRIVERS_RANKED, Options(), ranked_caption),
    ]


REPORTS = {
    "overview": Report("overview", "Overview", _overview),
    "funnel": Report("funnel", "Funnel & touchpoints", _funnel_page),
    "drivers": Report("drivers", "Key drivers of NPS", _drivers_page),
}
