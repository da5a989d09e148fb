"""Download buttons for charts, tables and report packs (the pages call these via ui.py).

Nothing is rendered while a page draws: every button gets a callable as its
``data``, which Streamlit runs only when the button is clicked (on its own
thread, without rerunning the page). When no Chromium is installed the chart
buttons fall back to interactive HTML and say how to get PNG/SVG/PDF back.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import plotly.graph_objects as go
import polars as pl
import sqlalchemy as sa
import streamlit as st

from dashboard import access, audit
from dashboard.export import render as export_render
from dashboard.export.charts import ExportContext, figure_bytes, figure_html
from dashboard.export.tables import EXCEL_MAX_DATA_ROWS, table_csv, table_xlsx
from queries.filters import Filters

MIME = {
    "png": "image/png",
    "svg": "image/svg+xml",
    "pdf": "application/pdf",
    "html": "text/html",
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def file_stem(name: str) -> str:
    """``cx-<name>-<today>``: a safe file name that sorts by date."""
    slug = re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-").lower() or "export"
    return f"cx-{slug}-{dt.date.today().isoformat()}"


def _button(label: str, data: Callable[[], bytes], fmt: str, *, name: str, help: str = "") -> None:
    st.download_button(
        label,
        data=data,
        file_name=f"{file_stem(name)}.{fmt}",
        mime=MIME[fmt],
        key=f"_cx_download_{name}_{fmt}",
        on_click="ignore",
        help=help or None,
        icon=":material/download:",
    )


def _recorded(build: Callable[[], bytes], *, detail: str, rows: int | None = None):
    """``build`` as the viewer of this run (Streamlit runs it on another thread), putting
    the export on the audit trail once the file is made: no file leaves off the record."""
    from dashboard.ui.cache import engine

    store = engine()

    def export() -> bytes:
        data = build()
        audit.record("export", detail=detail, rows=rows, engine=store)
        return data

    return access.bound(export)


def _warm_browser() -> None:
    """Start the export browser in the background under a real server, so the first
    click does not wait seconds for Chromium (not in AppTest or bare scripts)."""
    from streamlit import runtime

    # AppTest installs a mock runtime: page tests must not start browsers.
    if runtime.exists() and type(runtime.get_instance()) is runtime.Runtime:
        export_render.warm_up()


def chart_downloads(fig: go.Figure, *, name: str, context: ExportContext) -> None:
    """PNG (2x), SVG and PDF buttons for ``fig`` with its context in a footnote; interactive
    HTML instead when the server has no Chromium."""
    if export_render.chromium_available():
        _warm_browser()
        for fmt, label in (("png", "PNG"), ("svg", "SVG"), ("pdf", "PDF")):
            _button(
                label,
                _recorded(
                    lambda fmt=fmt: figure_bytes(fig, fmt, context=context),
                    detail=f"chart {name} ({fmt})",
                ),  # fmt: skip
                fmt,
                name=name,
                help=f"{label} with title, filters, as-of time and source",
            )
        return
    html = _recorded(lambda: figure_html(fig, context), detail=f"chart {name} (html)")
    _button("HTML", html, "html", name=name,
            help="Interactive chart (works offline)")  # fmt: skip
    try:
        export_render.find_chromium()
    except export_render.ChromiumUnavailable as exc:
        st.caption(f"PNG/SVG/PDF unavailable: {exc}")


def table_downloads(frame: pl.DataFrame, *, name: str, context: ExportContext) -> None:
    """CSV (UTF-8 with BOM) and XLSX buttons; XLSX is disabled, with the reason, when the
    table exceeds Excel's row limit."""
    rows = frame.height
    csv = _recorded(lambda: table_csv(frame), detail=f"table {name} (csv)", rows=rows)
    _button("CSV", csv, "csv", name=name,
            help="UTF-8 CSV that Excel opens with Vietnamese text intact")  # fmt: skip
    if frame.height > EXCEL_MAX_DATA_ROWS:
        st.caption(
            f"XLSX unavailable: {frame.height:,} rows exceed Excel's {EXCEL_MAX_DATA_ROWS:,}. "
            "Use CSV or narrow the filters."
        )
        return
    sheet = context.title or name
    xlsx = _recorded(lambda: table_xlsx(frame, sheet=sheet, context=context),
                     detail=f"table {name} (xlsx)", rows=rows)  # fmt: skip
    _button("XLSX", xlsx, "xlsx",
            name=name, help="Excel workbook: typed columns, frozen header")  # fmt: skip


def report_button(
    engine: sa.Engine,
    f: Filters,
    *,
    page: str,
    by: str | None = None,
    metric: str = "nps",
    steps: tuple[str, ...] | None = None,
    window_days: float | None = None,
    label: str = "Export report",
) -> None:
    """A button producing the page's PDF report pack (cover, KPIs, every chart) on click."""
    from dashboard.export.views import report_for
    from dashboard.views import Options

    options = Options(by=by, metric=metric, steps=steps, window_days=window_days)
    try:
        export_render.find_chromium()
    except export_render.ChromiumUnavailable as exc:
        st.button(label, disabled=True, key=f"_cx_report_{page}", icon=":material/picture_as_pdf:")
        st.caption(f"Report export unavailable: {exc}")
        return
    _warm_browser()
    st.download_button(
        label,
        data=_recorded(lambda: report_for(engine, page, f, options), detail=f"report {page}"),
        file_name=f"{file_stem('report-' + page)}.pdf",
        mime=MIME["pdf"],
        key=f"_cx_report_{page}",
        on_click="ignore",
        icon=":material/picture_as_pdf:",
        help="PDF: cover with the filters, KPI table with deltas, every chart with a caption",
    )
