"""The Feedback page's parts: its filters (score band, sentiment, theme, search; all in the
URL), the cached comment lookups, and the line that says where sentiment comes from.

Comments come from :mod:`dashboard.text.service` (sentiment, its source and themes with
every comment; search with or without diacritics, any case).
"""

from __future__ import annotations

import json

import polars as pl
import streamlit as st

from dashboard import charts
from dashboard.i18n import N_, _, ngettext
from dashboard.text import service as text_service
from dashboard.ui.cache import call
from dashboard.ui.comments import SENTIMENT_ICONS, SENTIMENTS, sentiment_label, theme_names
from queries.filters import Filters

BANDS = {"all": N_("All"), "detractor": N_("Detractors (0–6)"), "passive": N_("Passives (7–8)"),
         "promoter": N_("Promoters (9–10)")}  # fmt: skip
MODEL_PAGE = "../pages/sentiment_model.py"


def some_of(choices):
    """A ``url_value`` parser keeping the URL's values that are among ``choices``."""
    allowed = list(choices)

    def parse(values: list[str]) -> list[str]:
        return [v for v in values if v in allowed]

    return parse


def seed_filters() -> None:
    from dashboard import state
    from dashboard.ui.url_state import url_value

    url_value("fb_band", "all", parse=state.one_of(BANDS))
    url_value("fb_sentiment", [], parse=some_of(SENTIMENTS))
    url_value("fb_theme", [], parse=some_of(theme_names()))
    url_value("fb_search", "")


def filter_widgets() -> tuple[str | None, tuple[str, ...], tuple[str, ...], str | None]:
    """Draw the page's filters; return (band, sentiments, themes, search)."""
    names = theme_names()
    top = st.columns([3, 2])
    top[0].segmented_control(_("Score band"), list(BANDS), key="fb_band", required=True,
                             format_func=lambda b: _(BANDS[b]))  # fmt: skip
    top[1].text_input(_("Search the comments"), key="fb_search", icon=":material/search:",
                      placeholder=_("e.g. giao hàng, giao hang, refund"),
                      help=_("Finds words with or without Vietnamese marks."))  # fmt: skip
    bottom = st.columns([3, 2])
    bottom[0].pills(_("Sentiment"), list(SENTIMENTS), key="fb_sentiment", selection_mode="multi",
                    format_func=lambda s: f"{SENTIMENT_ICONS[s]} {sentiment_label(s)}")  # fmt: skip
    bottom[1].multiselect(_("Themes"), list(names), key="fb_theme", format_func=names.get,
                          placeholder=_("All themes"))  # fmt: skip
    state = st.session_state
    band = None if state["fb_band"] == "all" else state["fb_band"]
    search = state["fb_search"].strip() or None
    return band, tuple(sorted(state["fb_sentiment"])), tuple(sorted(state["fb_theme"])), search


# -- cached lookups (positional arguments: the cache's key) -----------------------------------


def _page(engine, f: Filters, band, search, sentiment, theme, limit: int, offset: int):
    return text_service.comment_page(engine, f, band=band, search=search,
                                     sentiment=sentiment or None, theme=theme or None,
                                     limit=limit, offset=offset)  # fmt: skip


def _total(engine, f: Filters, band, search, sentiment, theme) -> int:
    return text_service.comment_total(engine, f, band=band, search=search,
                                      sentiment=sentiment or None, theme=theme or None)  # fmt: skip


def comments(f: Filters, band, search, sentiment, theme, limit: int, offset: int) -> pl.DataFrame:
    return call(_page, f, band, search, sentiment, theme, limit, offset)


def total(f: Filters, band=None, search=None, sentiment=(), theme=()) -> int:
    return call(_total, f, band, search, sentiment, theme)


def active_model(engine) -> dict | None:
    """The switched-on model (version, created_at, created_by, n_labels, metrics as a dict,
    activated_at, activated_by), or None: sentiment is the baseline."""
    stored = text_service.models(engine)
    active = stored.filter(pl.col("active").fill_null(False)) if stored.height else stored
    if active.height == 0:
        return None
    row = active.row(0, named=True)
    row["metrics"] = json.loads(row["metrics"] or "{}")
    return row


def sentiment_source_line(f: Filters) -> None:
    """Where the sentiment on the cards comes from, and how many comments wait for the
    analysis (the analysis runs on import; comments of an older store may not have it)."""
    model = call(active_model)
    if model is None:
        words = _("Sentiment: **baseline** (a built-in Vietnamese and English word list with "
                  "negation). Label comments and train a model to replace it.")  # fmt: skip
    else:
        words = _("Sentiment: **model {version}**, trained from {n} labels, cross-validated "
                  "macro-F1 {f1}.").format(version=model["version"],
                                          n=charts.fmt_int(model["n_labels"]),
                                          f1=_f1(model["metrics"].get("macro_f1")))  # fmt: skip
    words += " " + _("Labelled comments always show the person's label.")
    st.caption(words)
    waiting = total(f) - total(f, sentiment=SENTIMENTS)
    if waiting > 0:
        unanalysed_note(waiting)


def unanalysed_note(waiting: int) -> None:
    """Comments without sentiment and themes yet (a store imported before the analysis
    existed): say so, and let someone who may rewrite the analysis run it."""
    from dashboard.ui.cache import data_changed, engine
    from dashboard.ui.comments import may_label, whole_store

    st.warning(ngettext("{n} comment has no sentiment or themes yet.",
                        "{n} comments have no sentiment or themes yet.", waiting).format(
        n=charts.fmt_int(waiting)), icon=":material/hourglass_empty:")  # fmt: skip
    if may_label() and whole_store() and st.button(_("Analyse them now"), key="fb_analyse",
                                                   icon=":material/play_arrow:"):  # fmt: skip
        with st.spinner(_("Analysing the comments…")):
            text_service.analyse_comments(engine(), new_only=True)
        data_changed()
        st.rerun()


def _f1(value) -> str:
    return "–" if value is None else charts.fmt_number(value, 2)


def table_rows(comments: pl.DataFrame) -> pl.DataFrame:
    """The page's comments as a table: sentiment, its source and themes in words."""
    from dashboard.ui.comments import source_label, split

    names = theme_names()
    return comments.with_columns(
        pl.col("sentiment").map_elements(sentiment_label, return_dtype=pl.String),
        pl.col("sentiment_source").map_elements(source_label, return_dtype=pl.String),
        pl.col("themes").map_elements(
            lambda t: ", ".join(names.get(x, x) for x in split(t)), return_dtype=pl.String
        ),
    )


def table_headers(frame: pl.DataFrame) -> dict:
    from dashboard.ui.tables import headers, text_column

    config = headers(frame)
    config.update(
        sentiment=text_column(_("Sentiment")),
        sentiment_source=text_column(_("Sentiment from")),
        themes=text_column(_("Themes")),
        customer_id=text_column(_("Customer")),
    )
    return config
