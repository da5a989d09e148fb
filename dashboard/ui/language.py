"""The session's language: chosen at the start of every run, switched in the sidebar.

The choice, in order: the sidebar switch (this session's own choice), then ``lang=vi|en``
in the URL (a shared link opens in the sender's language), then the ``CXDASH_LANGUAGE``
setting, where ``auto`` follows the browser (``st.context.locale``). The language lives in
the run's context (:func:`dashboard.i18n.set_language`), never in the process, so one
session switching never changes another's; :func:`dashboard.ui.url_state.write_url`
writes it back to the URL on every run.
"""

from __future__ import annotations

from dashboard.i18n import (
    LANGUAGE_NAMES,
    LANGUAGES,
    URL_PARAM,
    _,
    resolve_language,
    set_language,
)

LANGUAGE_KEY = "_cx_language"  # the switch's widget state
SHOWN_KEY = "_cx_language_shown"  # the language of the previous run


def _st():
    import streamlit as st

    return st


def _browser_locale() -> str | None:
    try:
        return _st().context.locale
    except Exception:  # no browser behind this run (bare script, some test harnesses)
        return None


def start_language(setting: str | None) -> str:
    """Resolve and set this run's language; call first in every run (before any text)."""
    st = _st()
    lang = resolve_language(
        st.query_params.get_all(URL_PARAM),
        st.session_state.get(LANGUAGE_KEY),
        setting,
        _browser_locale(),
    )
    st.session_state[LANGUAGE_KEY] = set_language(lang)
    if st.session_state.get(SHOWN_KEY) not in (None, lang):
        _relabel_widgets()
    st.session_state[SHOWN_KEY] = lang
    return lang


def _relabel_widgets() -> None:
    """After a switch, make the browser redraw the choice of every select box in the new
    language: a widget whose value did not change keeps showing its old label (Streamlit
    sends a value only when the script set it), so the script sets each one again.

    Only text values are set (select boxes, segmented controls, text inputs); buttons,
    uploads and selections cannot be set and need no new label.
    """
    state = _st().session_state
    for key in list(state):
        value = state[key]
        if isinstance(key, str) and not key.startswith("_cx_") and isinstance(value, str):
            state[key] = value


def language_switch() -> None:
    """The sidebar's language switch: each language named in itself, never empty."""
    _st().sidebar.segmented_control(
        _("Language"),
        list(LANGUAGES),
        key=LANGUAGE_KEY,
        format_func=LANGUAGE_NAMES.get,
        required=True,
        label_visibility="collapsed",
        width="stretch",
    )
