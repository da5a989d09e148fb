"""Comments as cards (score badges, touchpoint, date, segment, language, sentiment with its
source, themes, then the text). The words for sentiments, their sources and the default
themes are ``dashboard.charts.comments``'s, as on the charts and in the exports."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import access, charts
from dashboard.charts.comments import sentiment_label, source_label, theme_label
from dashboard.i18n import _
from dashboard.text import service as text_service
from dashboard.ui.cache import call
from dashboard.ui.customers import customer_link
from dashboard.ui.markdown import md

BAND_BADGE = {"detractor": "orange", "passive": "gray", "promoter": "blue"}
SENTIMENTS = ("negative", "neutral", "positive")
SENTIMENT_COLOURS = {"negative": "red", "neutral": "gray", "positive": "green"}
SENTIMENT_ICONS = {"negative": ":material/sentiment_dissatisfied:",
                   "neutral": ":material/sentiment_neutral:",
                   "positive": ":material/sentiment_satisfied:"}  # fmt: skip
# A card shows this much of a comment; "Show more" this much more. A pasted log or a
# 20 MB comment would otherwise be sent to the browser on every rerun of the page; the
# table exports (CSV) keep the whole text.
SHORT_CHARS = 600
MORE_CHARS = 20_000


def theme_names() -> dict[str, str]:
    """Theme id -> its name in the session's language, from the taxonomy in force."""
    taxonomy = call(text_service.current_taxonomy)
    return {theme.id: theme_label(theme.id, theme.label) for theme in taxonomy.themes}


def theme_name(theme_id: str, names: dict[str, str] | None = None) -> str:
    names = theme_names() if names is None else names
    return names.get(theme_id, theme_id)


def split(themes) -> list[str]:
    """Theme ids of a comment: from the stored ';'-joined text or a list."""
    if isinstance(themes, list | tuple):
        return [t for t in themes if t]
    return [t for t in (themes or "").split(";") if t]


def sentiment_badge(sentiment: str | None, source: str | None) -> str:
    """':red-badge[Negative · model]' -- or 'not analysed yet' before the analysis ran."""
    if sentiment not in SENTIMENTS:
        return ":gray-badge[" + _("not analysed yet") + "]"
    colour, icon = SENTIMENT_COLOURS[sentiment], SENTIMENT_ICONS[sentiment]
    words = sentiment_label(sentiment)
    if source:
        words += " · " + source_label(source)
    return f":{colour}-badge[{icon} {words}]"


def theme_badges(themes: str | None, names: dict[str, str] | None = None) -> str:
    names = theme_names() if names is None else names
    return " ".join(f":violet-badge[{md(theme_name(t, names))}]" for t in split(themes))


def analysis_badges(row: dict) -> str:
    """A comment's sentiment (with its source) and themes as badges; '' before analysis."""
    if row.get("sentiment") is None:
        return ""
    return " ".join(
        b for b in (sentiment_badge(row["sentiment"], row["sentiment_source"]),
                    theme_badges(row.get("themes"))) if b
    )  # fmt: skip


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
            comment_text(row["comment"])
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


def shorten(text: str, limit: int) -> tuple[str, bool]:
    """``text`` cut to ``limit`` characters at a word boundary with "…", and whether it was
    cut."""
    if len(text) <= limit:
        return text, False
    cut = text[:limit]
    space = cut.rfind(" ", int(limit * 0.8))
    return (cut[:space] if space > 0 else cut).rstrip() + "…", True


def comment_text(comment: str | None) -> None:
    """A comment's text: long ones shortened, the rest behind "Show more" (up to
    ``MORE_CHARS``; beyond that the CSV export has it)."""
    text = comment or ""
    short, cut = shorten(text, SHORT_CHARS)
    if not cut:
        st.text(text)
        return
    st.text(short)
    size = charts.fmt_int(len(text))
    with st.expander(_("Show more ({chars} characters)").format(chars=size)):
        more, still_cut = shorten(text, MORE_CHARS)
        st.text(more)
        if still_cut:
            st.caption(
                _("The first {shown} of {chars} characters. The CSV export has the whole text.")
                .format(shown=charts.fmt_int(MORE_CHARS), chars=size)
            )  # fmt: skip


def _or_dash(value) -> str:
    return "–" if value is None else str(value)
