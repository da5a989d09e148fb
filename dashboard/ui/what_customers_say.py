"""The "What customers say" page's parts: which themes the comments of each touchpoint carry
and with what sentiment, how the themes move over time, and sentiment per touchpoint x
group -- the registry's views (``dashboard.views.comments``) drawn with their charts.

Every view says where its sentiment comes from: its notes (the lexicon baseline) show as
a caption, and the charts' titles say "baseline" while no trained model is switched on.
"""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import access, charts, views
from dashboard.charts import comments as comment_charts
from dashboard.i18n import N_, _
from dashboard.ui.cache import run
from dashboard.ui.page import chart, friendly_errors, no_data, table
from dashboard.ui.tables import headers, number_column, text_column
from dashboard.ui.url_state import widget_value
from dashboard.views import Options
from queries.filters import Filters

GRAINS = {"week": N_("Week"), "month": N_("Month")}
SCORES = {"net": N_("Net sentiment"), "negative": N_("% negative comments")}
FEEDBACK_PAGE = "../pages/feedback.py"
THEME_FORMATS = {"comments": charts.fmt_int, "total": charts.fmt_int, "share": charts.fmt_pct,
                 "net_sentiment": charts.fmt_score, "share_negative": charts.fmt_pct,
                 "moe": charts.fmt_score}  # fmt: skip


def notes(view, result, options: Options) -> None:
    for note in view.notes(result, options):
        st.caption(":material/info: " + note)


def theme_columns(frame: pl.DataFrame) -> dict:
    config = headers(frame)
    config.update(
        theme=text_column(_("Theme")), label=text_column(_("Theme")),
        comments=number_column(_("Comments")), total=number_column(_("All comments")),
        share=number_column(_("Share of comments")),
        net_sentiment=number_column(_("Net sentiment")),
        share_negative=number_column(_("% negative comments")),
        moe=number_column(_("Margin of error")),
        negative=number_column(comment_charts.sentiment_label("negative")),
        neutral=number_column(comment_charts.sentiment_label("neutral")),
        positive=number_column(comment_charts.sentiment_label("positive")),
    )  # fmt: skip
    return config


def themes_by_touchpoint(f: Filters) -> pl.DataFrame | None:
    """Theme x touchpoint (share and sentiment), the sentiment mix per theme, the table."""
    options = Options()
    with friendly_errors():
        frame = run(views.THEMES, f, options)
    if frame.is_empty():
        no_data(_("No analysed comments carry a theme for these filters."))
        return None
    chart(views.THEMES.figure(frame, options), "themes")
    notes(views.THEMES, frame, options)
    st.caption(_("Cell text: the share of the touchpoint's comments that carry the theme. "
                 "Colour: the net sentiment of those comments (% positive − % negative). Grey: "
                 "fewer than {min_n} comments; blank: fewer than 5.").format(
        min_n=charts.fmt_int(f.min_n)))  # fmt: skip
    overall = (
        frame.group_by("theme", "label")
        .agg(pl.col("comments", "negative", "neutral", "positive").sum(), pl.col("source").first())
        .sort("theme")
    )
    chart(comment_charts.sentiment_mix(overall), "theme_sentiment")
    names = [comment_charts.theme_label(t, lab) for t, lab in frame.select("theme", "label").rows()]
    shown = frame.with_columns(pl.Series("label", names, dtype=pl.String)).drop(
        "source", "hidden", "low_n", "theme"
    )
    table(shown, "theme_table", column_config=theme_columns(shown), formats=THEME_FORMATS,
          title=views.THEMES.heading(options))  # fmt: skip
    return frame


def feedback_links(frame: pl.DataFrame) -> None:
    """Links to the negative comments on the themes that carry most of them."""
    if not access.may("comments"):
        return
    worst = (
        frame.group_by("theme", "label").agg(pl.col("negative").sum())
        .filter(pl.col("negative") > 0).sort(["negative", "theme"], descending=[True, False])
        .head(4)
    )  # fmt: skip
    if worst.is_empty():
        return
    st.markdown("**" + _("Read the negative comments") + "**")
    line = st.container(horizontal=True, gap="small")
    for row in worst.iter_rows(named=True):
        name = comment_charts.theme_label(row["theme"], row["label"])
        label = _("{theme} ({n})").format(theme=name, n=charts.fmt_int(row["negative"]))
        params = {"fb_theme": row["theme"], "fb_sentiment": "negative"}
        line.page_link(FEEDBACK_PAGE, icon=":material/forum:", label=label, query_params=params)


def theme_trends(f: Filters) -> None:
    st.segmented_control(_("Grain"), list(GRAINS), key="ws_grain", required=True,
                         format_func=lambda g: _(GRAINS[g]))  # fmt: skip
    options = Options(grain=widget_value("ws_grain", "month", GRAINS))
    with friendly_errors():
        frame = run(views.THEME_TREND, f, options)
    if frame.is_empty():
        no_data(_("No analysed comments carry a theme for these filters."))
        return
    chart(views.THEME_TREND.figure(frame, options), "theme_trend")
    notes(views.THEME_TREND, frame, options)


def sentiment_cells(f: Filters, dimension_label) -> None:
    from queries.schema import DIMENSIONS

    left, right = st.columns(2)
    left.segmented_control(_("Score"), list(SCORES), key="ws_score", required=True,
                           format_func=lambda s: _(SCORES[s]))  # fmt: skip
    right.selectbox(_("By"), list(DIMENSIONS), key="ws_by", format_func=dimension_label)
    options = Options(
        by=widget_value("ws_by", "segment", DIMENSIONS),
        score=widget_value("ws_score", "net", SCORES),
    )
    with friendly_errors():
        cells = run(views.SENTIMENT, f, options)
    if cells.is_empty():
        no_data(_("No analysed comments for these filters."))
        return
    chart(views.SENTIMENT.figure(cells, options), "sentiment_cells")
    st.caption(_("▲/▼ significantly above/below the rest of the touchpoint's row (BH q ≤ 0.05). "
                 "Grey: fewer than {min_n} comments; n<5 hidden.").format(
        min_n=charts.fmt_int(f.min_n)))  # fmt: skip
