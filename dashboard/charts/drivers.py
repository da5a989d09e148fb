"""Key drivers of NPS: the importance × performance quadrant and the ranked bars.

Both read the table of ``dashboard.why.key_drivers``: one row per touchpoint with its
importance (share of the explained NPS variance, %), its bootstrap 95% interval, the
direction of its effect, its current CSAT and CSAT target, and R².

- The quadrant puts importance across (the dashed line is an equal share, 100 / number
  of touchpoints) and CSAT against target up (the line is the target): high
  importance and under target is the corner to **fix first**, labelled, with the
  touchpoint to fix first in vermillion.
- The ranked bars show each importance with its interval, most important first.

A touchpoint whose higher CSAT goes with a lower NPS (direction -1) is drawn hollow /
hatched: its importance is real, but it does not say "improve this to raise NPS".
"""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from dashboard.charts.base import _figure, empty_figure
from dashboard.charts.theme import BAD, LOW_N, PRIMARY
from dashboard.i18n import _
from dashboard.i18n.formats import fmt_int, fmt_number, fmt_pct, plotly_layout
from dashboard.metrics.drivers import fix_first, gap_to_target

FIX_FIRST_FILL = "rgba(213,94,0,0.08)"


def quadrant_title() -> str:
    return _("Key drivers of NPS: importance against CSAT target")


def ranked_title() -> str:
    return _("Key drivers of NPS, ranked: share of the explained variance")


def _r2_words(frame: pl.DataFrame) -> str:
    return _("R² {r2} · {customers} customers").format(
        r2=fmt_number(frame["r2"][0], 2), customers=fmt_int(frame["customers"][0])
    )


def _add_r2_note(fig: go.Figure, frame: pl.DataFrame) -> None:
    """R² and the customers behind it, top right above the plot (the title stays plain
    text: exports escape it)."""
    fig.add_annotation(
        text=_r2_words(frame), xref="paper", yref="paper", x=1, y=1.02, xanchor="right",
        yanchor="bottom", showarrow=False, font=dict(size=12, color="#6B7075"),
    )  # fmt: skip


def _interval(row: dict) -> str:
    if row["ci_low"] is None or row["ci_high"] is None:
        return _("no interval")
    return _("95% interval {low}–{high}%").format(
        low=fmt_number(row["ci_low"], 0), high=fmt_number(row["ci_high"], 0)
    )


def _hover(row: dict, performance: str) -> str:
    lines = [
        f"<b>{row['touchpoint']}</b>",
        _("Importance {importance} ({interval})").format(
            importance=fmt_pct(row["importance"]), interval=_interval(row)
        ),
        performance,
        _("{n} customers with both scores").format(n=fmt_int(row["n"])),
    ]
    if row["direction"] < 0:
        lines.append(_("Higher CSAT here goes with a lower NPS"))
    return "<br>".join(lines)


def _performance(row: dict) -> str:
    if row["csat"] is None:
        return _("CSAT hidden (too few responses)")
    if row["target_csat"] is None:
        return _("CSAT {csat} (no target)").format(csat=fmt_pct(row["csat"]))
    return _("CSAT {csat} against a target of {target}").format(
        csat=fmt_pct(row["csat"]), target=fmt_pct(row["target_csat"])
    )


# Where a label may go, in pixels from its dot (right, up): near first, then further out.
_LABEL_SPOTS = (
    (0, 16), (0, -16), (44, 0), (-44, 0), (34, 20), (-34, 20), (34, -20), (-34, -20),
    (0, 34), (0, -34), (60, 30), (-60, 30), (60, -30), (-60, -30), (0, 52), (0, -52),
)  # fmt: skip
# The plot area the placement assumes (the dashboard's half-width chart; larger renders
# only spread the dots further apart).
_PLOT_PX = (440.0, 300.0)


def _label_offsets(
    points: list[tuple[float, float, str]],
    x_range: tuple[float, float],
    y_range: tuple[float, float],
) -> list[tuple[int, int]]:
    """A label position per dot, greedily, most important first: the first spot whose
    text box overlaps no label placed before and no dot (dots are what crowd a quadrant:
    touchpoints of little importance sit together)."""
    width, height = _PLOT_PX

    def to_px(x: float, y: float) -> tuple[float, float]:
        return (
            (x - x_range[0]) / ((x_range[1] - x_range[0]) or 1) * width,
            (y - y_range[0]) / ((y_range[1] - y_range[0]) or 1) * height,
        )

    dots = [to_px(x, y) for x, y, _text in points]
    boxes: list[tuple[float, float, float, float]] = [
        (px - 8, py - 8, px + 8, py + 8) for px, py in dots
    ]
    offsets: dict[int, tuple[int, int]] = {}
    for index in sorted(range(len(points)), key=lambda i: -points[i][0]):
        px, py = dots[index]
        half_w, half_h = 3.6 * len(points[index][2]) + 3, 8
        own = boxes[index]
        for dx, dy in _LABEL_SPOTS:
            cx, cy = px + dx, py + dy
            box = (cx - half_w, cy - half_h, cx + half_w, cy + half_h)
            inside = box[0] >= 0 and box[2] <= width and box[1] >= 0 and box[3] <= height
            if inside and not any(_overlaps(box, other) for other in boxes if other is not own):
                break
        offsets[index] = (dx, dy)
        boxes.append(box)
    return [offsets[i] for i in range(len(points))]


def _overlaps(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def quadrant(frame: pl.DataFrame, *, title: str | None = None) -> go.Figure:
    """Importance (x, %) against CSAT minus its target (y, points), one dot per touchpoint.

    Reads ``touchpoint``, ``importance``, ``ci_low``, ``ci_high``, ``direction``, ``n``,
    ``csat``, ``target_csat``, ``r2``, ``customers``. Touchpoints without a target are
    placed against the average CSAT of the drivers (said in the hover); those whose
    CSAT is hidden have no height and are left out (they stay in the ranked bars).
    """
    title = title or quadrant_title()
    data = frame.filter(pl.col("importance").is_not_null()) if not frame.is_empty() else frame
    if data.is_empty():
        return empty_figure(title, _("Too few customers with both an NPS and a CSAT score"))
    rows = data.to_dicts()
    shown = [r for r in rows if r["csat"] is not None]
    average = sum(r["csat"] for r in shown) / len(shown) if shown else 0.0
    fix = fix_first(data)
    fig = _figure(title, height=460)
    _add_r2_note(fig, data)
    heights = []
    for r in shown:
        gap = gap_to_target(r)
        heights.append(-gap if gap is not None else r["csat"] - average)
    equal_share = 100 / len(rows)
    high_x = max([equal_share * 2] + [(r["ci_high"] or r["importance"]) for r in rows]) * 1.08
    reach = max([5.0] + [abs(h) for h in heights]) * 1.35
    fig.add_shape(type="rect", x0=equal_share, x1=high_x, y0=-reach, y1=0,
                  fillcolor=FIX_FIRST_FILL, line_width=0, layer="below")  # fmt: skip
    fig.add_vline(x=equal_share, line=dict(color="#9AA0A6", dash="dash", width=1))
    fig.add_hline(y=0, line=dict(color="#9AA0A6", width=1))
    corners = (
        (high_x, -reach, "right", "bottom", _("Fix first"), BAD),
        (high_x, reach, "right", "top", _("Keep it up"), "#6B7075"),
        (0, -reach, "left", "bottom", _("Low priority"), "#6B7075"),
        (0, reach, "left", "top", _("Possible overkill"), "#6B7075"),
    )
    for x, y, xanchor, yanchor, text, colour in corners:
        fig.add_annotation(x=x, y=y, xanchor=xanchor, yanchor=yanchor, showarrow=False,
                           text=f"<b>{text}</b>", font=dict(color=colour, size=12))  # fmt: skip
    colours = [BAD if fix is not None and r["touchpoint"] == fix["touchpoint"] else PRIMARY
               for r in shown]  # fmt: skip
    fig.add_trace(
        go.Scatter(
            x=[r["importance"] for r in shown],
            y=heights,
            mode="markers",
            marker=dict(
                size=14, color=colours, line=dict(color=colours, width=2),
                symbol=["circle" if r["direction"] > 0 else "circle-open" for r in shown],
            ),
            error_x=dict(
                type="data", symmetric=False, color="#9AA0A6", thickness=1.2, width=3,
                array=[(r["ci_high"] - r["importance"]) if r["ci_high"] is not None else 0
                       for r in shown],
                arrayminus=[(r["importance"] - r["ci_low"]) if r["ci_low"] is not None else 0
                            for r in shown],
            ),
            customdata=[r["touchpoint"] for r in shown],
            hovertext=[
                _hover(r, _performance(r) if r["target_csat"] is not None else
                       _performance(r) + " · " + _("placed against the average CSAT"))
                for r in shown
            ],
            hovertemplate="%{hovertext}<extra></extra>",
            showlegend=False,
            cliponaxis=False,
        )
    )  # fmt: skip
    points = [(r["importance"], h, r["touchpoint"]) for r, h in zip(shown, heights, strict=True)]
    for (x, y, text), (dx, dy) in zip(
        points, _label_offsets(points, (0, high_x), (-reach, reach)), strict=True
    ):
        fig.add_annotation(
            x=x, y=y, text=text, ax=dx, ay=-dy, showarrow=True, arrowwidth=1,
            arrowcolor="#B8BEC4", arrowhead=0, standoff=8, font=dict(size=12),
        )  # fmt: skip
    fig.update_xaxes(title_text=_("Importance: share of the explained NPS variance (%)"),
                     range=[0, high_x], ticksuffix="%", showgrid=False)  # fmt: skip
    fig.update_yaxes(title_text=_("CSAT against target (points)"), range=[-reach, reach],
                     zeroline=False)  # fmt: skip
    fig.update_layout(margin=dict(t=80), **plotly_layout())
    return fig


def ranked(frame: pl.DataFrame, *, title: str | None = None) -> go.Figure:
    """One bar per touchpoint, most important first, with its bootstrap 95% interval.

    Reads ``touchpoint``, ``importance``, ``ci_low``, ``ci_high``, ``direction``, ``n``,
    ``csat``, ``target_csat``, ``r2``, ``customers``. The touchpoint to fix first (see
    :func:`dashboard.metrics.drivers.fix_first`) is vermillion; a touchpoint with a
    negative direction is hatched grey.
    """
    title = title or ranked_title()
    data = frame.filter(pl.col("importance").is_not_null()) if not frame.is_empty() else frame
    if data.is_empty():
        return empty_figure(title, _("Too few customers with both an NPS and a CSAT score"))
    rows = data.sort("importance", descending=True).to_dicts()
    fix = fix_first(data)

    def colour(r: dict) -> str:
        if r["direction"] < 0:
            return LOW_N
        return BAD if fix is not None and r["touchpoint"] == fix["touchpoint"] else PRIMARY

    fig = _figure(title, height=max(300, 110 + 40 * len(rows)))
    _add_r2_note(fig, data)
    fig.add_trace(
        go.Bar(
            y=[r["touchpoint"] for r in rows],
            x=[r["importance"] for r in rows],
            orientation="h",
            marker=dict(color=[colour(r) for r in rows],
                        pattern=dict(shape=["/" if r["direction"] < 0 else "" for r in rows])),
            error_x=dict(
                type="data", symmetric=False, color="#444", thickness=1.3, width=4,
                array=[(r["ci_high"] - r["importance"]) if r["ci_high"] is not None else 0
                       for r in rows],
                arrayminus=[(r["importance"] - r["ci_low"]) if r["ci_low"] is not None else 0
                            for r in rows],
            ),
            customdata=[r["touchpoint"] for r in rows],
            hovertext=[_hover(r, _performance(r)) for r in rows],
            hovertemplate="%{hovertext}<extra></extra>",
            showlegend=False,
        )
    )  # fmt: skip
    # The share beside each bar, past its whisker (text on the bar would sit under it).
    fig.add_trace(
        go.Scatter(
            y=[r["touchpoint"] for r in rows],
            x=[r["ci_high"] if r["ci_high"] is not None else r["importance"] for r in rows],
            mode="text",
            text=["  " + fmt_number(r["importance"], 0) + "%" for r in rows],
            textposition="middle right",
            hoverinfo="skip",
            showlegend=False,
            cliponaxis=False,
        )
    )
    top = max((r["ci_high"] or r["importance"]) for r in rows)
    fig.update_yaxes(autorange="reversed", title_text=None)
    fig.update_xaxes(title_text=_("Share of the explained NPS variance (%), 95% interval"),
                     range=[0, top * 1.18], ticksuffix="%")  # fmt: skip
    fig.update_layout(margin=dict(t=80), bargap=0.35, **plotly_layout())
    return fig
