"""The ordered funnel: one funnel, or overall conversion per group."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from dashboard.charts.base import _column, _figure, empty_figure, legend_below
from dashboard.charts.formats import fmt_int, fmt_pct, fmt_seconds
from dashboard.charts.labels import dimension_noun, group_label, step_label
from dashboard.charts.theme import PRIMARY, group_colours, group_order
from dashboard.i18n import _


def funnel(frame: pl.DataFrame, *, by: str | None = None, title: str | None = None) -> go.Figure:
    """The ordered funnel: customers reaching each step.

    Without ``by``: one funnel whose bars show customers, step conversion and
    overall conversion. With ``by``: overall conversion per step, one line per group
    (which group loses customers where). Reads ``step``, ``position``, ``customers``,
    ``conversion_from_previous``, ``conversion_overall``, ``dropoff``,
    ``median_seconds_from_previous`` and [``by``].
    """
    title = title or (
        _("Customers reaching each funnel step")
        if by is None
        else _("Overall conversion by step, per {dimension}").format(dimension=dimension_noun(by))
    )
    if frame.is_empty() or not any(_column(frame, "customers")):
        return empty_figure(title)
    fig = _figure(title, height=420)
    if by is None:
        data = frame.sort("position")
        counts = [c or 0 for c in _column(data, "customers")] or [0]
        step_conv = _column(data, "conversion_from_previous")
        overall = _column(data, "conversion_overall")
        of_entry = _("{share} of entry")
        texts = [
            fmt_int(c) + ("" if i == 0 or o is None else " · " + of_entry.format(share=fmt_pct(o)))
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
                cliponaxis=False,  # a label beside a narrow bar may reach into the margin
                marker=dict(color=PRIMARY),
                connector=dict(fillcolor="#DCE9F5", line=dict(width=0)),
                customdata=custom,
                hovertemplate="<br>".join(
                    [
                        "<b>%{y}</b>",
                        _("{n} customers").format(n="%{x:,}"),
                        _("step conversion {share}").format(share="%{customdata[0]}"),
                        _("overall {share}").format(share="%{customdata[1]}"),
                        _("drop-off {n}").format(n="%{customdata[2]}"),
                        _("median time from previous step {duration}").format(
                            duration="%{customdata[3]}"
                        ),
                    ]
                )
                + "<extra></extra>",
            )
        )
        fig.update_yaxes(title_text=None)
        # room on the right for the labels beside the narrow bars (longer in Vietnamese)
        outside = [len(t) for t, c in zip(texts, counts, strict=False) if c < 0.4 * max(counts)]
        if outside:
            fig.update_layout(margin=dict(r=max(10, 6 * max(outside) - 60)))
        return fig
    parts = {key[0]: part for key, part in frame.group_by(by, maintain_order=True)}
    colours = group_colours(group_order(parts))
    for group in group_order(parts):
        key, part = (group,), parts[group].sort("position")
        colour = colours[group]
        fig.add_trace(
            go.Scatter(
                x=[step_label(s) for s in _column(part, "step")],
                y=_column(part, "conversion_overall"),
                mode="lines+markers",
                name=group_label(key[0]),
                line=dict(color=colour, width=2),
                customdata=list(
                    zip(
                        _column(part, "customers"),
                        [fmt_pct(v) for v in _column(part, "conversion_from_previous")],
                        strict=False,
                    )
                ),
                hovertemplate=f"<b>{group_label(key[0])}</b><br>%{{x}}: "
                + _("{share} of entry").format(share="%{y:.1f}%")
                + "<br>"
                + _("{n} customers, step {share}").format(
                    n="%{customdata[0]:,}", share="%{customdata[1]}"
                )
                + "<extra></extra>",
            )
        )
    fig.update_yaxes(title_text=_("% of customers entering"), ticksuffix="%", rangemode="tozero")
    fig.update_layout(hovermode="closest")
    legend_below(fig)
    return fig


__all__ = ["funnel", "step_label"]
