"""Labelling comments on the Feedback page: one comment at a time, a few keys each.

The comment shows with what the analysis says now (sentiment and its source, the themes
its keywords matched). The person keeps or changes the themes, then presses **1**, **2**
or **3** (negative, neutral, positive): the label is stored with who and when
(``dashboard.text.service.set_label``, applied to the comment at once) and the next
comment follows. **S** skips one. The queue serves the unlabelled comments the sentiment
source is least sure of first (``label_queue``), within the sidebar's filters; a comment
picked from the list (its "Label" button) comes first.

The queue is read live, not through the results cache: it changes with every label.
"""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import access, charts
from dashboard.i18n import N_, _, ngettext
from dashboard.text import service as text_service
from dashboard.ui.cache import data_changed, engine
from dashboard.ui.comments import (
    SENTIMENT_ICONS,
    SENTIMENTS,
    comment_cards,
    sentiment_label,
    split,
    theme_names,
)
from dashboard.ui.page import friendly_errors
from dashboard.ui.tables import datetime_column
from queries.filters import Filters

KEYS = {"negative": "1", "neutral": "2", "positive": "3"}
SKIP_KEY = "S"
QUEUE = 20
PICKED = "lb_pick"  # a comment chosen from the list to label next (its row)
SKIPPED = "lb_skipped"  # response ids skipped in this session
DONE = "lb_done"  # response ids labelled in this session, newest last
MODES = {"read": N_("Read"), "label": N_("Label a sample")}


def pick(row: dict) -> None:
    """Label this comment next (a button's callback: switches the page to labelling)."""
    st.session_state[PICKED] = row
    st.session_state["fb_mode"] = "label"


def label_button(row: dict) -> None:
    st.button(_("Label"), key=f"lb_pick_{row['response_id']}", icon=":material/label:",
              type="tertiary", on_click=pick, args=(row,))  # fmt: skip


def _queue(f: Filters) -> pl.DataFrame:
    skipped = st.session_state.setdefault(SKIPPED, [])
    with friendly_errors():
        queue = text_service.label_queue(engine(), f, n=QUEUE + len(skipped))
    return queue.filter(~pl.col("response_id").is_in(skipped)) if skipped else queue


def _next(f: Filters) -> dict | None:
    """The comment to label now: the one picked from the list, else the queue's first."""
    picked = st.session_state.get(PICKED)
    if picked is not None:
        return picked
    queue = _queue(f)
    return queue.row(0, named=True) if queue.height else None


def _save(row: dict, sentiment: str, chosen: list[str]) -> None:
    rid = str(row["response_id"])
    with friendly_errors():
        text_service.set_label(engine(), rid, sentiment, chosen, by=access.current_viewer().email)
    st.session_state.pop(PICKED, None)
    done = st.session_state.setdefault(DONE, [])
    if rid in done:
        done.remove(rid)
    done.append(rid)
    data_changed()  # every cached page shows the comment's new sentiment and themes
    words = _("Labelled {sentiment}: {response}").format(
        sentiment=sentiment_label(sentiment).lower(), response=rid
    )
    st.toast(words, icon=":material/check:")


def _skip(row: dict) -> None:
    st.session_state.pop(PICKED, None)
    skipped = st.session_state.setdefault(SKIPPED, [])
    if row["response_id"] not in skipped:
        skipped.append(row["response_id"])


def label_panel(f: Filters) -> None:
    """The labelling mode: the next comment, its form and this session's labels."""
    row = _next(f)
    if row is None:
        st.success(_("Nothing left to label within these filters. Widen the period or the "
                     "sidebar filters to label more."), icon=":material/task_alt:")  # fmt: skip
        recent_labels()
        return
    st.caption(_("Least sure first: the comments the sentiment in use is least sure of come "
                 "first, within the sidebar's filters. Each label is saved at once."))  # fmt: skip
    comment_cards(pl.DataFrame([row]).drop("margin", strict=False))
    names = theme_names()
    rid = str(row["response_id"])
    current = [t for t in split(row.get("themes")) if t in names]
    with st.form(f"lb_form_{rid}", border=True, enter_to_submit=False):
        chosen = st.multiselect(
            _("Themes of this comment"), list(names), default=current, format_func=names.get,
            key=f"lb_themes_{rid}", placeholder=_("None of the themes"),
            help=_("Keep the themes the keywords found, remove wrong ones, add missing ones."),
        )  # fmt: skip
        buttons = st.container(horizontal=True, gap="small")
        pressed = None
        for sentiment in SENTIMENTS:
            with buttons:
                if st.form_submit_button(
                    sentiment_label(sentiment),  # Streamlit shows the key beside it
                    icon=SENTIMENT_ICONS[sentiment], key=f"lb_{sentiment}_{rid}",
                    shortcut=KEYS[sentiment], type="secondary",
                ):  # fmt: skip
                    pressed = sentiment
        with buttons:
            skip = st.form_submit_button(_("Skip"), key=f"lb_skip_{rid}", shortcut=SKIP_KEY,
                                         icon=":material/skip_next:", type="tertiary")  # fmt: skip
    st.caption(_("Keys: 1 negative · 2 neutral · 3 positive · S skip. Themes first if needed "
                 "(type to find one, Enter adds it, Tab leaves the box)."))  # fmt: skip
    if pressed is not None:
        _save(row, pressed, list(chosen))
        st.rerun()
    if skip:
        _skip(row)
        st.rerun()
    recent_labels()


def recent_labels() -> None:
    """This session's labels as stored: who labelled, when, what."""
    done = st.session_state.get(DONE, [])
    if not done:
        return
    stored = text_service.labels_of(engine(), done)
    order = {rid: i for i, rid in enumerate(reversed(done))}
    names = theme_names()
    shown = (
        stored.with_columns(
            pl.col("response_id").replace_strict(order, default=len(order)).alias("_order")
        )
        .sort("_order")
        .select(
            pl.col("response_id").alias(_("Response")),
            pl.col("sentiment").map_elements(sentiment_label, return_dtype=pl.String)
            .alias(_("Sentiment")),
            pl.col("themes").map_elements(
                lambda t: ", ".join(names.get(x, x) for x in split(t)) or _("none"),
                return_dtype=pl.String,
            ).alias(_("Themes")),
            pl.col("labelled_by").alias(_("Labelled by")),
            pl.col("labelled_at").alias(_("Labelled at")),
        )
    )  # fmt: skip
    title = ngettext("You labelled {n} comment in this session",
                     "You labelled {n} comments in this session", len(done))  # fmt: skip
    with st.expander(title.format(n=charts.fmt_int(len(done)))):
        at = _("Labelled at")
        st.dataframe(shown, hide_index=True, width="stretch", key="lb_recent",
                     column_config={at: datetime_column(at)})  # fmt: skip
