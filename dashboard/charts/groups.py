"""Groups side by side: segment bars, two-group comparison, what moved."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from dashboard.charts.base import _column, _figure, _flag, empty_figure
from dashboard.charts.formats import _format_metric, fmt_int, fmt_pct, fmt_score, fmt_test, fmt_vnd
from dashboard.charts.labels import dimension_noun, group_label, metric_label
from dashboard.charts.theme import BAD, GOOD, LOW_N, METRIC_SHORT, NEUTRAL, PALETTE, PRIMARY
from dashboard.i18n import N_, _


def segment_bars(frame: pl.DataFrame, *, by: str, metric: str = "nps") -> go.Figure:
    """One bar per group of ``by`` with its 95% margin of error (NPS) — low-n grey.

    Reads ``by``, ``metric``, ``n_nps``, ``moe`` (for NPS) and ``low_n``.
    """
    label = METRIC_SHORT.get(metric, metric)
    words = (
        _("{metric} by {dimension} with 95% margin of error")
        if metric == "nps"
        else _("{metric} by {dimension}")
    )
    title = words.format(metric=label, dimension=dimension_noun(by))
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
            y=[group_label(v) for v in _column(data, by)],
            x=_column(data, metric),
            orientation="h",
            marker=dict(color=[LOW_N if lo else PRIMARY for lo in low]),
            error_x=error,
            customdata=list(
                zip(
                    _column(data, "n_nps"),
                    [_("low sample") if lo else "" for lo in low],
                    strict=True,
                )
            ),
            hovertemplate=(
                "<b>%{y}</b><br>%{x:.1f}<br>n = %{customdata[0]:,} %{customdata[1]}<extra></extra>"
            ),
        )
    )
    fig.update_yaxes(autorange="reversed", title_text=None)
    fig.update_xaxes(title_text=metric_label(metric), zeroline=True)
    return fig


# (column, label marked for translation: show it with _(), formatter)
COMPARE_METRICS = (
    ("customers", N_("Customers"), fmt_int),
    ("revenue", N_("Revenue"), fmt_vnd),
    ("orders", N_("Orders"), fmt_int),
    ("aov", N_("Average order value"), fmt_vnd),
    ("repeat_rate", N_("Repeat rate"), fmt_pct),
    ("nps", "NPS", fmt_score),
    ("csat", "CSAT", fmt_pct),
    ("ces", "CES", fmt_score),
    ("responses", N_("Responses"), fmt_int),
)


def compare_groups(frame: pl.DataFrame, *, by: str, a: str, b: str) -> go.Figure:
    """Two groups side by side on NPS (with MoE), CSAT and repeat rate.

    Reads ``by``, ``nps``, ``moe``, ``csat``, ``repeat_rate``, ``low_n``.
    """
    title = _("{a} vs {b}: NPS, CSAT and repeat rate").format(a=group_label(a), b=group_label(b))
    rows = {str(r[by]): r for r in frame.iter_rows(named=True)}
    if a not in rows or b not in rows:
        return empty_figure(title)
    fig = _figure(title, height=340)
    metrics = [("nps", "NPS"), ("csat", "CSAT %"), ("repeat_rate", _("Repeat rate %"))]
    for index, name in enumerate((a, b)):
        row = rows[name]
        colour = PALETTE[index]
        values = [row.get(m) for m, _ in metrics]
        fig.add_trace(
            go.Bar(
                x=[label for _, label in metrics],
                y=values,
                name=group_label(name) + (" " + _("(low sample)") if row.get("low_n") else ""),
                marker=dict(color=colour, opacity=0.45 if row.get("low_n") else 1),
                # whiskers without caps: only NPS has a margin, the other bars show nothing
                error_y=dict(
                    type="data", array=[row.get("moe"), 0, 0], color="#444", thickness=1.5, width=0
                ),
                text=[fmt_score(v) for v in values],
                textposition="outside",
                cliponaxis=False,
                hovertemplate=f"<b>{group_label(name)}</b><br>%{{x}}: %{{y:.1f}}<extra></extra>",
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
    title = _("What moved: {metric} change vs previous period").format(metric=label)
    data = frame.filter(pl.col("delta").is_not_null()) if "delta" in frame.columns else frame
    if data.is_empty():
        return empty_figure(title, _("No comparable previous period"))
    data = data.head(top)
    kinds = set(_column(data, "kind"))
    names = [  # the kind only when groups of several kinds share the chart
        group_label(g) if len(kinds) == 1 else f"{group_label(g)} ({dimension_noun(str(k))})"
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
                    [_("significant") if s else _("not significant") for s in sig],
                    [fmt_test(p) for p in _column(data, "p")],
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
        title_text=_("change in {metric} (* = significant)").format(metric=label),
        zeroline=True, zerolinecolor="#6B7075",
        range=[low - (pad if low < 0 else 0), high + (pad if high > 0 else 0)],
    )  # fmt: skip
    return fig
