"""The registry entries of what customers say: the comments with their sentiment and
themes, sentiment per touchpoint x group, themes per touchpoint, theme trends.

The computations are ``dashboard.text.service``'s; the charts ``dashboard.charts.comments``.
Every sentiment shown says where it comes from: a comment's ``sentiment_source``
(label | model | baseline), and an aggregate's ``source`` ('baseline' as soon as the
lexicon produced any of it), which the titles repeat in words.
"""

from __future__ import annotations

import polars as pl
import sqlalchemy as sa

from dashboard.charts import comments as charts
from dashboard.i18n import N_, _
from dashboard.text import service as text
from dashboard.views.base import Options, Rule, View, needs
from dashboard.views.dashboard import NEEDS_BY, _by_default, _with_breakdown
from queries.filters import Filters

SCORES = tuple(charts.SCORES)
BAD_SCORE = N_("{view}: the score must be net (net sentiment) or negative (share negative)")
BASELINE_NOTE = N_(
    "Sentiment here is the lexicon baseline: no model trained on your own labels is active "
    "(label comments, then `cxdash sentiment train`)."
)


def basis_notes(result, options: Options) -> tuple[str, ...]:
    """A reader must know when the sentiment is the lexicon's baseline."""
    if isinstance(result, pl.DataFrame):
        column = "source" if "source" in result.columns else "sentiment_source"
        if column in result.columns and "baseline" in result[column].to_list():
            return (_(BASELINE_NOTE),)
    return ()


# -- the comments -------------------------------------------------------------------------


def _comments(engine: sa.Engine, f: Filters, options: Options) -> pl.DataFrame:
    return text.comment_list(
        engine,
        f,
        band=options.band,
        search=options.search,
        sentiment=options.sentiment,
        theme=options.theme,
        limit=options.limit,  # None: every matching comment (exports)
        offset=options.offset,
    )


COMMENTS = View(
    name="comments",
    compute=_comments,
    title=lambda options: _("Customer comments with sentiment and themes"),
    columns=lambda options: text.COMMENT_COLUMNS,
    notes=basis_notes,
    exports=frozenset({"query", "table"}),
    help="comments with sentiment (label | model | baseline) and themes; "
    "--sentiment, --theme, --search (with or without diacritics)",
)


# -- sentiment per touchpoint x group -----------------------------------------------------


def _sentiment(engine: sa.Engine, f: Filters, options: Options) -> pl.DataFrame:
    return text.sentiment_cells(engine, f, options.by, options.score)


SENTIMENT_COLUMNS = ("touchpoint", "value", "moe", "n", "positive", "neutral", "negative",
                     "low_n", "p", "q", "significant", "source")  # fmt: skip

SENTIMENT = View(
    name="sentiment",
    compute=_sentiment,
    title=lambda options: charts.sentiment_title(options.score, options.by),
    figure=lambda frame, options: charts.sentiment_heatmap(
        frame, by=options.by, score=options.score
    ),
    columns=lambda options: _with_breakdown(SENTIMENT_COLUMNS, options.by, 1),
    rules=(needs("by", NEEDS_BY), Rule(lambda options: options.score in SCORES, BAD_SCORE)),
    defaults=_by_default,
    notes=basis_notes,
    exports=frozenset({"query", "chart", "table"}),
    help="net sentiment (--score net) or share negative (--score negative) per "
    "touchpoint × group, heatmap rules (n, privacy, Benjamini–Hochberg)",
)


# -- themes ------------------------------------------------------------------------------


def _themes(engine: sa.Engine, f: Filters, options: Options) -> pl.DataFrame:
    return text.theme_touchpoint_table(engine, f)


THEMES = View(
    name="themes",
    compute=_themes,
    title=lambda options: charts.themes_title(),
    figure=lambda frame, options: charts.theme_touchpoints(frame),
    columns=lambda options: text.THEME_COLUMNS,
    notes=basis_notes,
    exports=frozenset({"query", "chart", "table"}),
    help="theme × touchpoint: share of the touchpoint's comments and their sentiment",
)


def _theme_trend(engine: sa.Engine, f: Filters, options: Options) -> pl.DataFrame:
    return text.theme_trend_table(engine, f, options.grain, options.theme)


THEME_TREND = View(
    name="theme-trend",
    compute=_theme_trend,
    title=lambda options: charts.theme_trend_title(options.grain),
    figure=lambda frame, options: charts.theme_trend(frame, grain=options.grain),
    columns=lambda options: text.THEME_TREND_COLUMNS,
    notes=basis_notes,
    exports=frozenset({"query", "chart", "table"}),
    help="share of comments per theme and period (--grain, --theme) with their sentiment",
)

VIEWS = (COMMENTS, SENTIMENT, THEMES, THEME_TREND)
