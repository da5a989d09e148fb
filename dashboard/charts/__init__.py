"""Pure chart builders: polars DataFrame in, plotly Figure out.

No streamlit here (a chart must render in a notebook or an export job just the
same). Every figure uses one template (:data:`TEMPLATE`), the Okabe-Ito
colour-blind-safe palette, a title that says what is shown, VND with thousands
separators and percentages / scores with one decimal. Points, bars and cells
with fewer than ``min_n`` scored responses are drawn grey (``low_n``); those
under the privacy threshold arrive with a null value and are left out or shown
as a blank cell.

The input frames are the ones :mod:`dashboard.service` returns; the columns each
builder reads are listed in its docstring.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence

import plotly.graph_objects as go
import plotly.io as pio
import polars as pl

# Okabe & Ito (2008): distinguishable with every common colour-vision deficiency.
PALETTE = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
    "#000000",
)
PRIMARY = PALETTE[0]
GOOD = "#0072B2"  # blue for "better" (never green/red alone: colour-blind safe)
BAD = "#D55E00"  # vermillion for "worse"
NEUTRAL = "#9AA0A6"  # muted grey: low sample, not significant
LOW_N = "#C8CCD0"
BAND_FILL = "rgba(0,114,178,0.15)"
# Diverging scale for the heatmap: vermillion (below) -> near white -> blue (above).
DIVERGING = [
    [0.0, "#B2400C"],
    [0.25, "#F0A27A"],
    [0.5, "#F7F7F7"],
    [0.75, "#8EC1E6"],
    [1.0, "#08519C"],
]
# Promoters / passives / detractors: blue, grey, vermillion.
BAND_COLOURS = {"promoters": "#0072B2", "passives": "#B8BEC4", "detractors": "#D55E00"}
FONT = "Inter, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"

METRIC_LABELS = {"nps": "NPS", "csat": "CSAT (% satisfied)", "ces": "CES (1–7, higher = easier)"}
METRIC_SHORT = {"nps": "NPS", "csat": "CSAT", "ces": "CES"}
# Where the diverging heatmap scale is centred when no target applies.
NEUTRAL_POINT = {"nps": 0.0, "ces": 4.0}

TEMPLATE = "cxdash"
pio.templates[TEMPLATE] = go.layout.Template(
    layout=go.Layout(
        font=dict(family=FONT, size=13, color="#262730"),
        title=dict(font=dict(size=16), x=0, xanchor="left", y=0.98, yanchor="top"),
        colorway=list(PALETTE),
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        margin=dict(l=10, r=10, t=56, b=10),
        hoverlabel=dict(font=dict(family=FONT, size=12)),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1, title=None),
        xaxis=dict(showgrid=False, linecolor="#D0D3D7", ticks="outside", tickcolor="#D0D3D7"),
        yaxis=dict(gridcolor="#ECEEF0", zerolinecolor="#D0D3D7"),
        separators=".,",  # decimal point, thousands comma
    )
)


# -- number formats (also used by pages for tiles and tables) -------------------


def _dash_when_missing(fmt):
    """A formatter that shows ``–`` for no value (None or NaN) instead of formatting it."""

    @functools.wraps(fmt)
    def wrapper(value, *args, **kwargs):
        if value is None or _nan(value):
            return "–"
        return fmt(value, *args, **kwargs)

    return wrapper


@_dash_when_missing
def fmt_vnd(value: float | None) -> str:
    """``12,345,678 ₫``; ``–`` for no value."""
    return f"{value:,.0f} ₫"


@_dash_when_missing
def fmt_vnd_short(value: float | None) -> str:
    """Compact VND for tiles: ``1.2 bn ₫``, ``345.6 M ₫``, ``12,345 ₫``."""
    for size, unit in ((1e12, "tn"), (1e9, "bn"), (1e6, "M")):
        if abs(value) >= size:
            return f"{value / size:,.1f} {unit} ₫"
    return fmt_vnd(value)


@_dash_when_missing
def fmt_pct(value: float | None) -> str:
    """A 0–100 share with one decimal: ``42.5%``."""
    return f"{value:.1f}%"


@_dash_when_missing
def fmt_score(value: float | None, signed: bool = False) -> str:
    """NPS / CES with one decimal (``+12.3`` when ``signed``)."""
    return f"{value:+.1f}" if signed else f"{value:.1f}"


def fmt_p(value: float | None) -> str:
    """A p-value for people: ``p = 0.042``, ``p < 0.001``."""
    if value is None or _nan(value):
        return "p: no test"
    return "p < 0.001" if value < 0.001 else f"p = {value:.3f}"


@_dash_when_missing
def fmt_int(value: float | None) -> str:
    return f"{value:,.0f}"


@_dash_when_missing
def fmt_seconds(value: float | None) -> str:
    """A duration in words: ``45 s``, ``12 min``, ``5.2 h``, ``3.1 days``."""
    if value < 60:
        return f"{value:.0f} s"
    if value < 3600:
        return f"{value / 60:.0f} min"
    if value < 86400:
        return f"{value / 3600:.1f} h"
    return f"{value / 86400:.1f} days"


def _nan(value: float) -> bool:
    return isinstance(value, float) and math.isnan(value)


def nps_band(score: int | None) -> str | None:
    """'promoter' (9–10), 'passive' (7–8), 'detractor' (0–6) or None for no score."""
    if score is None:
        return None
    return "promoter" if score >= 9 else "passive" if score >= 7 else "detractor"


def _format_metric(metric: str, value: float | None) -> str:
    return fmt_pct(value) if metric == "csat" else fmt_score(value)


# -- helpers -------------------------------------------------------------------


def _figure(title: str, height: int = 380) -> go.Figure:
    fig = go.Figure()
    fig.update_layout(template=TEMPLATE, title=dict(text=title), height=height)
    return fig


def empty_figure(title: str, message: str = "No data for these filters") -> go.Figure:
    """A blank figure that says why it is blank (keeps the layout stable)."""
    fig = _figure(title, height=260)
    fig.add_annotation(
        text=message, showarrow=False, font=dict(size=14, color="#6B7075"), x=0.5, y=0.5
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig


def _column(frame: pl.DataFrame, name: str) -> list:
    return frame.get_column(name).to_list() if name in frame.columns else [None] * frame.height


def _flag(frame: pl.DataFrame, name: str) -> list[bool]:
    return [bool(v) for v in _column(frame, name)]


# -- KPI sparklines ---------------------------------------------------------------


def sparkline(frame: pl.DataFrame, value: str, title: str, percent: bool = False) -> go.Figure:
    """A small line of one KPI over ``period`` (low-n points grey).

    Reads ``period``, ``value`` and, when present, ``low_n``.
    """
    if frame.is_empty() or value not in frame.columns:
        return empty_figure(title)
    periods = _column(frame, "period")
    values = _column(frame, value)
    low = _flag(frame, "low_n")
    fig = _figure(title, height=150)
    suffix = "%" if percent else ""
    fig.add_trace(
        go.Scatter(
            x=periods,
            y=values,
            mode="lines+markers",
            line=dict(color=PRIMARY, width=2),
            marker=dict(size=5, color=[LOW_N if lo else PRIMARY for lo in low]),
            hovertemplate=f"%{{x}}: %{{y:.1f}}{suffix}<extra></extra>",
            connectgaps=False,
        )
    )
    fig.update_layout(
        margin=dict(l=4, r=4, t=28, b=4), title=dict(font=dict(size=12)), showlegend=False
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(showgrid=False, tickfont=dict(size=10), nticks=3)
    return fig


# -- NPS trend ---------------------------------------------------------------------


def nps_trend(
    frame: pl.DataFrame,
    *,
    by: str | None = None,
    target: float | None = None,
    title: str = "NPS over time with 95% margin of error",
) -> go.Figure:
    """NPS per period with its 95% MoE band; lines per group when ``by`` is given.

    Reads ``period``, [``by``], ``n``, ``nps``, ``moe``, ``low_n``. Low-n points are
    drawn as grey markers; points without a value (privacy) are gaps. ``target``
    draws a dashed horizontal line (one touchpoint's target NPS).
    """
    if frame.is_empty() or frame.get_column("nps").drop_nulls().is_empty():
        return empty_figure(title)
    fig = _figure(title, height=400)
    groups = (
        [(None, frame)]
        if by is None
        else [(key[0], part) for key, part in frame.group_by(by, maintain_order=True)]
    )
    if by is not None:
        groups.sort(key=lambda pair: str(pair[0]))
    for index, (name, part) in enumerate(groups):
        part = part.sort("period")
        colour = PALETTE[index % len(PALETTE)]
        periods = _column(part, "period")
        nps = _column(part, "nps")
        moe = _column(part, "moe")
        if by is None:  # one band only: several overlapping bands are unreadable
            upper = [
                None if v is None or m is None else v + m for v, m in zip(nps, moe, strict=True)
            ]
            lower = [
                None if v is None or m is None else v - m for v, m in zip(nps, moe, strict=True)
            ]
            fig.add_trace(
                go.Scatter(
                    x=periods,
                    y=upper,
                    mode="lines",
                    line=dict(width=0),
                    hoverinfo="skip",
                    showlegend=False,
                )
            )
            fig.add_trace(
                go.Scatter(
                    x=periods,
                    y=lower,
                    mode="lines",
                    line=dict(width=0),
                    fill="tonexty",
                    fillcolor=BAND_FILL,
                    hoverinfo="skip",
                    name="95% margin of error",
                )
            )
        low = _flag(part, "low_n")
        label = "NPS" if name is None else str(name)
        # The line carries the legend (in its colour); the markers, grey where the
        # sample is low, carry the hover.
        fig.add_trace(
            go.Scatter(
                x=periods, y=nps, mode="lines", name=label, legendgroup=label,
                line=dict(color=colour, width=2.5), hoverinfo="skip",
            )
        )  # fmt: skip
        fig.add_trace(
            go.Scatter(
                x=periods,
                y=nps,
                mode="markers",
                name=label,
                legendgroup=label,
                showlegend=False,
                marker=dict(
                    size=7,
                    color=[LOW_N if lo else colour for lo in low],
                    line=dict(color=[NEUTRAL if lo else colour for lo in low], width=1),
                ),
                customdata=list(
                    zip(_column(part, "n"), moe, ["low n" if lo else "" for lo in low], strict=True)
                ),
                hovertemplate=(
                    ("" if name is None else f"<b>{name}</b><br>")
                    + "%{x}<br>NPS %{y:.1f} ± %{customdata[1]:.1f}<br>"
                    "n = %{customdata[0]:,} %{customdata[2]}<extra></extra>"
                ),
            )
        )
    if target is not None:
        fig.add_hline(
            y=target,
            line=dict(color="#6B7075", dash="dash", width=1.5),
            annotation_text=f"target {target:.0f}",
            annotation_position="top left",
        )
    fig.update_yaxes(title_text="NPS (−100 to 100)", zeroline=True)
    fig.update_xaxes(title_text=None, type="date")
    fig.update_layout(hovermode="closest")
    return fig


def nps_mix(frame: pl.DataFrame, title: str = "Promoters, passives and detractors") -> go.Figure:
    """Stacked shares (0–100) of promoters, passives and detractors per period.

    Reads ``period``, ``n``, ``promoters``, ``passives``, ``detractors`` (counts) and,
    when present, ``low_n``. Periods without scored responses are left out.
    """
    if frame.is_empty():
        return empty_figure(title)
    data = frame.filter(pl.col("n") > 0)
    if "nps" in data.columns:  # a period whose score is hidden (privacy) hides its mix too
        data = data.filter(pl.col("nps").is_not_null())
    data = data.sort("period")
    if data.is_empty():
        return empty_figure(title)
    fig = _figure(title, height=320)
    n = _column(data, "n")
    for band in ("detractors", "passives", "promoters"):
        counts = _column(data, band)
        shares = [
            100.0 * c / t if c is not None and t else None for c, t in zip(counts, n, strict=True)
        ]
        fig.add_trace(
            go.Bar(
                x=_column(data, "period"),
                y=shares,
                name=band.capitalize(),
                marker=dict(color=BAND_COLOURS[band]),
                customdata=counts,
                hovertemplate=f"%{{x}}<br>{band}: %{{y:.1f}}% (%{{customdata:,}})<extra></extra>",
            )
        )
    fig.update_layout(barmode="stack", bargap=0.15)
    fig.update_yaxes(title_text="share of scored responses", ticksuffix="%", range=[0, 100])
    fig.update_xaxes(type="date")
    return fig


# -- funnel ------------------------------------------------------------------------


def funnel(frame: pl.DataFrame, *, by: str | None = None, title: str | None = None) -> go.Figure:
    """The ordered funnel: customers reaching each step.

    Without ``by``: one funnel whose bars show customers, step conversion and
    overall conversion. With ``by``: overall conversion per step, one line per group
    (which group loses customers where). Reads ``step``, ``position``, ``customers``,
    ``conversion_from_previous``, ``conversion_overall``, ``dropoff``,
    ``median_seconds_from_previous`` and [``by``].
    """
    title = title or (
        "Customers reaching each funnel step"
        if by is None
        else f"Overall conversion by step, per {by.replace('_', ' ')}"
    )
    if frame.is_empty() or not any(_column(frame, "customers")):
        return empty_figure(title)
    fig = _figure(title, height=420)
    if by is None:
        data = frame.sort("position")
        counts = [c or 0 for c in _column(data, "customers")] or [0]
        step_conv = _column(data, "conversion_from_previous")
        overall = _column(data, "conversion_overall")
        texts = [
            f"{c:,}" + ("" if i == 0 or o is None else f" · {o:.1f}% of entry")
            for i, (c, o) in enumerate(zip(_column(data, "customers"), overall, strict=True))
        ]
        custom = list(
            zip(
                [fmt_pct(v) for v in step_conv],
                [fmt_pct(v) for v in overall],
                [fmt_int(v) for v in _column(data, "dropoff")],
                [fmt_seconds(v) for v in _column(data, "median_seconds_from_previous")],
                strict=False,
            )
        )
        fig.add_trace(
            go.Funnel(
                y=[step_label(s) for s in _column(data, "step")],
                x=_column(data, "customers"),
                text=texts,
                textinfo="text",
                # inside wide bars, beside narrow ones (plotly would shrink the text instead)
                textposition=[
                    "inside" if (c or 0) >= 0.4 * max(counts) else "outside" for c in counts
                ],
                insidetextfont=dict(color="white"),
                outsidetextfont=dict(color="#1F2328"),
                constraintext="none",
                marker=dict(color=PRIMARY),
                connector=dict(fillcolor="#DCE9F5", line=dict(width=0)),
                customdata=custom,
                hovertemplate=(
                    "<b>%{y}</b><br>%{x:,} customers<br>step conversion %{customdata[0]}"
                    "<br>overall %{customdata[1]}<br>drop-off %{customdata[2]}"
                    "<br>median time from previous step %{customdata[3]}<extra></extra>"
                ),
            )
        )
        fig.update_yaxes(title_text=None)
        return fig
    for index, (key, part) in enumerate(
        sorted(frame.group_by(by, maintain_order=True), key=lambda kv: str(kv[0][0]))
    ):
        part = part.sort("position")
        colour = PALETTE[index % len(PALETTE)]
        fig.add_trace(
            go.Scatter(
                x=[step_label(s) for s in _column(part, "step")],
                y=_column(part, "conversion_overall"),
                mode="lines+markers",
                name=str(key[0]),
                line=dict(color=colour, width=2),
                customdata=list(
                    zip(
                        _column(part, "customers"),
                        [fmt_pct(v) for v in _column(part, "conversion_from_previous")],
                        strict=False,
                    )
                ),
                hovertemplate=(
                    f"<b>{key[0]}</b><br>%{{x}}: %{{y:.1f}}% of entry<br>"
                    "%{customdata[0]:,} customers, step %{customdata[1]}<extra></extra>"
                ),
            )
        )
    fig.update_yaxes(title_text="% of customers entering", ticksuffix="%", rangemode="tozero")
    fig.update_layout(hovermode="closest")
    return fig


def step_label(step: str | None) -> str:
    return "" if step is None else str(step).replace("_", " ").capitalize()


# -- heatmap -----------------------------------------------------------------------


def heatmap_centre(frame: pl.DataFrame, metric: str) -> list[float | None]:
    """The neutral point of each cell: its touchpoint's target, else the metric's.

    NPS is centred on 0 and CES on the scale midpoint 4; CSAT, which has no
    natural neutral, on the response-weighted mean of the visible cells.
    """
    targets = _column(frame, "target")
    fallback = NEUTRAL_POINT.get(metric)
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
) -> go.Figure:
    """Touchpoint × group satisfaction, coloured by the distance from target/neutral.

    Reads ``touchpoint``, ``by``, ``value``, ``n``, ``low_n``, ``hidden``,
    ``significant`` ("above"/"below"/None), ``q`` and ``target``. Each cell shows its
    value (▲/▼ when significantly above/below the rest of its row); low-n cells
    are grey; hidden cells (under 5 responses) are blank with "n<5". An invisible
    marker sits on each cell centre so that a click selects the cell
    (``customdata`` = [touchpoint, group]).
    """
    label = METRIC_SHORT.get(metric, metric)
    has_target = any(t is not None for t in _column(frame, "target"))
    reference = "target" if has_target else ("average" if metric == "csat" else "neutral")
    title = title or f"{label} by touchpoint and {by.replace('_', ' ')} (vs {reference})"
    if frame.is_empty():
        return empty_figure(title)
    touchpoints = sorted({str(t) for t in _column(frame, "touchpoint")}, reverse=True)
    groups = sorted({str(g) for g in _column(frame, by)})
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
                z_dev[r][c] = value - centre
        parts = [
            f"<b>{tp} × {group}</b>",
            f"{label}: "
            + ("hidden (n<5)" if hidden or value is None else _format_metric(metric, value)),
            f"n = {fmt_int(n)}" + (" (low sample)" if low and not hidden else ""),
        ]
        if target is not None:
            parts.append(f"target: {_format_metric(metric, target)}")
        if sig:
            parts.append(f"significantly {sig} the rest of the row (q = {q:.3f})")
        elif q is not None:
            parts.append(f"not significant (q = {q:.2f})")
        cells_x.append(str(group))
        cells_y.append(str(tp))
        cells_custom.append([str(tp), str(group)])
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
                title=dict(text=f"vs {reference}", side="right"),
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
            colorscale=[[0, "#E6E8EB"], [1, "#E6E8EB"]],
            xgap=3,
            ygap=3,
            hoverinfo="skip",
            showscale=False,
        )
    )
    text_colours = [
        [("#6B7075" if z_low[r][c] is not None else "#1F2328") for c in range(shape[1])]
        for r in range(shape[0])
    ]
    annotations = [
        dict(
            x=groups[c],
            y=touchpoints[r],
            text=text[r][c],
            showarrow=False,
            font=dict(size=12, color=text_colours[r][c]),
        )
        for r in range(shape[0])
        for c in range(shape[1])
        if text[r][c]
    ]
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
            name="cells",
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
    fig.update_layout(
        annotations=annotations,
        hovermode="closest",
        hoverdistance=200,
        clickmode="event+select",
        dragmode=False,
    )
    fig.update_xaxes(
        side="bottom",
        tickangle=-30 if len(groups) > 5 else 0,
        title_text=None,
        showline=False,
        ticks="",
    )
    fig.update_yaxes(title_text=None, showgrid=False, ticks="")
    return fig


def _grid(shape: tuple[int, int], fill=None) -> list[list]:
    return [[fill] * shape[1] for _ in range(shape[0])]


def cell_from_selection(points: Sequence[dict]) -> tuple[str, str] | None:
    """(touchpoint, group) of the clicked heatmap cell in a plotly selection, if any."""
    for point in points:
        custom = point.get("customdata")
        if isinstance(custom, list | tuple) and len(custom) == 2:
            return str(custom[0]), str(custom[1])
    return None


# -- segments / comparisons ----------------------------------------------------------


def segment_bars(frame: pl.DataFrame, *, by: str, metric: str = "nps") -> go.Figure:
    """One bar per group of ``by`` with its 95% margin of error (NPS) — low-n grey.

    Reads ``by``, ``metric``, ``n_nps``, ``moe`` (for NPS) and ``low_n``.
    """
    label = METRIC_SHORT.get(metric, metric)
    title = f"{label} by {by.replace('_', ' ')}" + (
        " with 95% margin of error" if metric == "nps" else ""
    )
    data = frame.filter(pl.col(metric).is_not_null()) if metric in frame.columns else frame.clear()
    if data.is_empty():
        return empty_figure(title)
    data = data.sort(metric, descending=True)
    low = _flag(data, "low_n")
    error = (
        dict(type="data", array=_column(data, "moe"), color="#6B7075", thickness=1.2)
        if metric == "nps"
        else None
    )
    fig = _figure(title, height=max(300, 80 + 28 * data.height))
    fig.add_trace(
        go.Bar(
            y=[str(v) for v in _column(data, by)],
            x=_column(data, metric),
            orientation="h",
            marker=dict(color=[LOW_N if lo else PRIMARY for lo in low]),
            error_x=error,
            customdata=list(
                zip(_column(data, "n_nps"), ["low sample" if lo else "" for lo in low], strict=True)
            ),
            hovertemplate=(
                "<b>%{y}</b><br>%{x:.1f}<br>n = %{customdata[0]:,} %{customdata[1]}<extra></extra>"
            ),
        )
    )
    fig.update_yaxes(autorange="reversed", title_text=None)
    fig.update_xaxes(title_text=METRIC_LABELS.get(metric, metric), zeroline=True)
    return fig


COMPARE_METRICS = (
    ("customers", "Customers", fmt_int),
    ("revenue", "Revenue", fmt_vnd),
    ("orders", "Orders", fmt_int),
    ("aov", "Average order value", fmt_vnd),
    ("repeat_rate", "Repeat rate", fmt_pct),
    ("nps", "NPS", fmt_score),
    ("csat", "CSAT", fmt_pct),
    ("ces", "CES", fmt_score),
    ("responses", "Responses", fmt_int),
)


def compare_groups(frame: pl.DataFrame, *, by: str, a: str, b: str) -> go.Figure:
    """Two groups side by side on NPS (with MoE), CSAT and repeat rate.

    Reads ``by``, ``nps``, ``moe``, ``csat``, ``repeat_rate``, ``low_n``.
    """
    title = f"{a} vs {b}: NPS, CSAT and repeat rate"
    rows = {str(r[by]): r for r in frame.iter_rows(named=True)}
    if a not in rows or b not in rows:
        return empty_figure(title)
    fig = _figure(title, height=340)
    metrics = [("nps", "NPS"), ("csat", "CSAT %"), ("repeat_rate", "Repeat rate %")]
    for index, name in enumerate((a, b)):
        row = rows[name]
        colour = PALETTE[index]
        values = [row.get(m) for m, _ in metrics]
        fig.add_trace(
            go.Bar(
                x=[label for _, label in metrics],
                y=values,
                name=name + (" (low sample)" if row.get("low_n") else ""),
                marker=dict(color=colour, opacity=0.45 if row.get("low_n") else 1),
                # whiskers without caps: only NPS has a margin, the other bars show nothing
                error_y=dict(
                    type="data", array=[row.get("moe"), 0, 0], color="#444", thickness=1.5, width=0
                ),
                text=[fmt_score(v) for v in values],
                textposition="outside",
                cliponaxis=False,
                hovertemplate=f"<b>{name}</b><br>%{{x}}: %{{y:.1f}}<extra></extra>",
            )
        )
    fig.update_layout(barmode="group", bargap=0.3)
    fig.update_yaxes(title_text=None, zeroline=True)
    return fig


# -- what moved ------------------------------------------------------------------------


def what_moved(frame: pl.DataFrame, *, metric: str, top: int = 10) -> go.Figure:
    """Largest changes versus the previous period, significant ones coloured.

    Reads ``group``, ``kind``, ``value``, ``previous``, ``delta``, ``p``,
    ``significant``; keeps the service's order (significant first, then |delta|).
    """
    label = METRIC_SHORT.get(metric, metric)
    title = f"What moved: {label} change vs previous period"
    data = frame.filter(pl.col("delta").is_not_null()) if "delta" in frame.columns else frame
    if data.is_empty():
        return empty_figure(title, "No comparable previous period")
    data = data.head(top)
    kinds = set(_column(data, "kind"))
    names = [  # the kind only when groups of several kinds share the chart
        str(g) if len(kinds) == 1 else f"{g} ({str(k).replace('_', ' ')})"
        for g, k in zip(_column(data, "group"), _column(data, "kind"), strict=True)
    ]
    deltas = _column(data, "delta")
    sig = _column(data, "significant")
    colours = [
        (GOOD if d >= 0 else BAD) if s else NEUTRAL for d, s in zip(deltas, sig, strict=True)
    ]
    fig = _figure(title, height=max(260, 70 + 30 * data.height))
    fig.add_trace(
        go.Bar(
            y=names,
            x=deltas,
            orientation="h",
            marker=dict(color=colours),
            text=[
                fmt_score(d, signed=True) + (" *" if s else "")
                for d, s in zip(deltas, sig, strict=True)
            ],
            textposition="outside",
            cliponaxis=False,
            customdata=list(
                zip(
                    [_format_metric(metric, v) for v in _column(data, "previous")],
                    [_format_metric(metric, v) for v in _column(data, "value")],
                    ["significant" if s else "not significant" for s in sig],
                    [fmt_p(p) for p in _column(data, "p")],
                    strict=True,
                )
            ),
            hovertemplate=(
                "<b>%{y}</b><br>%{customdata[0]} → %{customdata[1]}<br>"
                "%{customdata[2]} (%{customdata[3]})<extra></extra>"
            ),
        )
    )
    fig.update_yaxes(autorange="reversed", title_text=None)
    # room for the labels outside the bars on both sides
    low, high = min(0.0, *deltas), max(0.0, *deltas)
    pad = 0.25 * (high - low or 1.0)
    fig.update_xaxes(
        title_text=f"change in {label} (* = significant)", zeroline=True, zerolinecolor="#6B7075",
        range=[low - (pad if low < 0 else 0), high + (pad if high > 0 else 0)],
    )  # fmt: skip
    return fig
