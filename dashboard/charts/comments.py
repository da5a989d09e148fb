"""What customers say, drawn: sentiment per touchpoint x group, themes per touchpoint, theme
trends.

Pure: frames of :mod:`dashboard.text.service` in, plotly figures out. Wherever the
lexicon produced any of the sentiment shown (the frame's ``source`` is ``baseline``), the
title says so: it is a baseline, not a model trained on the business's labels.
"""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from dashboard.charts.base import _column, _figure, _flag, date_axis, empty_figure
from dashboard.charts.formats import fmt_int, fmt_pct, fmt_score
from dashboard.charts.heatmap import heatmap, text_colour
from dashboard.charts.labels import dimension_noun
from dashboard.charts.theme import BAD, DIVERGING, GOOD, LOW_N, NEUTRAL, PALETTE
from dashboard.i18n import N_, _

SENTIMENT_LABELS = {
    "negative": N_("Negative"),
    "neutral": N_("Neutral"),
    "positive": N_("Positive"),
}
SENTIMENT_COLOURS = {"negative": BAD, "neutral": NEUTRAL, "positive": GOOD}
# Where a comment's sentiment comes from (comment_facts.sentiment_source).
SOURCE_LABELS = {
    "label": N_("labelled by a person"),
    "model": N_("model"),
    "baseline": N_("baseline"),
}
# The default taxonomy's theme names (dashboard/text/themes.toml), in words people read.
# A business's own names are shown as they wrote them.
THEME_LABELS = {
    "delivery": N_("Delivery"),
    "packaging": N_("Packaging"),
    "price": N_("Price"),
    "promotions": N_("Promotions and loyalty"),
    "product_quality": N_("Product quality"),
    "stock": N_("Stock and availability"),
    "staff_service": N_("Staff and service"),
    "support": N_("Call centre and support"),
    "app_website": N_("App and website"),
    "payment": N_("Payment and billing"),
    "returns_refunds": N_("Returns, exchanges and refunds"),
    "store": N_("Store"),
    "waiting_time": N_("Waiting time"),
}
SCORES = {"net": "sentiment", "negative": "negative"}  # score -> heatmap metric
MAX_TREND_THEMES = 6  # more lines than this cannot be told apart


def sentiment_label(value: str | None) -> str:
    """negative / neutral / positive in words ('' while a comment is not analysed)."""
    return _(SENTIMENT_LABELS[value]) if value in SENTIMENT_LABELS else ""


def source_label(value: str | None) -> str:
    """label / model / baseline in words."""
    return _(SOURCE_LABELS[value]) if value in SOURCE_LABELS else ""


def theme_label(theme: str, label: str | None = None) -> str:
    """A theme's name: the default taxonomy's in the current language, else as written."""
    default = THEME_LABELS.get(theme)
    if default is not None and (label is None or label == default):
        return _(default)
    return label or theme


def with_basis(title: str, source: str | None) -> str:
    """``title``, marked when the lexicon baseline produced the sentiment."""
    if source == "baseline":
        return _("{title} (baseline sentiment: lexicon, no trained model)").format(title=title)
    return title


def _source(frame: pl.DataFrame) -> str | None:
    values = [v for v in _column(frame, "source") if v]
    return values[0] if values else None


def sentiment_title(score: str, by: str, source: str | None = None) -> str:
    """``Net sentiment by touchpoint and segment`` (marked when it is the baseline)."""
    if score == "negative":
        words = _("% negative comments by touchpoint and {dimension}")
    else:
        words = _("Net sentiment by touchpoint and {dimension}")
    return with_basis(words.format(dimension=dimension_noun(by)), source)


def sentiment_heatmap(
    frame: pl.DataFrame,
    *,
    by: str,
    score: str = "net",
    title: str | None = None,
    selected: tuple[str, str] | None = None,
) -> go.Figure:
    """Net sentiment (``score='net'``, -100..100, centred on 0) or the share of negative
    comments (``'negative'``, centred on the average; blue = fewer negatives) per
    touchpoint x group, with the heatmap's marks (▲/▼ significant, grey low n, blank n<5).

    Reads the columns of ``dashboard.text.service.sentiment_cells``.
    """
    if score not in SCORES:
        raise ValueError(f"score must be one of {', '.join(SCORES)}, not {score!r}")
    fig = heatmap(frame, metric=SCORES[score], by=by, title=title, selected=selected)
    if title is None:  # the heatmap's own title says what the colours are centred on
        fig.update_layout(title_text=with_basis(fig.layout.title.text, _source(frame)))
    return fig


def _cell_text_colour(net: float | None, low: float | None) -> str:
    """Grey on a low-sample cell; else dark or white, whichever reads on the cell's colour
    (net sentiment on the -100..100 scale)."""
    return "#6B7075" if low is not None else text_colour(net, 100.0)


def _grid(rows: int, columns: int, fill=None) -> list[list]:
    return [[fill] * columns for _ in range(rows)]


def themes_title(source: str | None = None) -> str:
    return with_basis(_("Themes by touchpoint: share of comments and their sentiment"), source)


def theme_touchpoints(frame: pl.DataFrame, *, title: str | None = None) -> go.Figure:
    """Theme (rows) x touchpoint (columns): the cell's text is the share of the
    touchpoint's comments that carry the theme; its colour the net sentiment of those
    comments (blue positive, orange negative; grey under min_n; blank under 5).

    Reads theme, label, touchpoint, comments, total, share, net_sentiment, moe,
    share_negative, low_n, hidden, source.
    """
    title = title or themes_title(_source(frame))
    if frame.is_empty():
        return empty_figure(title)
    pairs = zip(_column(frame, "theme"), _column(frame, "label"), strict=True)
    names = {t: theme_label(t, lab) for t, lab in pairs}
    # Most talked-about theme on top.
    order = (
        frame.group_by("theme").agg(pl.col("comments").sum()).sort(["comments", "theme"],
                                                                    descending=[False, True])
    )["theme"].to_list()  # fmt: skip
    touchpoints = sorted({str(t) for t in _column(frame, "touchpoint")})
    yi = {t: i for i, t in enumerate(order)}
    xi = {t: i for i, t in enumerate(touchpoints)}
    z = _grid(len(order), len(touchpoints))
    z_low = _grid(len(order), len(touchpoints))
    text = _grid(len(order), len(touchpoints), "")
    hover = _grid(len(order), len(touchpoints), "")
    rows = zip(
        _column(frame, "theme"), _column(frame, "touchpoint"), _column(frame, "comments"),
        _column(frame, "total"), _column(frame, "share"), _column(frame, "net_sentiment"),
        _column(frame, "moe"), _column(frame, "share_negative"), _flag(frame, "low_n"),
        _flag(frame, "hidden"), strict=True,
    )  # fmt: skip
    for theme, tp, n, total, share, net, moe, negative, low, hidden in rows:
        r, c = yi[theme], xi[str(tp)]
        text[r][c] = "n<5" if hidden else (fmt_pct(share) if share is not None else "")
        if not hidden and net is not None:
            if low:
                z_low[r][c] = 0.0
            else:
                z[r][c] = net
        lines = [
            f"<b>{names[theme]} × {tp}</b>",
            _("{n} of {total} comments ({share})").format(
                n=fmt_int(n), total=fmt_int(total), share=fmt_pct(share)
            ),
        ]
        if hidden or net is None:
            lines.append(_("sentiment hidden (n<5)"))
        else:
            lines.append(
                _("net sentiment {value} ± {moe}").format(value=fmt_score(net), moe=fmt_score(moe))
            )
            lines.append(_("negative: {share}").format(share=fmt_pct(negative)))
            if low:
                lines.append(_("(low sample)"))
        hover[r][c] = "<br>".join(lines)
    shown = [names[t] for t in order]
    fig = _figure(title, height=max(340, 70 + 34 * len(order)))
    fig.add_trace(
        go.Heatmap(
            x=touchpoints, y=shown, z=z, zmid=0, zmin=-100, zmax=100, colorscale=DIVERGING,
            xgap=3, ygap=3, text=hover, hovertemplate="%{text}<extra></extra>",
            colorbar=dict(title=dict(text=_("Net sentiment"), side="right"), thickness=12,
                          len=0.8, tickformat="+.0f"),
        )
    )  # fmt: skip
    fig.add_trace(
        go.Heatmap(
            x=touchpoints, y=shown, z=z_low, colorscale=[[0, "#E6E8EB"], [1, "#E6E8EB"]],
            xgap=3, ygap=3, hoverinfo="skip", showscale=False,
        )
    )  # fmt: skip
    fig.update_layout(
        annotations=[
            dict(x=touchpoints[c], y=shown[r], text=text[r][c], showarrow=False,
                 font=dict(size=12, color=_cell_text_colour(z[r][c], z_low[r][c])))
            for r in range(len(order)) for c in range(len(touchpoints)) if text[r][c]
        ]
    )  # fmt: skip
    fig.update_xaxes(side="bottom", showline=False, ticks="",
                     tickangle=-30 if len(touchpoints) > 6 else 0)  # fmt: skip
    fig.update_yaxes(showgrid=False, ticks="")
    return fig


def theme_trend_title(grain: str, source: str | None = None) -> str:
    words = {
        "day": _("Share of comments per theme by day"),
        "week": _("Share of comments per theme by week"),
        "month": _("Share of comments per theme by month"),
    }
    return with_basis(words.get(grain, words["month"]), source)


def theme_trend(
    frame: pl.DataFrame, *, grain: str = "month", title: str | None = None
) -> go.Figure:
    """One line per theme: the share (%) of the period's analysed comments that carry it
    (the ``MAX_TREND_THEMES`` most frequent themes; grey markers under min_n).

    Reads period, theme, label, comments, total, share, net_sentiment, low_n, source.
    """
    title = title or theme_trend_title(grain, _source(frame))
    if frame.is_empty():
        return empty_figure(title)
    top = (
        frame.group_by("theme").agg(pl.col("comments").sum())
        .sort(["comments", "theme"], descending=[True, False])["theme"].head(MAX_TREND_THEMES)
    ).to_list()  # fmt: skip
    fig = _figure(title)
    hover_x = date_axis(fig, _column(frame, "period"), grain)
    for i, theme in enumerate(top):
        part = frame.filter(pl.col("theme") == theme).sort("period")
        name = theme_label(theme, _column(part, "label")[0])
        colour = PALETTE[i % len(PALETTE)]
        low = _flag(part, "low_n")
        details = [
            _("{n} of {total} comments · net sentiment {net}").format(
                n=fmt_int(n), total=fmt_int(total),
                net=_("hidden (n<5)") if net is None else fmt_score(net),
            )
            for n, total, net in zip(_column(part, "comments"), _column(part, "total"),
                                     _column(part, "net_sentiment"), strict=True)
        ]  # fmt: skip
        fig.add_trace(
            go.Scatter(
                x=_column(part, "period"), y=_column(part, "share"), mode="lines+markers",
                name=name, line=dict(color=colour, width=2),
                marker=dict(size=7, color=[LOW_N if lo else colour for lo in low]),
                customdata=details,
                hovertemplate=f"<b>{name}</b><br>{hover_x}: %{{y:.1f}}%<br>%{{customdata}}"
                "<extra></extra>",
            )
        )  # fmt: skip
    fig.update_yaxes(title_text=_("% of comments"), rangemode="tozero")
    if frame["theme"].n_unique() > len(top):
        fig.add_annotation(
            text=_("the {n} most frequent themes").format(n=len(top)), showarrow=False,
            xref="paper", yref="paper", x=0, y=1.0, yanchor="bottom", xanchor="left",
            font=dict(size=11, color="#6B7075"),
        )  # fmt: skip
    return fig


def sentiment_mix(frame: pl.DataFrame, *, title: str | None = None) -> go.Figure:
    """Stacked bars of negative / neutral / positive comments per theme (overall).

    Reads theme, label, comments, negative, neutral, positive, source.
    """
    title = title or with_basis(_("Sentiment of the comments on each theme"), _source(frame))
    if frame.is_empty():
        return empty_figure(title)
    data = frame.sort(["comments", "theme"], descending=[False, True])
    pairs = zip(_column(data, "theme"), _column(data, "label"), strict=True)
    names = [theme_label(t, lab) for t, lab in pairs]
    fig = _figure(title, height=max(320, 70 + 28 * data.height))
    for sentiment in ("negative", "neutral", "positive"):
        fig.add_trace(
            go.Bar(
                y=names, x=_column(data, sentiment), orientation="h",
                name=sentiment_label(sentiment), marker_color=SENTIMENT_COLOURS[sentiment],
                hovertemplate="%{y}: %{x:,} " + _("comments") + "<extra></extra>",
            )
        )  # fmt: skip
    fig.update_layout(barmode="stack")
    fig.update_xaxes(title_text=_("Comments"))
    return fig
