"""The ordered funnel: one funnel, or overall conversion per group."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from dashboard.charts.base import _column, _figure, empty_figure
from dashboard.charts.formats import fmt_int, fmt_pct, fmt_seconds
from dashboard.charts.theme import PALETTE, PRIMARY


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
