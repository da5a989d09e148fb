"""Touchpoint × group satisfaction heatmap, centred on targets, with significance marks."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go
import polars as pl

from dashboard.charts.base import _column, _figure, _flag, empty_figure, legend_below
from dashboard.charts.formats import _format_metric, fmt_int, fmt_number
from dashboard.charts.labels import dimension_noun, group_label
from dashboard.charts.theme import DIVERGING, METRIC_SHORT, NEUTRAL_POINT, group_order
from dashboard.i18n import N_, _
from dashboard.metrics.groups import OTHER

LOW_N_FILL = "#E6E8EB"
DARK_TEXT = "#1F2328"
LIGHT_TEXT = "#FFFFFF"
GREY_TEXT = "#6B7075"
# Cell text: full size up to this many groups, smaller up to MAX_TEXT_GROUPS, then
# hover only: in half a laptop screen (the heatmap's column) a cell of nine groups is
# about 35 px wide, and "-33,3 ▼" needs 40.
SMALL_TEXT_GROUPS = 6
MAX_TEXT_GROUPS = 8

# Sentiment as heatmap scores (dashboard.metrics.sentiment): net sentiment reads like NPS
# (-100..100, centred on 0); the share of negative comments is a percentage where more is
# worse, so its colours run the other way and centre on the average.
SENTIMENT_SHORT = {"sentiment": N_("Net sentiment"), "negative": N_("% negative comments")}
LOWER_IS_BETTER = frozenset({"negative"})


def metric_short(metric: str) -> str:
    """A heatmap metric's short name in the current language."""
    if metric in SENTIMENT_SHORT:
        return _(SENTIMENT_SHORT[metric])
    return METRIC_SHORT.get(metric, metric)


# What the colours are centred on: the title's words and the colour bar's title.
REFERENCES = {
    "target": (N_("{metric} by touchpoint and {dimension} (vs target)"), N_("vs target")),
    "average": (N_("{metric} by touchpoint and {dimension} (vs average)"), N_("vs average")),
    "neutral": (N_("{metric} by touchpoint and {dimension} (vs neutral)"), N_("vs neutral")),
}


def heatmap_centre(frame: pl.DataFrame, metric: str) -> list[float | None]:
    """The neutral point of each cell: its touchpoint's target, else the metric's.

    NPS is centred on 0 and CES on the scale midpoint 4; CSAT, which has no
    natural neutral, on the response-weighted mean of the visible cells.
    """
    targets = _column(frame, "target")
    fallback = 0.0 if metric == "sentiment" else NEUTRAL_POINT.get(metric)
    if fallback is None:
        visible = frame.filter(pl.col("value").is_not_null() & (pl.col("n") > 0))
        total = visible.get_column("n").sum() if not visible.is_empty() else 0
        fallback = (
            float((visible.get_column("value") * visible.get_column("n")).sum() / total)
            if total
            else 0.0
        )
    return [float(t) if t is not None else fallback for t in targets]


def heatmap(
    frame: pl.DataFrame,
    *,
    metric: str,
    by: str,
    title: str | None = None,
    selected: tuple[str, str] | None = None,
    wide: bool = False,
) -> go.Figure:
    """Touchpoint × group satisfaction, coloured by the distance from target/neutral.

    Reads ``touchpoint``, ``by``, ``value``, ``n``, ``low_n``, ``hidden``,
    ``significant`` ("above"/"below"/None), ``q`` and ``target``. Each cell shows its
    value (▲/▼ when significantly above/below the rest of its row); low-n cells
    are grey; hidden cells (under 5 responses) are blank with "n<5". An invisible
    marker sits on each cell centre so that a click selects the cell
    (``customdata`` = [touchpoint, group]). ``wide``: drawn across a page (exports,
    report packs) rather than in half a screen, so twice as many columns keep their text.
    """
    label = metric_short(metric)
    has_target = any(t is not None for t in _column(frame, "target"))
    averaged = metric in ("csat", "negative")
    reference = "target" if has_target else ("average" if averaged else "neutral")
    title_words, scale_words = REFERENCES[reference]
    title = title or _(title_words).format(metric=label, dimension=dimension_noun(by))
    if frame.is_empty():
        return empty_figure(title)
    touchpoints = sorted({str(t) for t in _column(frame, "touchpoint")}, reverse=True)
    groups = group_order({str(g) for g in _column(frame, by)})
    shown_groups = [group_label(g) for g in groups]  # the axis; clicks carry the value
    xi = {g: i for i, g in enumerate(groups)}
    yi = {t: i for i, t in enumerate(touchpoints)}
    shape = (len(touchpoints), len(groups))
    z_dev = _grid(shape)
    z_low = _grid(shape)
    text = _grid(shape, "")
    centres = heatmap_centre(frame, metric)
    cells_x, cells_y, cells_custom, cells_hover = [], [], [], []
    rows = zip(
        _column(frame, "touchpoint"),
        _column(frame, by),
        _column(frame, "value"),
        _column(frame, "n"),
        _flag(frame, "low_n"),
        _flag(frame, "hidden"),
        _column(frame, "significant"),
        _column(frame, "q"),
        _column(frame, "target"),
        centres,
        strict=False,
    )
    for tp, group, value, n, low, hidden, sig, q, target, centre in rows:
        r, c = yi[str(tp)], xi[str(group)]
        mark = {"above": " ▲", "below": " ▼"}.get(sig or "", "")
        if hidden or value is None:
            text[r][c] = "n<5" if (n or 0) > 0 else ""
        else:
            text[r][c] = _format_metric(metric, value) + mark
            if low:
                z_low[r][c] = 0.0
            else:
                # blue = better: fewer negative comments than the average is good
                z_dev[r][c] = centre - value if metric in LOWER_IS_BETTER else value - centre
        parts = [
            f"<b>{tp} × {group_label(group)}</b>",
            f"{label}: "
            + (_("hidden (n<5)") if hidden or value is None else _format_metric(metric, value)),
            f"n = {fmt_int(n)}" + (" " + _("(low sample)") if low and not hidden else ""),
        ]
        if target is not None:
            parts.append(_("target: {value}").format(value=_format_metric(metric, target)))
        if sig == "above":
            parts.append(
                _("significantly above the rest of the row (q = {q})").format(q=fmt_number(q, 3))
            )
        elif sig == "below":
            parts.append(
                _("significantly below the rest of the row (q = {q})").format(q=fmt_number(q, 3))
            )
        elif q is not None:
            parts.append(_("not significant (q = {q})").format(q=fmt_number(q, 2)))
        cells_x.append(str(group))
        cells_y.append(str(tp))
        # "(other)" is several groups: no single drill-down to open
        cells_custom.append([str(tp), str(group)] if group != OTHER else None)
        cells_hover.append("<br>".join(parts))
    spread = max((abs(v) for row in z_dev for v in row if v is not None), default=1.0) or 1.0
    fig = _figure(title, height=max(320, 60 + 46 * len(touchpoints)))
    fig.add_trace(
        go.Heatmap(
            x=groups,
            y=touchpoints,
            z=z_dev,
            zmid=0,
            zmin=-spread,
            zmax=spread,
            colorscale=DIVERGING,
            xgap=3,
            ygap=3,
            hoverinfo="skip",
            showscale=True,
            colorbar=dict(
                title=dict(text=_(scale_words), side="right"),
                thickness=12,
                len=0.8,
                tickformat="+.0f",
            ),
        )
    )
    fig.add_trace(
        go.Heatmap(
            x=groups,
            y=touchpoints,
            z=z_low,
            colorscale=[[0, LOW_N_FILL], [1, LOW_N_FILL]],
            xgap=3,
            ygap=3,
            hoverinfo="skip",
            showscale=False,
        )
    )
    text_colours = [
        [
            GREY_TEXT if z_low[r][c] is not None else text_colour(z_dev[r][c], spread)
            for c in range(shape[1])
        ]
        for r in range(shape[0])
    ]
    room = 2 if wide else 1
    size = 12 if len(groups) <= SMALL_TEXT_GROUPS * room else 10
    annotations = (
        [
            dict(
                x=groups[c],
                y=touchpoints[r],
                text=text[r][c],
                showarrow=False,
                font=dict(size=size, color=text_colours[r][c]),
            )
            for r in range(shape[0])
            for c in range(shape[1])
            if text[r][c]
        ]
        if len(groups) <= MAX_TEXT_GROUPS * room
        else []  # too narrow for text: the values are in the hover
    )
    fig.add_trace(
        go.Scatter(
            x=cells_x,
            y=cells_y,
            mode="markers",
            customdata=cells_custom,
            hovertext=cells_hover,
            hovertemplate="%{hovertext}<extra></extra>",
            marker=dict(size=30, symbol="square", opacity=0),
            showlegend=False,
            selected=dict(marker=dict(opacity=0)),
            unselected=dict(marker=dict(opacity=0)),
            name="cells",  # i18n: ok -- an invisible trace (hover and legend off)
        )
    )
    if selected is not None and selected[0] in yi and selected[1] in xi:
        fig.add_shape(
            type="rect",
            xref="x",
            yref="y",
            x0=xi[selected[1]] - 0.5,
            x1=xi[selected[1]] + 0.5,
            y0=yi[selected[0]] - 0.5,
            y1=yi[selected[0]] + 0.5,
            line=dict(color="#1F2328", width=2.5),
        )
    _sample_legend(fig, any(v is not None for row in z_low for v in row), text)
    fig.update_layout(
        annotations=annotations,
        hovermode="closest",
        hoverdistance=200,
        clickmode="event+select",
        dragmode=False,
    )
    fig.update_xaxes(
        side="bottom",
        # turned when the names would touch (many groups, or long names such as "(không rõ)")
        tickangle=-30 if len(groups) > 5 or sum(map(len, shown_groups)) > 30 else 0,
        title_text=None,
        showline=False,
        ticks="",
    )
    if shown_groups != groups:  # "(unknown)" in words; the data keeps the value
        fig.update_xaxes(tickmode="array", tickvals=groups, ticktext=shown_groups)
    fig.update_yaxes(title_text=None, showgrid=False, ticks="")
    return fig


def _sample_legend(fig: go.Figure, has_low: bool, text: list[list[str]]) -> None:
    """Legend entries for what the colour bar cannot say: grey cells (low sample) and
    blank ones (fewer than 5 responses), so an exported heatmap explains itself."""
    entries = []
    if has_low:
        entries.append((LOW_N_FILL, _("grey: low sample (read with care)")))
    if any(t == "n<5" for row in text for t in row):
        entries.append(("#FFFFFF", _("n<5: hidden (fewer than 5 responses)")))
    for colour, name in entries:
        fig.add_trace(
            go.Scatter(
                x=[None], y=[None], mode="markers", name=name, hoverinfo="skip",
                marker=dict(symbol="square", size=14, color=colour,
                            line=dict(color="#B8BEC4", width=1)),
            )
        )  # fmt: skip
    if entries:
        legend_below(fig)
        fig.update_layout(showlegend=True)


def text_colour(deviation: float | None, spread: float) -> str:
    """Dark or white cell text, whichever contrasts more with the cell's colour on the
    diverging scale (WCAG relative luminance)."""
    if deviation is None:
        return DARK_TEXT
    position = min(max(0.5 + deviation / (2 * spread), 0.0), 1.0) if spread else 0.5
    red, green, blue = _scale_colour(position)
    luminance = 0.2126 * _linear(red) + 0.7152 * _linear(green) + 0.0722 * _linear(blue)
    # contrast with white (1.05 / (L + 0.05)) against with near-black text
    dark_luminance = 0.0144
    return (
        LIGHT_TEXT
        if 1.05 / (luminance + 0.05) > (luminance + 0.05) / (dark_luminance + 0.05)
        else DARK_TEXT
    )


def _scale_colour(position: float) -> tuple[int, int, int]:
    for (low, low_colour), (high, high_colour) in zip(DIVERGING, DIVERGING[1:], strict=False):
        if low <= position <= high:
            t = (position - low) / (high - low) if high > low else 0.0
            a, b = _rgb(low_colour), _rgb(high_colour)
            return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))
    return _rgb(DIVERGING[-1][1])


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _linear(channel: int) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def _grid(shape: tuple[int, int], fill=None) -> list[list]:
    return [[fill] * shape[1] for _ in range(shape[0])]


def cell_from_selection(points: Sequence[dict]) -> tuple[str, str] | None:
    """(touchpoint, group) of the clicked heatmap cell in a plotly selection, if any."""
    for point in points:
        custom = point.get("customdata")
        if isinstance(custom, list | tuple) and len(custom) == 2:
            return str(custom[0]), str(custom[1])
    return None
