"""The Streamlit entry script: page routing, global filters, store states, URL sync.

Run with ``cxdash serve`` (or ``streamlit run dashboard/app.py``). The pages live
in the top-level ``pages/`` folder and are routed here by absolute path; this
file's own folder has no ``pages/`` so Streamlit stays out of its legacy
pages-folder mode.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from dashboard import access, service, ui
from dashboard.config import get_settings
from dashboard.i18n import _

PAGES_DIR = Path(__file__).resolve().parent.parent / "pages"
DATA_PAGE = PAGES_DIR / "data.py"

st.set_page_config(
    page_title="CX Insights", page_icon=":material/insights:", layout="wide",
    initial_sidebar_state="expanded",
)  # fmt: skip


def _page(file: str, title: str, icon: str, default: bool = False) -> st.Page:
    # The URL path is the file's stem (/funnel_touchpoints, /segments, ...).
    return st.Page(PAGES_DIR / file, title=title, icon=icon, url_path=Path(file).stem,
                   default=default)  # fmt: skip


def customer_pages() -> dict[str, list[st.Page]]:
    """The customer grain's pages, for the roles that may open them (managers and up)."""
    pages = []
    if access.may("customers"):
        pages += [
            _page("customer_lists.py", _("At-risk & promoters"), ":material/crisis_alert:"),
            _page("customer.py", _("Customer"), ":material/person_search:"),
        ]
    if access.may("followup"):
        pages.append(_page("followup_queue.py", _("Follow-up queue"), ":material/support_agent:"))
    return {_("Customers"): pages} if pages else {}


def navigation() -> st.Page:
    # Titles in the session's language: the navigation is rebuilt on every run.
    sections = {
        _("Dashboard"): [
            _page("overview.py", _("Overview"), ":material/dashboard:", default=True),
            _page("funnel_touchpoints.py", _("Funnel & touchpoints"), ":material/filter_alt:"),
            _page("drivers.py", _("Key drivers"), ":material/target:"),
            _page("segments.py", _("Segments"), ":material/groups:"),
            _page("nps_trends.py", _("NPS trends"), ":material/show_chart:"),
            _page("feedback.py", _("Feedback"), ":material/forum:"),
        ]
    }
    sections.update(customer_pages())
    if DATA_PAGE.exists():  # the Data / import page is optional
        sections[_("Admin")] = [_page("data.py", _("Data"), ":material/upload_file:")]
    return st.navigation(sections)


def main() -> None:
    ui.start_language(get_settings().language)  # first: every word below is in it
    page = navigation()
    ui.language_switch()
    ui.seed_from_url()
    try:
        run(page)
    finally:
        ui.write_url()


def run(page: st.Page) -> None:
    if page.url_path == "data":
        page.run()  # the Data page works on an empty or missing store
        return
    status, message = ui.store_status()
    if status == "unavailable":
        st.error("**" + _("Cannot open the data store.") + "** " + message,
                 icon=":material/database:")  # fmt: skip
        return
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
    page.run()


main()
