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

from dashboard import state
from dashboard.views.base import Options, View
from dashboard.views.dashboard import (
    DEFAULT_BY,
    FUNNEL,
    HEATMAP,
    NPS_MIX,
    NPS_TREND,
    WHAT_MOVED,
    window_words,
)
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
    return [
        Section(FUNNEL, whole, funnel_caption),
        Section(FUNNEL, split, funnel_caption),
        Section(HEATMAP, split, heatmap_caption),
    ]


REPORTS = {
    "overview": Report("overview", "Overview", _overview),
    "funnel": Report("funnel", "Funnel & touchpoints", _funnel_page),
}
