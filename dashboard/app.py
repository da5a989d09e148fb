"""The Streamlit entry script: page routing, global filters, store states, URL sync.

Run with ``cxdash serve`` (or ``streamlit run dashboard/app.py``). The pages live
in the top-level ``pages/`` folder and are routed here by absolute path; this
file's own folder has no ``pages/`` so Streamlit stays out of its legacy
pages-folder mode.
"""

from __future__ import annotations

import logging
from pathlib import Path

import streamlit as st

from dashboard.ui.startup import warm_up

warm_up()  # first: pandas & co. complete before any session draws (concurrent first runs)

from dashboard import db, service, ui  # noqa: E402
from dashboard.access import Viewer  # noqa: E402
from dashboard.config import get_settings  # noqa: E402
from dashboard.i18n import _  # noqa: E402

log = logging.getLogger("dashboard.app")

PAGES_DIR = Path(__file__).resolve().parent.parent / "pages"
DATA_PAGE = PAGES_DIR / "data.py"
# What a viewer's role must allow to see each page (dashboard.access.ACTIONS); a page
# not listed needs "dashboards". The navigation offers only what the role allows.
PAGE_NEEDS = {"feedback.py": "comments", "customer_lists.py": "customers",
              "customer.py": "customers", "followup_queue.py": "followup",
              "sentiment_model.py": "labels",
              "themes.py": "settings", "data.py": "imports", "users.py": "users",
              "audit.py": "audit"}  # fmt: skip

st.set_page_config(
    page_title="CX Insights", page_icon=":material/insights:", layout="wide",
    initial_sidebar_state="auto",  # collapsed on a phone, where it would cover the page
)  # fmt: skip


def _page(file: str, title: str, icon: str, default: bool = False) -> st.Page:
    # The URL path is the file's stem (/funnel_touchpoints, /segments, ...).
    return st.Page(PAGES_DIR / file, title=title, icon=icon, url_path=Path(file).stem,
                   default=default)  # fmt: skip


def navigation(viewer: Viewer) -> st.Page:
    # Titles in the session's language: the navigation is rebuilt on every run, and lists
    # only the pages the viewer's role may open (PAGE_NEEDS).
    pages = {
        _("Dashboard"): [
            ("overview.py", _("Overview"), ":material/dashboard:"),
            ("funnel_touchpoints.py", _("Funnel & touchpoints"), ":material/filter_alt:"),
            ("drivers.py", _("Key drivers"), ":material/target:"),
            ("segments.py", _("Segments"), ":material/groups:"),
            ("nps_trends.py", _("NPS trends"), ":material/show_chart:"),
            ("feedback.py", _("Feedback"), ":material/forum:"),
            ("comments.py", _("What customers say"), ":material/reviews:"),
        ],
        _("Customers"): [
            ("customer_lists.py", _("At-risk & promoters"), ":material/crisis_alert:"),
            ("customer.py", _("Customer"), ":material/person_search:"),
            ("followup_queue.py", _("Follow-up queue"), ":material/support_agent:"),
        ],
        _("Admin"): [
            ("data.py", _("Data"), ":material/upload_file:"),
            ("sentiment_model.py", _("Sentiment model"), ":material/model_training:"),
            ("themes.py", _("Themes"), ":material/sell:"),
            ("users.py", _("Users"), ":material/manage_accounts:"),
            ("audit.py", _("Audit trail"), ":material/policy:"),
        ],
    }
    sections = {}
    for section, entries in pages.items():
        allowed = [
            _page(file, title, icon, default=file == "overview.py")
            for file, title, icon in entries
            if viewer.may(PAGE_NEEDS.get(file, "dashboards")) and (PAGES_DIR / file).exists()
        ]
        if allowed:
            sections[section] = allowed
    return st.navigation(sections)


def run_page(page: st.Page) -> None:
    """Run the page; with error details hidden (``cxdash serve``), an unexpected error
    shows a friendly message and goes to the server's log with its traceback."""
    if st.get_option("client.showErrorDetails") not in ("none", False, "false"):
        try:
            page.run()  # development and tests: Streamlit shows the error itself
        except db.StoreBusy as exc:  # an import writes the embedded store: not an error
            ui.being_updated(str(exc))
        return
    try:
        page.run()
    except db.StoreBusy as exc:
        ui.being_updated(str(exc))
    except Exception:
        log.exception("page %r failed", page.title)
        st.error(
            _("Something went wrong on this page. It has been logged for the administrator; "
              "try again, or change the filters."),
            icon=":material/error:",
        )  # fmt: skip


def main() -> None:
    ui.start_language(get_settings().language)  # first: every word below is in it
    ui.new_run()  # this run reads the store's data version afresh (the cache keys hold it)
    viewer = ui.sign_in()  # stops here, with a sign-in or denied page, for nobody known
    page = navigation(viewer)
    ui.language_switch()
    ui.account_box(viewer)
    ui.no_sign_in_banner(viewer)
    ui.seed_from_url(page.url_path)
    try:
        run(page)
    except BaseException as exc:
        # st.stop() ends the page early: its address is still written. st.rerun() is a
        # new run that writes it: written now, after the rerun took the old address, the
        # next run would take the old one for the browser's Back button.
        if type(exc).__name__ != "RerunException":
            ui.write_url()
        raise
    ui.write_url()


def run(page: st.Page) -> None:
    if page.url_path in {"data", "users", "audit"}:
        run_page(page)  # admin pages work on an empty or missing store
        return
    status, message = ui.store_status()
    if status != "ok":
        ui.keep_filters()  # the sidebar is not drawn: keep them for when the store is back
    if status == "unavailable":
        st.error("**" + _("Cannot open the data store.") + "** " + message,
                 icon=":material/database:")  # fmt: skip
        return
    if status == "busy":
        ui.being_updated(message)
    if status == "empty":
        st.title("CX Insights", anchor=False)
        st.info(message, icon=":material/inventory_2:")
        return
    with ui.friendly_errors():
        options = ui.call(service.options)
        data_range = ui.call(service.data_range)
    st.sidebar.markdown("#### :material/tune: " + _("Filters"))
    f, view = ui.sidebar(options, data_range, get_settings().min_n)
    st.session_state["_cx_filters"] = f
    st.session_state["_cx_view"] = view
    st.session_state["_cx_options"] = options
    st.session_state["_cx_data_range"] = data_range
    run_page(page)


main()
