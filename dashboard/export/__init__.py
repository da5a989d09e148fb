"""Exports: charts as PNG/SVG/PDF (or interactive HTML), tables as CSV/XLSX, PDF report packs.

The functions take a plotly Figure or a polars DataFrame plus an
:class:`ExportContext` (title, filters in words, as-of time, source), so they do
not depend on how a view was computed. ``cxdash export`` (registered here) glues
them to the service and chart builders through :mod:`dashboard.export.views`.

- :func:`figure_bytes` / :func:`figure_html` -- see :mod:`dashboard.export.charts`
- :func:`table_csv` / :func:`table_xlsx` -- see :mod:`dashboard.export.tables`
- :func:`report_pdf` -- see :mod:`dashboard.export.report`
- one Chromium session for all of them -- see :mod:`dashboard.export.render`
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

# The public names live in the export_* modules and are loaded on first use, so that
# every `cxdash` command (which registers this module's sub-commands) does not pay
# for pypdf, xlsxwriter and plotly at start-up.
_PUBLIC = {
    "ExportContext": "dashboard.export.charts",
    "figure_bytes": "dashboard.export.charts",
    "figure_html": "dashboard.export.charts",
    "with_context": "dashboard.export.charts",
    "ChromiumUnavailable": "dashboard.export.render",
    "chromium_available": "dashboard.export.render",
    "close_session": "dashboard.export.render",
    "find_chromium": "dashboard.export.render",
    "warm_up": "dashboard.export.render",
    "ReportSection": "dashboard.export.report",
    "report_pdf": "dashboard.export.report",
    "EXCEL_MAX_DATA_ROWS": "dashboard.export.tables",
    "neutralise_formulas": "dashboard.export.tables",
    "table_csv": "dashboard.export.tables",
    "table_xlsx": "dashboard.export.tables",
}


if TYPE_CHECKING:  # the same names, for type checkers and readers
    from dashboard.export.charts import ExportContext, figure_bytes, figure_html, with_context
    from dashboard.export.render import (
        ChromiumUnavailable,
        chromium_available,
        close_session,
        find_chromium,
        warm_up,
    )
    from dashboard.export.report import ReportSection, report_pdf
    from dashboard.export.tables import (
        EXCEL_MAX_DATA_ROWS,
        neutralise_formulas,
        table_csv,
        table_xlsx,
    )


def __getattr__(name: str):
    if name in _PUBLIC:
        return getattr(importlib.import_module(_PUBLIC[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "EXCEL_MAX_DATA_ROWS",
    "ChromiumUnavailable",
    "ExportContext",
    "ReportSection",
    "chromium_available",
    "close_session",
    "figure_bytes",
    "figure_html",
    "find_chromium",
    "neutralise_formulas",
    "report_pdf",
    "table_csv",
    "table_xlsx",
    "warm_up",
    "with_context",
]
