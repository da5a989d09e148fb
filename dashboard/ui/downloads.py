"""Download buttons for charts, tables and report packs (the pages call these via ui.py).

Nothing is rendered while a page draws: every button gets a callable as its
``data``, which Streamlit runs only when the button is clicked (on its own
thread, without rerunning the page). When no Chromium is installed the chart
buttons fall back to interactive HTML and say how to get PNG/SVG/PDF back.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable

import plotly.graph_objects as go
import polars as pl
import sqlalchemy as sa
import streamlit as st

from dashboard import access, audit
from dashboard.export import render as export_render
from dashboard.export.charts import ExportContext, figure_bytes, figure_html
from dashboard.export.tables import EXCEL_MAX_DATA_ROWS, table_csv, table_xlsx
from dashboard.i18n import SOURCE_LANGUAGE, _, current_language, language
from dashboard.i18n.formats import fmt_int
from queries.filters import Filters

MIME = {
    "png": "image/png",
    "svg": "image/svg+xml",
    "pdf": "application/pdf",
    "html": "text/html",
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


MAX_SLUG = 48


def _ascii(text: str) -> str:
    """Vietnamese without diacritics (đ -> d), so a file name survives every system."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def file_stem(name: str) -> str:
    """``cx-<name>-<today>``: a safe file name that sorts by date."""
    slug = re.sub(r"[^A-Za-z0-9]+", "-", _ascii(name)).strip("-").lower() or "export"
    if len(slug) > MAX_SLUG:
        slug = slug[:MAX_SLUG].rsplit("-", 1)[0]
    return f"cx-{slug}-{dt.date.today().isoformat()}"


def download_name(name: str, title: str = "") -> str:
    """The stem of a download: English keeps the short names it always had (``cx-funnel-
    <today>``); other languages name the file after its title in that language
    (``cx-so-khach-hang-dat-tung-buoc-cua-pheu-<today>``)."""
    if current_language() == SOURCE_LANGUAGE or not title:
        return file_stem(name)
    return file_stem(title)


def in_this_language(build: Callable[[], bytes]) -> Callable[[], bytes]:
    """``build`` run in the session's current language: Streamlit runs a download's
    callable on another thread when it is clicked, where the language would be English."""
    lang = current_language()

    def run() -> bytes:
        with language(lang):
            return build()

    return run


def _button(
    label: str, data: Callable[[], bytes], fmt: str, *, name: str, help: str = "", title: str = ""
) -> None:
    st.download_button(
        label,
        data=in_this_language(data),
        file_name=f"{download_name(name, title)}.{fmt}",
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
                help=_("{format} with title, filters, as-of time and source").format(format=label),
                title=context.title,
            )
        return
    html = _recorded(lambda: figure_html(fig, context), detail=f"chart {name} (html)")
    _button("HTML", html, "html", name=name, title=context.title,
            help=_("Interactive chart (works offline)"))  # fmt: skip
    try:
        export_render.find_chromium()
    except export_render.ChromiumUnavailable as exc:
        st.caption(_("PNG/SVG/PDF unavailable: {reason}").format(reason=exc))


def table_downloads(frame: pl.DataFrame, *, name: str, context: ExportContext) -> None:
    """CSV (UTF-8 with BOM) and XLSX buttons; XLSX is disabled, with the reason, when the
    table exceeds Excel's row limit."""
    rows = frame.height
    csv = _recorded(lambda: table_csv(frame), detail=f"table {name} (csv)", rows=rows)
    _button("CSV", csv, "csv", name=name, title=context.title,
            help=_("UTF-8 CSV that Excel opens with Vietnamese text intact"))  # fmt: skip
    if frame.height > EXCEL_MAX_DATA_ROWS:
        st.caption(
            _(
                "XLSX unavailable: {rows} rows exceed Excel's {limit}. Use CSV or narrow the "
                "filters."
            ).format(rows=fmt_int(frame.height), limit=fmt_int(EXCEL_MAX_DATA_ROWS))
        )
        return
    sheet = context.title or name
    xlsx = _recorded(lambda: table_xlsx(frame, sheet=sheet, context=context),
                     detail=f"table {name} (xlsx)", rows=rows)  # fmt: skip
    _button("XLSX", xlsx, "xlsx", name=name, title=context.title,
            help=_("Excel workbook: typed columns, frozen header"))  # fmt: skip


def report_button(
    engine: sa.Engine,
    f: Filters,
    *,
    page: str,
    by: str | None = None,
    metric: str = "nps",
    steps: tuple[str, ...] | None = None,
    window_days: float | None = None,
    grain: str = "month",
    band: str | None = None,
    search: str | None = None,
    top: int | None = None,
    label: str | None = None,
) -> None:
    """A button producing the page's PDF report pack (cover, KPIs, every chart) on click,
    in the session's language."""
    from dashboard.export.views import report_for
    from dashboard.views import Options
    from dashboard.views.reports import REPORTS

    label = label if label is not None else _("Export report")
    options = Options(by=by, metric=metric, steps=steps, window_days=window_days, grain=grain,
                      band=band, search=search, top=top)  # fmt: skip
    try:
        export_render.find_chromium()
    except export_render.ChromiumUnavailable as exc:
        st.button(label, disabled=True, key=f"_cx_report_{page}", icon=":material/picture_as_pdf:")
        st.caption(_("Report export unavailable: {reason}").format(reason=exc))
        return
    _warm_browser()
    title = _("Report {page}").format(page=_(REPORTS[page].title)) if page in REPORTS else ""
    st.download_button(
        label,
        data=in_this_language(
            _recorded(lambda: report_for(engine, page, f, options), detail=f"report {page}")
        ),
        file_name=f"{download_name('report-' + page, title)}.pdf",
        mime=MIME["pdf"],
        key=f"_cx_report_{page}",
        on_click="ignore",
        icon=":material/picture_as_pdf:",
        help=_("PDF: cover with the filters, KPI table with deltas, every chart with a caption"),
    )
