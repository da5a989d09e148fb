"""The Themes page's panels (admins): edit the taxonomy (TOML) with its errors shown by line,
save it (checked first, then stored and every comment re-themed in one transaction:
``dashboard.text.service.save_taxonomy``), see how many comments each theme and keyword
matches with examples -- of the text being edited, before saving it -- and how well the
keywords agree with the themes people labelled.

Read live: this page exists to change what it reads.
"""

from __future__ import annotations

import re

import polars as pl
import streamlit as st

from dashboard import access, charts
from dashboard.i18n import _
from dashboard.text import service as text_service
from dashboard.text import themes
from dashboard.ui.cache import data_changed, engine
from dashboard.ui.comments import whole_store
from dashboard.ui.customers import md
from dashboard.ui.page import friendly_errors
from dashboard.ui.tables import number_column, styled, text_column
from queries.filters import Filters

SOURCE = "th_source"
SAVED = "th_saved"  # the version just saved (said once after the rerun)
_LINE = re.compile(r"^[^,]*, line (\d+): (.*)$", re.S)


def saved_text() -> str:
    """The taxonomy in force as text (the store's, else the default file)."""
    with friendly_errors():
        return text_service.current_taxonomy(engine()).source


def in_force_line() -> None:
    with friendly_errors():
        saved = text_service.taxonomy_saved(engine())
    if saved is None:
        st.caption(_("In force: the default retail taxonomy shipped with cxdash (not edited "
                     "yet)."))  # fmt: skip
    else:
        st.caption(_("In force: version {v}, saved by {who} on {day}.").format(
            v=saved["version"], who=md(saved["saved_by"]),
            day=charts.fmt_datetime(saved["saved_at"])))  # fmt: skip


def _use_default() -> None:
    st.session_state[SOURCE] = themes.default().source


def _use_saved() -> None:
    st.session_state[SOURCE] = saved_text()


def checked(text: str) -> themes.Taxonomy | None:
    """The edited taxonomy, or None after showing what is wrong (line and fault)."""
    try:
        return themes.parse(text, "themes.toml")
    except themes.TaxonomyError as exc:
        show_error(str(exc), text)
        return None


def show_error(message: str, text: str) -> None:
    found = _LINE.match(message)
    if found is None:
        st.error(_("The taxonomy has an error; nothing was saved.") + f"\n\n{message}",
                 icon=":material/error:")  # fmt: skip
        return
    line, fault = int(found.group(1)), found.group(2)
    lines = text.splitlines()
    shown = lines[line - 1] if 0 < line <= len(lines) else ""
    st.error(_("The taxonomy has an error on line {line}; nothing was saved.").format(line=line)
             + f"\n\n{md(fault)}", icon=":material/error:")  # fmt: skip
    if shown.strip():
        st.code(f"{line}: {shown}", language="toml")


def editor() -> themes.Taxonomy | None:
    """The text area and its buttons; returns the taxonomy to report on (the edited one
    when it is valid, else the one in force)."""
    if SOURCE not in st.session_state:
        st.session_state[SOURCE] = saved_text()
    st.text_area(_("Taxonomy (TOML)"), key=SOURCE, height=360,
                 help=_("One [theme_id] table per theme: label, vi and en keyword lists, "
                        "optional exclude. The comments at the top of the default file "
                        "explain how keywords match."))  # fmt: skip
    buttons = st.container(horizontal=True)
    save = buttons.button(_("Save"), type="primary", icon=":material/save:", key="th_save",
                          disabled=not whole_store())  # fmt: skip
    buttons.button(_("Undo my edits"), icon=":material/undo:", key="th_undo", on_click=_use_saved)
    buttons.button(_("Start from the default taxonomy"), icon=":material/restart_alt:",
                   key="th_default", on_click=_use_default)  # fmt: skip
    text = st.session_state.get(SOURCE) or ""
    taxonomy = checked(text)
    if taxonomy is None:
        return None
    if save:
        with friendly_errors(), st.spinner(_("Saving and re-theming every comment…")):
            version = text_service.save_taxonomy(engine(), text, by=access.current_viewer().email)
        data_changed()
        st.session_state[SAVED] = version
        st.rerun()  # the page reads the saved taxonomy from the top
    if st.session_state.get(SAVED) is not None:
        st.success(_("Saved as version {v}; every comment's themes follow it now.").format(
            v=st.session_state.pop(SAVED)), icon=":material/check:")  # fmt: skip
    elif text != saved_text():
        st.info(_("Edited, not saved: the counts below are of the edited text."),
                icon=":material/edit_note:")  # fmt: skip
    return taxonomy


def keyword_panel(taxonomy: themes.Taxonomy, f: Filters) -> None:
    """Per theme and keyword: comments matched, share; a theme's examples per keyword."""
    with friendly_errors(), st.spinner(_("Counting matches…")):
        report = text_service.keyword_report(engine(), taxonomy, f)
    names = {t.id: _(t.label) for t in taxonomy.themes}
    per_theme = report.filter(pl.col("keyword").is_null()).select(
        pl.col("theme").replace_strict(names, default=None).alias("name"), "comments", "share"
    )
    st.dataframe(
        styled(per_theme, {"comments": charts.fmt_int, "share": charts.fmt_pct}),
        hide_index=True, key="th_report",
        column_config={"name": text_column(_("Theme")), "comments": number_column(_("Comments")),
                       "share": number_column(_("Share of comments"))},
    )  # fmt: skip
    picked = st.selectbox(_("Keywords of a theme"), list(names), format_func=names.get,
                          key="th_theme")  # fmt: skip
    keywords = report.filter(pl.col("theme") == picked, pl.col("keyword").is_not_null()).select(
        "keyword", "language", "comments", "share"
    )
    st.dataframe(
        styled(keywords, {"comments": charts.fmt_int, "share": charts.fmt_pct}),
        hide_index=True, key="th_keywords",
        column_config={"keyword": text_column(_("Keyword")),
                       "language": text_column(_("Language")),
                       "comments": number_column(_("Comments")),
                       "share": number_column(_("Share of comments"))},
    )  # fmt: skip
    with friendly_errors():
        examples = text_service.keyword_examples(engine(), picked, taxonomy, f, n=2)
    with st.expander(_("Examples: the newest comments each keyword matches")):
        if examples.height == 0:
            st.caption(_("No comment matches these keywords in the filters."))
        for row in examples.iter_rows(named=True):
            when = charts.fmt_date(row["responded_at"])
            head = f":violet-badge[{md(row['keyword'])}] **{md(row['touchpoint'])}** · {when}"
            st.markdown(head)  # i18n: ok (data values and a date)
            st.text(row["comment"])


def quality_panel(taxonomy: themes.Taxonomy) -> None:
    """Keyword matching against the themes people labelled (their labels are the truth)."""
    with friendly_errors():
        quality = text_service.theme_quality(engine(), taxonomy)
    if quality.height == 0 or int(quality["labelled"].sum()) == 0:
        st.info(_("Nobody has labelled a comment's themes yet. Label comments on the Feedback "
                  "page: the themes people choose measure how well the keywords work."),
                icon=":material/label:")  # fmt: skip
        return
    names = {t.id: _(t.label) for t in taxonomy.themes}
    shown = quality.with_columns(pl.col("theme").replace_strict(names, default=None))
    percent = {c: charts.fmt_pct for c in ("precision", "recall", "f1")}
    counts = {c: charts.fmt_int for c in ("labelled", "matched", "true_positives")}
    st.dataframe(
        styled(shown, {**percent, **counts}), hide_index=True, key="th_quality",
        column_config={
            "theme": text_column(_("Theme")),
            "labelled": number_column(_("Labelled with it")),
            "matched": number_column(_("Keywords found it")),
            "true_positives": number_column(_("Both")),
            "precision": number_column(_("Precision"), help=_("Of the comments the keywords "
                                       "gave the theme, the share people gave it too.")),
            "recall": number_column(_("Recall"), help=_("Of the comments people gave the "
                                    "theme, the share the keywords found.")),
            "f1": number_column(_("F1")),
        },
    )  # fmt: skip
    st.caption(_("Over the comments whose themes a person labelled. Low precision: a keyword "
                 "is too broad (add an exclude); low recall: keywords are missing."))  # fmt: skip
