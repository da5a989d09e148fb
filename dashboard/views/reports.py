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
from dashboard.charts.funnel_satisfaction import touchpoint_label
from dashboard.charts.labels import dimension_noun, step_label
from dashboard.charts.theme import METRIC_SHORT
from dashboard.i18n import N_, _
from dashboard.i18n.formats import fmt_date, fmt_int, fmt_number, fmt_pct, fmt_score
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
    """A page's pack: its title (marked for translation: show it with ``_()``) and how to
    build its sections for the given options."""

    page: str
    title: str
    sections: Callable[[Filters, Options], list[Section]]


# -- captions -------------------------------------------------------------------------------
# Written in the current language (the export wraps its work in ``with language(...)``).


def trend_caption(trend: pl.DataFrame, options: Options, f: Filters) -> str:
    text = _(
        "NPS per month; the band is the 95% margin of error. Grey points have fewer "
        "responses than the minimum sample."
    )
    scored = trend.filter(pl.col("nps").is_not_null()) if "nps" in trend.columns else trend
    if scored.is_empty():
        return text
    last = scored.sort("period").row(-1, named=True)
    latest = _("Latest month ({month}): NPS {nps} ± {moe} from {n} scored responses.").format(
        month=fmt_date(last["period"]),
        nps=fmt_score(last["nps"]),
        moe=fmt_score(last["moe"] or 0),
        n=fmt_int(last["n"]),
    )
    return f"{text} {latest}"


def mix_caption(trend: pl.DataFrame, options: Options, f: Filters) -> str:
    return _(
        "Share of promoters (9–10), passives (7–8) and detractors (0–6) among the "
        "responses that gave an NPS score; skipped answers are not counted."
    )


def moved_caption(moved: pl.DataFrame, options: Options, f: Filters) -> str:
    significant = moved.filter(pl.col("significant").is_not_null()).height
    return _(
        "NPS change of each {kind} against {previous}. Coloured bars marked * are "
        "significant at p < 0.05 ({significant} of {total}); grey ones may be noise."
    ).format(
        kind=dimension_noun(options.by_kind),
        previous=_previous_period_words(f),
        significant=fmt_int(significant),
        total=fmt_int(moved.height),
    )


def funnel_caption(funnel: pl.DataFrame, options: Options, f: Filters) -> str:
    window = window_words(options)
    if options.by is not None:
        return _(
            "Share of entering customers reaching each step, one line per {dimension}; {window}."
        ).format(dimension=dimension_noun(options.by), window=window)
    if funnel.is_empty() or not funnel["customers"].sum():
        return _("No customers entered the funnel in this period ({window}).").format(window=window)
    data = funnel.sort("position")
    first, last = data.row(0, named=True), data.row(-1, named=True)
    text = _(
        "Of {entered} customers entering at “{first}”, {reached} ({share}) reached "
        "“{last}” ({window})."
    ).format(
        entered=fmt_int(first["customers"]),
        first=step_label(first["step"]),
        reached=fmt_int(last["customers"]),
        share=fmt_pct(last["conversion_overall"] or 0),
        last=step_label(last["step"]),
        window=window,
    )
    losses = data.slice(1).filter(pl.col("dropoff").is_not_null())
    if not losses.is_empty():
        worst = losses.sort("dropoff", descending=True).row(0, named=True)
        text += " " + _(
            "The largest drop-off is into “{step}”: {n} customers ({share} of the step before)."
        ).format(
            step=step_label(worst["step"]),
            n=fmt_int(worst["dropoff"]),
            share=fmt_pct(100 - (worst["conversion_from_previous"] or 0)),
        )
    return text


def heatmap_caption(cells: pl.DataFrame, options: Options, f: Filters) -> str:
    text = _(
        "{metric} per touchpoint and group, coloured by the distance from the touchpoint's "
        "target (or the neutral point). ▲/▼ mark cells significantly above/below the rest "
        "of their row (Benjamini–Hochberg q ≤ 0.05); grey cells have fewer than {min_n} "
        "responses, blank ones fewer than 5."
    ).format(metric=options.metric.upper(), min_n=fmt_int(f.min_n))
    if "significant" in cells.columns and not cells.is_empty():
        above = cells.filter(pl.col("significant") == "above").height
        below = cells.filter(pl.col("significant") == "below").height
        text += " " + _("{above} cells significantly above, {below} below.").format(
            above=fmt_int(above), below=fmt_int(below)
        )
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
    previous = f.comparison()  # the previous period, or the same period last year
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
    moved_titles = {
        "touchpoint": N_("Touchpoints: NPS change vs {previous}"),
        "segment": N_("Segments: NPS change vs {previous}"),
    }
    for by_kind, words in moved_titles.items():

        def title(f: Filters, words: str = words) -> str:
            return _(words).format(previous=_previous_period_words(f))

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
    "overview": Report("overview", N_("Overview"), _overview),
    "funnel": Report("funnel", N_("Funnel & touchpoints"), _funnel_page),
    "drivers": Report("drivers", N_("Key drivers of NPS"), _drivers_page),
}
