"""The funnel joined with satisfaction: converted vs dropped customers' score at each step.

One panel per funnel step (2..k) side by side, one row per touchpoint (all touchpoints
together first): a dumbbell from the score of the customers who reached the step
(blue dot) to that of those who dropped there (vermillion diamond), each with its 95%
margin of error as whiskers. A significant gap (Benjamini–Hochberg q ≤ 0.05) is drawn
dark and thick and marked with its difference; a side under ``min_n`` responses is
grey; a side under the privacy threshold has no value and is left out.
"""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl
from plotly.subplots import make_subplots

from dashboard.charts.base import _column, empty_figure
from dashboard.charts.funnel import step_label
from dashboard.charts.theme import BAD, GOOD, LOW_N, METRIC_SHORT, NEUTRAL, TEMPLATE
from dashboard.i18n import _
from dashboard.i18n.formats import fmt_int, fmt_pct, fmt_score, plotly_layout

ALL_TOUCHPOINTS = "(all)"  # as dashboard.metrics.funnel_satisfaction writes it
SELECTED_FILL = "rgba(0,114,178,0.07)"
GAP_COLOUR = "#262730"


def touchpoint_label(touchpoint: str) -> str:
    """A row's label: the touchpoint, or "All touchpoints" for the ``(all)`` rows."""
    return _("All touchpoints") if touchpoint == ALL_TOUCHPOINTS else str(touchpoint)


def default_title(metric: str) -> str:
    return _("{metric} of customers who converted vs dropped, at each funnel step").format(
        metric=METRIC_SHORT.get(metric, metric)
    )


def _value_text(metric: str, value: float | None) -> str:
    return fmt_pct(value) if metric == "csat" else fmt_score(value)


def _side_text(metric: str, value, moe, n, low_n: bool) -> str:
    """ "82.5 ± 2.1 (n = 1,234)" -- "hidden (n < 5)" without a value."""
    if value is None:
        return _("hidden (n = {n})").format(n=fmt_int(n or 0))
    text = _("{value} ± {moe} (n = {n})").format(
        value=_value_text(metric, value), moe=fmt_score(moe), n=fmt_int(n)
    )
    return text + (" · " + _("low sample") if low_n else "")


def funnel_satisfaction(
    frame: pl.DataFrame,
    *,
    metric: str = "nps",
    title: str | None = None,
    selected_step: str | None = None,
    selected_touchpoint: str | None = None,
) -> go.Figure:
    """Converted vs dropped at each step, per touchpoint (see the module doc).

    Reads ``step``, ``position``, ``touchpoint``, ``value_converted``,
    ``moe_converted``, ``n_converted``, ``low_n_converted``, ``value_dropped``,
    ``moe_dropped``, ``n_dropped``, ``low_n_dropped``, ``delta`` and ``significant``
    (the frame of ``dashboard.why.funnel_satisfaction``). ``selected_step`` shades its
    panel and ``selected_touchpoint`` its row. Every dot carries ``customdata`` =
    [step, touchpoint, side], so a click tells which step and touchpoint it was.
    """
    title = title or default_title(metric)
    if frame.is_empty():
        return empty_figure(title, _("No funnel steps to compare for these filters"))
    data = frame.sort("position")
    steps = list(dict.fromkeys(_column(data, "step")))
    touchpoints = [ALL_TOUCHPOINTS] + sorted(
        {str(t) for t in _column(data, "touchpoint")} - {ALL_TOUCHPOINTS}
    )
    labels = {t: touchpoint_label(t) for t in touchpoints}
    fig = make_subplots(
        rows=1,
        cols=len(steps),
        shared_yaxes=True,
        horizontal_spacing=0.025,
        subplot_titles=[_("→ {step}").format(step=step_label(s)) for s in steps],
    )
    for column, step in enumerate(steps, start=1):
        part = data.filter(pl.col("step") == step)
        _add_step(fig, part, column, metric, labels, first=column == 1)
        if step == selected_step:
            fig.add_shape(
                type="rect", xref=f"x{column if column > 1 else ''} domain", yref="paper",
                x0=0, x1=1, y0=0, y1=1, fillcolor=SELECTED_FILL, line_width=0, layer="below",
            )  # fmt: skip
    for annotation, step in zip(fig.layout.annotations, steps, strict=True):
        if step == selected_step:
            annotation.text = f"<b>{annotation.text}</b>"
    if selected_touchpoint in labels:
        fig.add_hrect(
            y0=len(touchpoints) - 1 - touchpoints.index(selected_touchpoint) - 0.45,
            y1=len(touchpoints) - 1 - touchpoints.index(selected_touchpoint) + 0.45,
            fillcolor="rgba(230,159,0,0.12)", line_width=0, layer="below", row="all", col="all",
        )  # fmt: skip
    fig.update_yaxes(
        categoryorder="array",
        categoryarray=[labels[t] for t in reversed(touchpoints)],
        range=[-0.6, len(touchpoints) - 0.4],
    )
    axis = (
        _("{metric} (% satisfied)").format(metric="CSAT")
        if metric == "csat"
        else (METRIC_SHORT.get(metric, metric))
    )
    fig.update_xaxes(
        matches="x", zeroline=metric == "nps", zerolinecolor="#D0D3D7",
        range=_value_range(data), ticksuffix="%" if metric == "csat" else "",
    )  # fmt: skip
    fig.update_xaxes(title_text=axis, row=1, col=(len(steps) + 1) // 2)
    fig.update_layout(
        template=TEMPLATE,
        title=dict(text=title),
        height=150 + 34 * len(touchpoints),
        hovermode="closest",
        legend=dict(orientation="h", yanchor="bottom", y=1.08, xanchor="right", x=1),
        margin=dict(t=96),
        **plotly_layout(),
    )
    return fig


def _value_range(data: pl.DataFrame) -> list[float] | None:
    """One x range for every panel: the values with their margins, and room on the right
    for the gap labels."""
    ends = []
    for side in ("converted", "dropped"):
        value, moe = pl.col(f"value_{side}"), pl.col(f"moe_{side}").fill_null(0)
        ends += data.select(
            (value - moe).min().alias("low"), (value + moe).max().alias("high")
        ).row(0)
    ends = [e for e in ends if e is not None]
    if not ends:
        return None
    low, high = min(ends), max(ends)
    span = (high - low) or 1.0
    return [low - 0.06 * span, high + 0.3 * span]


def _add_step(
    fig: go.Figure,
    part: pl.DataFrame,
    column: int,
    metric: str,
    labels: dict[str, str],
    *,
    first: bool,
) -> None:
    """One step's panel: gaps, then the converted and the dropped dots."""
    rows = [r for r in part.iter_rows(named=True) if r["touchpoint"] in labels]
    gap_x, gap_y, strong_x, strong_y, marks = [], [], [], [], []
    for r in rows:
        if r["value_converted"] is None or r["value_dropped"] is None:
            continue
        label = labels[r["touchpoint"]]
        xs, ys = (strong_x, strong_y) if r["significant"] else (gap_x, gap_y)
        xs += [r["value_converted"], r["value_dropped"], None]
        ys += [label, label, None]
        if r["significant"]:
            marks.append(r)
    for xs, ys, colour, width in ((gap_x, gap_y, NEUTRAL, 2), (strong_x, strong_y, GAP_COLOUR, 4)):
        if xs:
            fig.add_trace(
                go.Scatter(x=xs, y=ys, mode="lines", line=dict(color=colour, width=width),
                           hoverinfo="skip", showlegend=False),
                row=1, col=column,
            )  # fmt: skip
    for side, colour, symbol, name in (
        ("converted", GOOD, "circle", _("Converted (reached the step)")),
        ("dropped", BAD, "diamond", _("Dropped (stopped before it)")),
    ):
        shown = [r for r in rows if r[f"value_{side}"] is not None]
        low = [bool(r[f"low_n_{side}"]) for r in shown]
        fig.add_trace(
            go.Scatter(
                x=[r[f"value_{side}"] for r in shown],
                y=[labels[r["touchpoint"]] for r in shown],
                mode="markers",
                name=name,
                legendgroup=side,
                showlegend=first,
                marker=dict(color=[LOW_N if lo else colour for lo in low], symbol=symbol,
                            size=11, line=dict(color="white", width=1)),
                error_x=dict(type="data", array=[r[f"moe_{side}"] or 0 for r in shown],
                             color="#9AA0A6", thickness=1.2, width=3),
                customdata=[[r["step"], r["touchpoint"], side] for r in shown],
                hovertext=[_hover(r, metric, labels) for r in shown],
                hovertemplate="%{hovertext}<extra></extra>",
            ),
            row=1, col=column,
        )  # fmt: skip
    if marks:
        fig.add_trace(
            go.Scatter(
                x=[max(r["value_converted"], r["value_dropped"]) for r in marks],
                y=[labels[r["touchpoint"]] for r in marks],
                mode="text",
                text=[f"  {fmt_score(r['delta'], signed=True)}*" for r in marks],
                textposition="middle right",
                textfont=dict(size=11, color=GAP_COLOUR),
                hoverinfo="skip",
                showlegend=False,
                cliponaxis=False,
            ),
            row=1, col=column,
        )  # fmt: skip


def _hover(row: dict, metric: str, labels: dict[str, str]) -> str:
    lines = [
        _("<b>{touchpoint}</b> at → {step}").format(
            touchpoint=labels[row["touchpoint"]], step=step_label(row["step"])
        ),
        _("Converted: {text}").format(
            text=_side_text(
                metric,
                row["value_converted"],
                row["moe_converted"],
                row["n_converted"],
                row["low_n_converted"],
            )
        ),  # fmt: skip
        _("Dropped: {text}").format(
            text=_side_text(
                metric,
                row["value_dropped"],
                row["moe_dropped"],
                row["n_dropped"],
                row["low_n_dropped"],
            )
        ),  # fmt: skip
    ]
    if row["delta"] is not None:
        verdict = _("significant") if row["significant"] else _("not significant")
        lines.append(
            _("Gap {delta} ({verdict})").format(
                delta=fmt_score(row["delta"], signed=True), verdict=verdict
            )
        )
    return "<br>".join(lines)
