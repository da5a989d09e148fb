"""Download buttons: drawn without rendering anything; the bytes come on click."""

from __future__ import annotations

import io
import os
import subprocess
import sys

import polars as pl
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from dashboard.export import render as export_render


@pytest.fixture
def recorded(monkeypatch, tmp_path) -> dict[str, dict]:
    """Every download button's arguments, by label (the data callables included). Clicks
    go on the audit trail of a store of their own."""
    monkeypatch.setenv("CXDASH_DATABASE_URL", f"duckdb:///{tmp_path / 'audit.duckdb'}")
    st.cache_resource.clear()
    buttons: dict[str, dict] = {}
    original = st.download_button

    def recording(label, data, **kwargs):
        buttons[label] = {"data": data, **kwargs}
        return original(label, data, **kwargs)

    monkeypatch.setattr(st, "download_button", recording)
    return buttons


def chart_and_table_app():
    import plotly.graph_objects as go
    import polars as pl

    from dashboard import access
    from dashboard.export.charts import ExportContext
    from dashboard.ui.downloads import chart_downloads, table_downloads

    access.set_viewer(access.Viewer("an@example.vn", "analyst"))  # what sign-in does
    context = ExportContext(title="Segment KPIs", filters_words="Jan–Mar 2025 · Hà Nội")
    chart_downloads(go.Figure(go.Bar(x=["a", "b"], y=[1, 2])), name="nps by segment",
                    context=context)  # fmt: skip
    table_downloads(pl.DataFrame({"segment": ["=SMB", "Doanh nghiệp"], "n": [-5, 3]}),
                    name="segments", context=context)  # fmt: skip


def test_buttons_render_nothing_until_clicked(recorded, monkeypatch):
    calls = []
    monkeypatch.setattr(export_render, "render", lambda *a, **k: calls.append(a) or b"")
    at = AppTest.from_function(chart_and_table_app, default_timeout=30).run()
    assert not at.exception
    labels = [e.proto.label for e in at.get("download_button")]
    expected = ["PNG", "SVG", "PDF", "CSV", "XLSX"]
    if not export_render.chromium_available():
        expected = ["HTML", "CSV", "XLSX"]
    assert labels == expected
    assert calls == []  # nothing rendered while the page drew
    assert all(callable(b["data"]) for b in recorded.values())
    assert all(b["on_click"] == "ignore" for b in recorded.values())
    assert recorded["CSV"]["file_name"].startswith("cx-segments-")
    assert recorded["CSV"]["file_name"].endswith(".csv")


def test_table_buttons_produce_safe_files_on_click(recorded):
    AppTest.from_function(chart_and_table_app, default_timeout=30).run()
    csv = recorded["CSV"]["data"]()
    assert csv.startswith(b"\xef\xbb\xbf")
    back = pl.read_csv(io.BytesIO(csv))
    assert back["segment"].to_list() == ["'=SMB", "Doanh nghiệp"]
    assert back["n"].to_list() == [-5, 3]
    xlsx = recorded["XLSX"]["data"]()
    back = pl.read_excel(io.BytesIO(xlsx), sheet_name="Segment KPIs")
    assert back["segment"].to_list() == ["'=SMB", "Doanh nghiệp"]
    assert recorded["XLSX"]["mime"].endswith("spreadsheetml.sheet")


def test_chart_buttons_render_png_on_click(recorded):
    if not export_render.chromium_available():
        if os.environ.get("CI"):
            pytest.fail("no Chromium: `apt-get install chromium` or set BROWSER_PATH")
        pytest.skip("no Chromium: `apt-get install chromium` or set BROWSER_PATH")
    AppTest.from_function(chart_and_table_app, default_timeout=30).run()
    png = recorded["PNG"]["data"]()
    assert png.startswith(b"\x89PNG")
    assert recorded["PNG"]["mime"] == "image/png"
    assert b"<svg" in recorded["SVG"]["data"]()[:200]


def test_without_chromium_the_chart_offers_html_and_says_why(recorded, monkeypatch, tmp_path):
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "missing"))
    at = AppTest.from_function(chart_and_table_app, default_timeout=30).run()
    assert not at.exception
    assert [e.proto.label for e in at.get("download_button")] == ["HTML", "CSV", "XLSX"]
    assert any("apt-get install chromium" in c.value for c in at.caption)
    page = recorded["HTML"]["data"]()
    assert b"Plotly.newPlot" in page and "Hà Nội".encode() in page


def report_app():
    import datetime as dt

    from dashboard import db
    from dashboard.ui.downloads import report_button
    from queries.filters import Filters

    engine = db.create_engine("duckdb:///:memory:")
    f = Filters(date_from=dt.date(2025, 1, 1), date_to=dt.date(2025, 3, 31))
    report_button(engine, f, page="funnel", by="region")


def test_report_button_is_lazy_and_disabled_without_chromium(recorded, monkeypatch, tmp_path):
    at = AppTest.from_function(report_app, default_timeout=30).run()
    assert not at.exception
    if export_render.chromium_available():
        assert recorded["Export report"]["file_name"].startswith("cx-report-funnel-")
        assert callable(recorded["Export report"]["data"])
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "missing"))
    at = AppTest.from_function(report_app, default_timeout=30).run()
    assert at.button[0].disabled
    assert any("BROWSER_PATH" in c.value for c in at.caption)


def test_exports_import_no_streamlit():
    """Cron jobs (``cxdash export``) run the export modules without Streamlit."""
    code = (
        "import sys, dashboard.export, dashboard.export.views; sys.exit('streamlit' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
