"""KPI sparklines, the NPS trend with its margin of error, and the promoter mix."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from dashboard.charts.base import _column, _figure, _flag, date_axis, empty_figure, legend_below
from dashboard.charts.formats import fmt_int
from dashboard.charts.labels import group_label
from dashboard.charts.theme import (
    BAND_COLOURS,
    BAND_FILL,
    LOW_N,
    NEUTRAL,
    PRIMARY,
    group_colours,
    group_order,
)
from dashboard.i18n import N_, _

# The promoter mix's bands: legend names and the words in hover text.
BANDS = {
    "detractors": (N_("Detractors"), N_("detractors")),
    "passives": (N_("Passives"), N_("passives")),
    "promoters": (N_("Promoters"), N_("promoters")),
}


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
    title: str | None = None,
    grain: str = "month",
) -> go.Figure:
    """NPS per period with its 95% MoE band; lines per group when ``by`` is given.

    Reads ``period``, [``by``], ``n``, ``nps``, ``moe``, ``low_n``. Low-n points are
    drawn as grey markers; points without a value (privacy) are gaps. ``target``
    draws a dashed horizontal line (one touchpoint's target NPS). ``grain`` (day, week,
    month) says how dates are written on the axis and in the hover.
    """
    title = title if title is not None else _("NPS over time with 95% margin of error")
    if frame.is_empty() or frame.get_column("nps").drop_nulls().is_empty():
        return empty_figure(title)
    fig = _figure(title, height=400)
    when = date_axis(fig, _column(frame, "period"), grain)
    groups = (
        [(None, frame)]
        if by is None
        else [(key[0], part) for key, part in frame.group_by(by, maintain_order=True)]
    )
    if by is not None:
        order = group_order([name for name, _part in groups])
        groups.sort(key=lambda pair: order.index(pair[0]))
    colours = group_colours([name for name, _part in groups]) if by is not None else {}
    for name, part in groups:
        part = part.sort("period")
        colour = colours.get(name, PRIMARY)
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
                    name=_("95% margin of error"),
                )
            )
        low = _flag(part, "low_n")
        label = "NPS" if name is None else group_label(name)
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
                    zip(
                        _column(part, "n"),
                        moe,
                        [_("low n") if lo else "" for lo in low],
                        strict=True,
                    )
                ),
                hovertemplate=(
                    ("" if name is None else f"<b>{label}</b><br>")
                    + f"{when}<br>NPS %{{y:.1f}} ± %{{customdata[1]:.1f}}<br>"
                    "n = %{customdata[0]:,} %{customdata[2]}<extra></extra>"
                ),
            )
        )
    if target is not None:
        fig.add_hline(
            y=target,
            line=dict(color="#6B7075", dash="dash", width=1.5),
            annotation_text=_("target {value}").format(value=fmt_int(target)),
            annotation_position="top left",
        )
    fig.update_yaxes(title_text=_("NPS (−100 to 100)"), zeroline=True)
    fig.update_xaxes(title_text=None)
    fig.update_layout(hovermode="closest")
    if by is not None:  # one entry per group: many rows
        legend_below(fig)
    return fig


def nps_mix(frame: pl.DataFrame, title: str | None = None, grain: str = "month") -> go.Figure:
    """Stacked shares (0–100) of promoters, passives and detractors per period.

    Reads ``period``, ``n``, ``promoters``, ``passives``, ``detractors`` (counts) and,
    when present, ``low_n``. Periods without scored responses are left out.
    """
    title = title if title is not None else _("Promoters, passives and detractors")
    if frame.is_empty():
        return empty_figure(title)
    data = frame.filter(pl.col("n") > 0)
    if "nps" in data.columns:  # a period whose score is hidden (privacy) hides its mix too
        data = data.filter(pl.col("nps").is_not_null())
    data = data.sort("period")
    if data.is_empty():
        return empty_figure(title)
    fig = _figure(title, height=320)
    when = date_axis(fig, _column(data, "period"), grain)
    n = _column(data, "n")
    for band, (legend, word) in BANDS.items():
        counts = _column(data, band)
        shares = [
            100.0 * c / t if c is not None and t else None for c, t in zip(counts, n, strict=True)
        ]
        fig.add_trace(
            go.Bar(
                x=_column(data, "period"),
                y=shares,
                name=_(legend),
                marker=dict(color=BAND_COLOURS[band]),
                customdata=counts,
                hovertemplate=(
                    f"{when}<br>{_(word)}: %{{y:.1f}}% (%{{customdata:,}})<extra></extra>"
                ),
            )
        )
    # room above the plot for the legend, which takes two rows in a narrow column
    fig.update_layout(barmode="stack", bargap=0.15, margin_t=80)
    fig.update_yaxes(title_text=_("share of scored responses"), ticksuffix="%", range=[0, 100])
    return fig
