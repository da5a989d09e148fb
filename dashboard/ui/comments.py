"""Comments as cards (score badges, touchpoint, date, segment, language, sentiment with its
source, themes, then the text), and the words for sentiments, sources and themes."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import access, charts
from dashboard.i18n import N_, _
from dashboard.text import service as text_service
from dashboard.ui.cache import call
from dashboard.ui.customers import customer_link, md

BAND_BADGE = {"detractor": "orange", "passive": "gray", "promoter": "blue"}
SENTIMENTS = ("negative", "neutral", "positive")
SENTIMENT_LABELS = {"negative": N_("Negative"), "neutral": N_("Neutral"),
                    "positive": N_("Positive")}  # fmt: skip
SENTIMENT_COLOURS = {"negative": "red", "neutral": "gray", "positive": "green"}
SENTIMENT_ICONS = {"negative": ":material/sentiment_dissatisfied:",
                   "neutral": ":material/sentiment_neutral:",
                   "positive": ":material/sentiment_satisfied:"}  # fmt: skip
# Where a sentiment comes from (comment_facts.sentiment_source): said on every card, so
# nobody mistakes the lexicon's guess for a trained model's or a person's answer.
SOURCE_LABELS = {"label": N_("labelled"), "model": N_("model"), "baseline": N_("baseline")}
# The default taxonomy's theme names, so they read in the session's language; a name a
# business wrote itself is shown as written.
DEFAULT_THEME_NAMES = (
    N_("Delivery"), N_("Packaging"), N_("Price"), N_("Promotions and loyalty"),
    N_("Product quality"), N_("Stock and availability"), N_("Staff and service"),
    N_("Call centre and support"), N_("App and website"), N_("Payment and billing"),
    N_("Returns, exchanges and refunds"), N_("Store"), N_("Waiting time"),
)  # fmt: skip


def sentiment_label(sentiment: str | None) -> str:
    return _(SENTIMENT_LABELS[sentiment]) if sentiment in SENTIMENT_LABELS else "–"


def source_label(source: str | None) -> str:
    return _(SOURCE_LABELS[source]) if source in SOURCE_LABELS else ""


def theme_names() -> dict[str, str]:
    """Theme id -> its name in the session's language, from the taxonomy in force."""
    taxonomy = call(text_service.current_taxonomy)
    return {theme.id: _(theme.label) for theme in taxonomy.themes}


def theme_name(theme_id: str, names: dict[str, str] | None = None) -> str:
    names = theme_names() if names is None else names
    return names.get(theme_id, theme_id)


def split(themes: str | None) -> list[str]:
    return [t for t in (themes or "").split(";") if t]


def sentiment_badge(sentiment: str | None, source: str | None) -> str:
    """':red-badge[Negative · model]' -- or 'not analysed yet' before the analysis ran."""
    if sentiment not in SENTIMENT_LABELS:
        return ":gray-badge[" + _("not analysed yet") + "]"
    colour, icon = SENTIMENT_COLOURS[sentiment], SENTIMENT_ICONS[sentiment]
    words = sentiment_label(sentiment)
    if source:
        words += " · " + source_label(source)
    return f":{colour}-badge[{icon} {words}]"


def theme_badges(themes: str | None, names: dict[str, str] | None = None) -> str:
    names = theme_names() if names is None else names
    return " ".join(f":violet-badge[{md(theme_name(t, names))}]" for t in split(themes))


def comment_cards(frame: pl.DataFrame, *, label_button=None) -> None:
    """Comments as cards: score badges, touchpoint, date, segment, language, sentiment
    (with its source: labelled, model or baseline) and themes, then the text.

    Reads response_id, responded_at, touchpoint, nps, csat, ces, comment, language, segment
    and, when present, sentiment, sentiment_source, themes and customer_id (a known
    customer: a link opens their view). ``label_button(row)``: draws a control to label
    the comment (for viewers who may).
    """
    analysed = "sentiment" in frame.columns
    names = theme_names() if analysed else {}
    for row in frame.iter_rows(named=True):
        band = charts.nps_band(row["nps"])
        badges = [
            f":{BAND_BADGE[band]}-badge[NPS {row['nps']}]" if band else ":gray-badge[NPS –]",
            f":gray-badge[CSAT {_or_dash(row['csat'])}]",
            f":gray-badge[CES {_or_dash(row['ces'])}]",
        ]
        if analysed:
            badges.append(sentiment_badge(row["sentiment"], row["sentiment_source"]))
        segment = charts.group_label(row["segment"] or None)
        meta = [f"**{md(row['touchpoint'])}**", charts.fmt_date(row["responded_at"]),
                md(segment), md(row["language"] or "")]  # fmt: skip
        with st.container(border=True, gap="small"):
            st.markdown(" ".join(badges) + " " + " · ".join(m for m in meta if m))
            st.text(row["comment"] or "")
            themes = theme_badges(row.get("themes"), names) if analysed else ""
            if themes or label_button is not None:
                line = st.container(horizontal=True, vertical_alignment="center", gap="small")
                if themes:
                    line.markdown(themes)
                if label_button is not None:
                    with line:
                        label_button(row)
            customer_link(row.get("customer_id"))  # known customers: open their view


def may_label() -> bool:
    """Whether the viewer may label comments (analysts and admins)."""
    return access.viewer_is_set() and access.may("labels")


def whole_store() -> bool:
    """Training, switching the model and saving themes rewrite every comment's analysis:
    only a viewer who sees the whole store may (a scoped one would see part of it)."""
    return access.viewer_is_set() and access.current_viewer().scope.everything


def _or_dash(value) -> str:
    return "–" if value is None else str(value)
