"""Widgets <-> URL: the sidebar's global filters and each page's own widgets, seeded from
``st.query_params`` on a session's first run and written back as they change.

One run of the app goes: :func:`seed_from_url` (first run of a session only: URL ->
widget state), :func:`sidebar` (widgets -> a frozen ``Filters``), the page (its own
widgets through :func:`url_value`), then :func:`write_url` (all of it ->
``st.query_params``), so the address bar always reproduces the view. The pure half
(periods, parameters, words) is :mod:`dashboard.state`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping

from dashboard.i18n import N_, URL_PARAM, _, current_language
from dashboard.i18n.formats import column_date_format
from dashboard.state import (
    DEFAULT_PRESET,
    FILTER_KEYS,
    LABELS,
    MORE_FILTER_KEYS,
    MULTISELECT_KEYS,
    PRESETS,
    View,
    resolve_period,
)
from queries.filters import Filters

SEEDED = "_cx_seeded"
PAGE_PARAMS = "_cx_page_params"
VIEW_PARAMS = "_cx_view_params"
URL_AT_START = "_cx_url_at_start"
URL_WRITTEN = "_cx_url_written"  # the address this session wrote last
PAGE_NAME = "_cx_page_name"


def _st():
    import streamlit as st

    return st


def current_params() -> dict[str, list[str]]:
    """``st.query_params`` as lists (repeated keys kept)."""
    st = _st()
    return {key: st.query_params.get_all(key) for key in st.query_params}


def seed_from_url(page: str = "") -> None:
    """Put the URL's view into the widgets' state: on a session's first run, and when the
    browser's Back or Forward button brought back an address this session wrote.

    Every change of the view writes a new address, which the browser keeps in its
    history; going back to one reruns the app with that address. The widgets then take
    its values (filters, and the page's own: a drill-down's cell, a segment path), so Back
    undoes a drill step instead of being written over by the state it left.
    """
    st = _st()
    state = st.session_state
    now = current_params()
    previous_page, previous_params = state.get(PAGE_NAME), state.get(PAGE_PARAMS, {})
    # The page's parameters stay declared between its runs: the first write of a run then
    # has them all, and no half-written address lands in the browser's history.
    state[PAGE_PARAMS] = dict(previous_params) if page and page == previous_page else {}
    state[PAGE_NAME] = page
    # What the URL said when this run started: pages seed their widgets from it, since
    # the URL is rewritten as the run goes.
    state[URL_AT_START] = now
    if not state.get(SEEDED):
        state[SEEDED] = True
        _apply_view(View.from_params(now))
        return
    # Back or Forward within the page: an address this app wrote (it always names the
    # language; links to a page with parameters of their own do not), not the last one.
    written = state.get(URL_WRITTEN)
    revisited = URL_PARAM in now and written is not None and now != written
    if revisited and page == previous_page:
        _apply_view(View.from_params(now))
        for key in previous_params:  # the page seeds them again from the address
            state.pop(key, None)


def _apply_view(view: View) -> None:
    st = _st()
    st.session_state["period"] = view.preset
    st.session_state["compare"] = view.compare
    if view.preset == "custom" and view.date_from and view.date_to:
        st.session_state["dates"] = (view.date_from, view.date_to)
    for key in MULTISELECT_KEYS:
        st.session_state[key] = list(view.selected(key))


def reset_filters() -> None:
    """Back to the default view (a callback: runs before the widgets are drawn)."""
    st = _st()
    _apply_view(View())
    st.session_state.pop("dates", None)


def sidebar(
    options: Mapping[str, list[str]],
    data_range: tuple[dt.date | None, dt.date | None],
    min_n: int,
) -> tuple[Filters, View]:
    """Draw the global filters in the sidebar; return the Filters they select."""
    st = _st()
    earliest, latest = data_range
    sb = st.sidebar
    sb.selectbox(_("Period"), list(PRESETS), format_func=lambda k: _(PRESETS[k]), key="period")
    if st.session_state.get("period") == "custom":
        default = st.session_state.get("dates") or (
            resolve_period(DEFAULT_PRESET, latest, earliest) if latest else ()
        )
        if "dates" not in st.session_state and default:
            st.session_state["dates"] = tuple(default)
        # The picker spans the data and whatever a shared link asks for (a value outside
        # the bounds would be an error, not an empty view).
        chosen = [d for d in st.session_state.get("dates") or () if d]
        low = min([d for d in (earliest, *chosen) if d], default=None)
        high = max([d for d in (latest, *chosen) if d], default=None)
        sb.date_input(_("From – to"), key="dates", min_value=low, max_value=high,
                      format=column_date_format())  # fmt: skip
    sb.toggle(_("Compare with previous period"), key="compare")
    for key in FILTER_KEYS:
        _multiselect(sb, key, options)
    with sb.expander(
        _("More filters"), expanded=any(st.session_state.get(k) for k in MORE_FILTER_KEYS)
    ):
        for key in MORE_FILTER_KEYS:
            _multiselect(st, key, options)
    sb.button(
        _("Reset filters"), on_click=reset_filters, icon=":material/restart_alt:", width="stretch"
    )
    view = _view_from_widgets()
    st.session_state[VIEW_PARAMS] = view.to_params()
    write_url()
    return view.to_filters(latest, earliest, min_n), view


def _multiselect(container, key: str, options: Mapping[str, list[str]]) -> None:
    st = _st()
    choices = list(options.get(key, []))
    chosen = [v for v in st.session_state.get(key, []) if v in choices]
    st.session_state[key] = chosen  # drop values this store does not have
    container.multiselect(_(LABELS[key]), choices, key=key, placeholder=_(EVERYTHING[key]))


# An empty multiselect filters nothing: its placeholder says so.
EVERYTHING = {
    "segment": N_("All segments"),
    "region": N_("All regions"),
    "channel": N_("All channels"),
    "touchpoint": N_("All touchpoints"),
    "age_band": N_("All age bands"),
    "gender": N_("All genders"),
    "income_band": N_("All income bands"),
    "survey_channel": N_("All survey channels"),
}


def _view_from_widgets() -> View:
    st = _st()
    state = st.session_state
    preset = state.get("period", DEFAULT_PRESET)
    date_from = date_to = None
    if preset == "custom":
        dates = tuple(state.get("dates") or ())
        if len(dates) == 2:
            date_from, date_to = dates
        elif len(dates) == 1:  # half-picked range in the browser: a single day
            date_from = date_to = dates[0]
    selections = tuple((k, tuple(sorted(state.get(k) or []))) for k in MULTISELECT_KEYS)
    return View(
        preset=preset,
        date_from=date_from,
        date_to=date_to,
        selections=tuple((k, v) for k, v in selections if v),
        compare=bool(state.get("compare", True)),
    )


def url_value(key: str, default, parse: Callable[[list[str]], object] | None = None):
    """Seed a page widget's state ``key`` from the URL once; record it for :func:`write_url`.

    Call before drawing the widget with ``key=key``. ``parse`` turns the URL's
    values into the widget's value (default: the first value); a value it rejects
    (ValueError) falls back to ``default``.
    """
    st = _st()
    if key not in st.session_state:
        raw = st.session_state.get(URL_AT_START, {}).get(key)
        value = default
        if raw:
            try:
                value = parse(raw) if parse else raw[0]
            except (ValueError, TypeError):
                value = default
        st.session_state[key] = value
    st.session_state.setdefault(PAGE_PARAMS, {})[key] = default
    write_url()  # now: a page may st.stop() before the end of the run
    return st.session_state[key]


def write_url() -> None:
    """Write the view, the current page's values and the language to ``st.query_params``.

    The language is always written, so a shared link opens in the sender's language
    (until the receiver switches).
    """
    st = _st()
    params = {URL_PARAM: [current_language()], **st.session_state.get(VIEW_PARAMS, {})}
    for key, default in st.session_state.get(PAGE_PARAMS, {}).items():
        if key not in st.session_state:  # not seeded yet in this run: as the address says
            raw = st.session_state.get(URL_AT_START, {}).get(key)
            if raw:
                params[key] = raw
            continue
        value = st.session_state[key]
        if value == default or value is None or value == "" or value == []:
            continue
        if isinstance(value, list | tuple):
            params[key] = [str(v) for v in value]
        elif isinstance(value, bool):
            params[key] = ["1" if value else "0"]
        else:
            params[key] = [str(value)]
    if params != current_params():
        st.query_params.from_dict(params)
    st.session_state[URL_WRITTEN] = params
