"""The PDF report packs: which views each dashboard page's pack holds, and the caption each
chart gets from its own numbers.

A pack is a list of :class:`Section` -- a registry view, the options it is drawn with,
and a caption function -- so a scheduled report and a click in the app give the same
pages and numbers as the dashboard.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import plotly.graph_objects as go
import polars as pl

from dashboard import state, why
from dashboard.charts.funnel_satisfaction import touchpoint_label
from dashboard.charts.labels import dimension_noun, group_label, step_label
from dashboard.charts.table import table_trace
from dashboard.charts.theme import METRIC_SHORT, TEMPLATE, font_family
from dashboard.i18n import N_, _, ngettext
from dashboard.i18n.formats import (
    fmt_date,
    fmt_int,
    fmt_month,
    fmt_number,
    fmt_pct,
    fmt_score,
)
from dashboard.metrics.funnel_satisfaction import clearest_gap
from dashboard.metrics.groups import TOP_GROUPS
from dashboard.views.base import Options, View
from dashboard.views.dashboard import (
    DEFAULT_BY,
    FEEDBACK,
    FUNNEL,
    HEATMAP,
    NPS_MIX,
    NPS_TREND,
    SEGMENTS,
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
    # How the result is drawn when not as the view's chart: one figure per page (a long
    # table takes several pages).
    draw: Callable[[pl.DataFrame, Options], list[go.Figure]] | None = None


@dataclass(frozen=True)
class Report:
    """A page's pack: its title (marked for translation: show it with ``_()``) and how to
    build its sections for the given options."""

    page: str
    title: str
    sections: Callable[[Filters, Options], list[Section]]
    needs: str | None = None  # the permission the pack needs beyond report exports


# -- captions -------------------------------------------------------------------------------
# Written in the current language (the export wraps its work in ``with language(...)``).


TREND_WORDS = {
    "day": N_(
        "NPS per day; the band is the 95% margin of error. Grey points have fewer "
        "responses than the minimum sample."
    ),
    "week": N_(
        "NPS per week (from Monday); the band is the 95% margin of error. Grey points have "
        "fewer responses than the minimum sample."
    ),
    "month": N_(
        "NPS per month; the band is the 95% margin of error. Grey points have fewer "
        "responses than the minimum sample."
    ),
}
LATEST_WORDS = {
    "day": N_("Latest day ({period}): NPS {nps} ± {moe} from {n} scored responses."),
    "week": N_("Week of {period}: NPS {nps} ± {moe} from {n} scored responses."),
    "month": N_("Latest month ({period}): NPS {nps} ± {moe} from {n} scored responses."),
}
GROUP_TREND_WORDS = N_(
    "NPS per period, one line per {dimension} (the largest groups; the rest together as "
    "“other”). Grey points have fewer responses than the minimum sample."
)


def period_words(period: object, grain: str) -> str:
    """A trend point's period as the chart's axis writes it (``thg 3 2026``, ``Mar 2026``;
    a day or a week by its first day)."""
    return fmt_month(period) if grain == "month" else fmt_date(period)


def trend_caption(trend: pl.DataFrame, options: Options, f: Filters) -> str:
    grain = options.grain if options.grain in TREND_WORDS else "month"
    if options.by is not None:
        return _(GROUP_TREND_WORDS).format(dimension=dimension_noun(options.by))
    text = _(TREND_WORDS[grain])
    scored = trend.filter(pl.col("nps").is_not_null()) if "nps" in trend.columns else trend
    if scored.is_empty():
        return text
    last = scored.sort("period").row(-1, named=True)
    latest = _(LATEST_WORDS[grain]).format(
        period=period_words(last["period"], grain),
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


def segments_caption(frame: pl.DataFrame, options: Options, f: Filters) -> str:
    text = _(
        "NPS of each {dimension} with its 95% margin of error; grey bars have fewer than "
        "{min_n} scored responses."
    ).format(dimension=dimension_noun(options.by), min_n=fmt_int(f.min_n))
    scored = frame.filter(pl.col("nps").is_not_null() & ~pl.col("low_n"))
    if scored.height < 2:
        return text
    ranked = scored.sort("nps", descending=True)
    best, worst = ranked.row(0, named=True), ranked.row(-1, named=True)
    return (
        text
        + " "
        + _("Highest: {best} ({best_nps}); lowest: {worst} ({worst_nps}).").format(
            best=group_label(best[options.by]),
            best_nps=fmt_score(best["nps"]),
            worst=group_label(worst[options.by]),
            worst_nps=fmt_score(worst["nps"]),
        )
    )


def segment_table_caption(frame: pl.DataFrame, options: Options, f: Filters) -> str:
    return _(
        "Every KPI per {dimension}, largest groups first. Revenue and order value in đồng; "
        "repeat rate and CSAT in percent; low sample: fewer than {min_n} NPS answers."
    ).format(dimension=dimension_noun(options.by), min_n=fmt_int(f.min_n))


BAND_WORDS = {
    "detractor": N_("detractors (0–6)"),
    "passive": N_("passives (7–8)"),
    "promoter": N_("promoters (9–10)"),
}


def comments_caption(frame: pl.DataFrame, options: Options, f: Filters) -> str:
    shown = ngettext(
        "The newest comment, newest first.", "The {n} newest comments, newest first.", frame.height
    ).format(n=fmt_int(frame.height))
    parts = [shown]
    if options.band is not None:
        parts.append(_("Score band: {band}.").format(band=_(BAND_WORDS[options.band])))
    if options.search:
        parts.append(_("Search: “{text}”.").format(text=options.search))
    parts.append(
        _("Comments longer than {n} characters are shortened (…); the table export has them all.")
        .format(n=fmt_int(COMMENT_CHARS))
    )  # fmt: skip
    return " ".join(parts)


def _previous_period_words(f: Filters) -> str:
    previous = f.comparison()  # the previous period, or the same period last year
    return state.describe_period(previous.date_from, previous.date_to)


# -- tables on report pages ----------------------------------------------------------------

TABLE_ROWS_PER_PAGE = 16
COMMENT_ROWS_PER_PAGE = 8
COMMENT_CHARS = 400  # a comment cell longer than this is shortened on the page


def table_pages(
    frame: pl.DataFrame, title: str, *, rows_per_page: int = TABLE_ROWS_PER_PAGE, widths=None
) -> list[go.Figure]:
    """``frame`` as table figures of ``rows_per_page`` rows each, cells written as the app
    writes them (``dashboard.charts.table``), titled "title (i of n)" when split."""
    if frame.is_empty():
        return [_table_figure(frame, title, widths)]
    count = -(-frame.height // rows_per_page)
    figures = []
    for i in range(count):
        part = frame.slice(i * rows_per_page, rows_per_page)
        heading = (
            _("{title} ({part} of {parts})").format(title=title, part=i + 1, parts=count)
            if count > 1
            else title
        )
        figures.append(_table_figure(part, heading, widths))
    return figures


def _table_figure(frame: pl.DataFrame, title: str, widths) -> go.Figure:
    trace = table_trace(frame)
    if widths is not None:
        trace.columnwidth = [widths.get(c, 1) for c in frame.columns]
    fig = go.Figure(trace)
    fig.update_layout(title_text=title, template=TEMPLATE, font_family=font_family())
    return fig


def _segment_table(frame: pl.DataFrame, options: Options) -> list[go.Figure]:
    columns = [c for c in SEGMENTS.columns(options) if c in frame.columns]
    title = _("KPIs by {dimension}").format(dimension=dimension_noun(options.by))
    return table_pages(frame.select(columns), title)


def _comment_table(frame: pl.DataFrame, options: Options) -> list[go.Figure]:
    columns = ["responded_at", "touchpoint", "nps", "csat", "ces", "segment", "comment"]
    shown = frame.select([c for c in columns if c in frame.columns]).with_columns(
        pl.col("comment").map_elements(_shortened, return_dtype=pl.String)
    )
    widths = {"comment": 6, "touchpoint": 1.4, "responded_at": 1.6, "segment": 1.3}
    return table_pages(
        shown, _("Customer feedback"), rows_per_page=COMMENT_ROWS_PER_PAGE, widths=widths
    )


def _shortened(text: str | None) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= COMMENT_CHARS else text[: COMMENT_CHARS - 1].rstrip() + "…"


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


def _top(options: Options) -> int:
    """Report packs show the largest groups and "(other)" unless told otherwise (0: all)."""
    return TOP_GROUPS if options.top is None else options.top


def _funnel_page(f: Filters, options: Options) -> list[Section]:
    whole = options.replace(by=None)
    split = options.replace(by=options.by or DEFAULT_BY, top=_top(options))
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


def _segments_page(f: Filters, options: Options) -> list[Section]:
    by = Options(by=options.by or DEFAULT_BY, top=_top(options))
    return [
        Section(SEGMENTS, by, segments_caption),
        Section(SEGMENTS, by, segment_table_caption, draw=_segment_table),
        Section(HEATMAP, by.replace(metric=options.metric), heatmap_caption),
    ]


def _trends_page(f: Filters, options: Options) -> list[Section]:
    grain = options.grain if options.grain in TREND_WORDS else "month"
    whole = Options(grain=grain)
    sections = [
        Section(NPS_TREND, whole, trend_caption),
        Section(NPS_MIX, whole, mix_caption),
    ]
    if options.by is not None:
        split = Options(grain=grain, by=options.by, top=_top(options))
        sections.insert(1, Section(NPS_TREND, split, trend_caption))
    return sections


REPORT_COMMENTS = 40  # the newest comments a feedback pack lists


def _feedback_page(f: Filters, options: Options) -> list[Section]:
    shown = Options(band=options.band, search=options.search, limit=REPORT_COMMENTS)
    return [Section(FEEDBACK, shown, comments_caption, draw=_comment_table)]


REPORTS = {
    "overview": Report("overview", N_("Overview"), _overview),
    "funnel": Report("funnel", N_("Funnel & touchpoints"), _funnel_page),
    "drivers": Report("drivers", N_("Key drivers of NPS"), _drivers_page),
    "segments": Report("segments", N_("Segments"), _segments_page),
    "nps_trends": Report("nps_trends", N_("NPS trends"), _trends_page),
    "feedback": Report("feedback", N_("Feedback"), _feedback_page, needs="comments"),
}
