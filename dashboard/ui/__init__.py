"""Streamlit helpers for the pages: the cached boundary (``cache``), widgets <-> URL
(``url_state``), the session's language (``language``), page furniture and outputs
(``page``), tables in the session's language (``tables``), comment cards (``comments``) and
download buttons (``downloads``). Pages use the names below.
"""

from __future__ import annotations

from dashboard.ui.cache import (
    EMPTY_STORE,
    call,
    data_changed,
    data_version,
    engine,
    new_run,
    run,
    store_status,
    store_url,
)
from dashboard.ui.comments import BAND_BADGE, SHORT_CHARS, comment_cards
from dashboard.ui.customers import risk_headline
from dashboard.ui.data_admin import health_panel, preview_table, summary_tables_panel
from dashboard.ui.drilldown import cell_panel
from dashboard.ui.kpi_tiles import kpi_tiles
from dashboard.ui.language import language_switch, start_language
from dashboard.ui.markdown import md
from dashboard.ui.page import (
    NO_DATA,
    PLOTLY_CONFIG,
    being_updated,
    broken_rule,
    chart,
    dimension_label,
    export_context,
    filters,
    friendly_errors,
    header,
    no_data,
    option_list,
    report_button,
    table,
    top_groups,
    view,
)
from dashboard.ui.signin import account_box, no_sign_in_banner, require, sign_in
from dashboard.ui.styles import halves
from dashboard.ui.tables import date_column, datetime_column, headers, number_column, text_column
from dashboard.ui.url_state import (
    EVERYTHING,
    current_params,
    keep_filters,
    reset_filters,
    seed_from_url,
    sidebar,
    url_value,
    widget_value,
    write_url,
)
from dashboard.ui.why import drivers_link, funnel_satisfaction_panel

__all__ = [
    "account_box",
    "no_sign_in_banner",
    "require",
    "sign_in",
    "BAND_BADGE",
    "SHORT_CHARS",
    "EMPTY_STORE",
    "EVERYTHING",
    "md",
    "NO_DATA",
    "PLOTLY_CONFIG",
    "being_updated",
    "broken_rule",
    "call",
    "cell_panel",
    "chart",
    "comment_cards",
    "data_changed",
    "data_version",
    "new_run",
    "drivers_link",
    "health_panel",
    "preview_table",
    "summary_tables_panel",
    "current_params",
    "date_column",
    "datetime_column",
    "headers",
    "language_switch",
    "number_column",
    "start_language",
    "text_column",
    "dimension_label",
    "engine",
    "export_context",
    "filters",
    "friendly_errors",
    "funnel_satisfaction_panel",
    "header",
    "keep_filters",
    "kpi_tiles",
    "no_data",
    "option_list",
    "report_button",
    "top_groups",
    "reset_filters",
    "risk_headline",
    "run",
    "seed_from_url",
    "sidebar",
    "store_status",
    "store_url",
    "table",
    "url_value",
    "widget_value",
    "halves",
    "view",
    "write_url",
]
