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
from collections.abc import Callable, Iterable, Mapping

from dashboard import access
from dashboard.charts.labels import group_label
from dashboard.i18n import N_, URL_PARAM, _, current_language
from dashboard.i18n.formats import column_date_format
from dashboard.state import (
    COMPARISON_LABELS,
    DEFAULT_PRESET,
    FILTER_KEYS,
    LABELS,
    MORE_FILTER_KEYS,
    MULTISELECT_KEYS,
    PRESETS,
    View,
    resolve_period,
)
from queries.filters import COMPARISONS, Filters, choices

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
    st.session_state["vs"] = view.against
    if view.preset == "custom" and view.date_from and view.date_to:
        st.session_state["dates"] = (view.date_from, view.date_to)
    for key in MULTISELECT_KEYS:
        st.session_state[key] = list(view.selected(key))


def keep_filters() -> None:
    """For a run that does not draw the sidebar (the store cannot answer, or is being
    updated): Streamlit forgets the state of widgets a run does not draw, so without this
    the filters fall back to their defaults when the store comes back."""
    st = _st()
    for key in ("period", "compare", "dates", *MULTISELECT_KEYS):
        if key in st.session_state:
            st.session_state[key] = st.session_state.get(key)


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
    sb.toggle(_("Compare with an earlier period"), key="compare")
    if st.session_state.get("compare"):
        if st.session_state.get("vs") not in COMPARISONS:
            st.session_state["vs"] = COMPARISONS[0]
        sb.radio(_("Compare with"), list(COMPARISONS), key="vs", horizontal=True,
                 format_func=lambda k: _(COMPARISON_LABELS[k]).capitalize(),
                 help=_("Last year's same days suit seasons that move, like Tết."))  # fmt: skip
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
    return view.to_filters(latest, earliest, min_n, known=options, closed=_closed()), view


def _closed() -> set[str]:
    """Dimensions the viewer's scope restricts: no "(unknown)" there (they never see it)."""
    return set(access.current_viewer().scope.as_dict())


def _multiselect(container, key: str, options: Mapping[str, list[str]]) -> None:
    st = _st()
    # A dimension also offers "(unknown)": customers with no recorded value.
    values = choices(key, options.get(key, []), unknown=key not in _closed())
    chosen = [v for v in st.session_state.get(key, []) if v in values]
    st.session_state[key] = chosen  # drop values this store does not have
    container.multiselect(_(LABELS[key]), values, key=key, placeholder=_(EVERYTHING[key]),
                          format_func=group_label)  # fmt: skip


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
        against=state.get("vs") if state.get("vs") in COMPARISONS else COMPARISONS[0],
    )


def url_value(key: str, default, parse: Callable[[list[str]], object] | None = None):
    """Seed a page widget's state ``key`` from the URL once; record it for :func:`write_url`.

    Call before drawing the widget with ``key=key``. ``parse`` turns the URL's
    values into the widget's value (default: the first value); a value it rejects
    (ValueError) falls back to ``default``.
    """
    st = _st()
    # Missing, or emptied (None) although the widget needs a value: seed it again.
    if st.session_state.get(key) is None and (default is not None or key not in st.session_state):
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
    return st.session_state.get(key, default)


def widget_value(key: str, default, allowed: Iterable | None = None):
    """Widget ``key``'s value, read safely: ``default`` when the widget has not set it (yet),
    holds None, or holds a value outside ``allowed`` (a list value keeps its allowed items).

    Pages read their widgets through this, never ``st.session_state[key]``: with many
    sessions starting at once, a run can reach the read before the widget has a value.
    """
    value = _st().session_state.get(key)
    if value is None:
        return default
    if allowed is not None:
        allowed = list(allowed)
        if isinstance(value, list | tuple):
            return [v for v in value if v in allowed]
        if value not in allowed:
            return default
    return value


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
        value = st.session_state.get(key)
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
