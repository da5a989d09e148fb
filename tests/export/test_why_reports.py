"""The Key drivers report pack (``cxdash export report --page drivers``) and the "why"
charts and tables in ``cxdash export``, on the small demo store. Text is read back from
the PDF with pypdf."""

from __future__ import annotations

import polars as pl

from dashboard import cli, db, why
from dashboard.charts.funnel import step_label
from dashboard.export.views import with_period
from dashboard.metrics.funnel_satisfaction import clearest_gap
from queries.filters import Filters
from tests.export import test_export
from tests.export.test_export import pdf_text, squashed

# test_export's fixtures: Chromium (skip with the fix outside CI) and the small demo store.
chromium = test_export.chromium
small_demo = test_export.small_demo


def test_cli_report_drivers_has_quadrant_bars_and_the_reading(
    chromium, small_demo, monkeypatch, capsys, tmp_path
):
    monkeypatch.setenv("CXDASH_DATABASE_URL", small_demo)
    out = tmp_path / "drivers.pdf"
    code = cli.main(["export", "report", "--page", "drivers", "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    pages = pdf_text(out.read_bytes())
    assert len(pages) == 4  # cover, KPIs, quadrant, ranked bars
    assert "CX Insights — Key drivers of NPS" in pages[0]
    assert "Key drivers of NPS: importance against CSAT target" in pages[2]
    assert "Key drivers of NPS, ranked" in pages[3]
    assert "Fix first" in pages[2] and "Johnson" in pages[3]
    engine = db.create_engine(small_demo)
    try:
        f = with_period(engine, Filters())
        reading = why.drivers_reading(why.key_drivers(engine, f))
    finally:
        engine.dispose()
    assert squashed(reading) in squashed(pages[2])  # the one-paragraph reading
    assert all(f"Page {i} of 4" in text for i, text in enumerate(pages, start=1))


def test_funnel_pack_names_the_clearest_gap(chromium, small_demo, monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("CXDASH_DATABASE_URL", small_demo)
    out = tmp_path / "funnel.pdf"
    code = cli.main(["export", "report", "--page", "funnel", "--metric", "csat", "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    last = pdf_text(out.read_bytes())[-1]
    assert "CSAT of customers who converted vs dropped, at each funnel step" in last
    engine = db.create_engine(small_demo)
    try:
        table = why.funnel_satisfaction(engine, with_period(engine, Filters()), metric="csat")
    finally:
        engine.dispose()
    gap = clearest_gap(table)
    words = (
        f"The clearest gap: at → {step_label(gap['step'])}, {gap['touchpoint']} CSAT is "
        f"{gap['value_dropped']:.1f}% for those who dropped out against "
        f"{gap['value_converted']:.1f}% for those who converted."
    )
    assert squashed(words) in squashed(last)


def test_cli_exports_the_why_charts_and_tables(chromium, small_demo, monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("CXDASH_DATABASE_URL", small_demo)
    for name in ("funnel-satisfaction", "drivers", "drivers-ranked"):
        out = tmp_path / f"{name}.svg"
        assert cli.main(["export", "chart", name, "--out", str(out)]) == 0, name
        assert out.read_bytes().startswith(b"<svg")
    out = tmp_path / "drivers.csv"
    assert cli.main(["export", "table", "drivers", "--out", str(out)]) == 0
    table = pl.read_csv(out)
    assert table.columns[:4] == ["touchpoint", "importance", "direction", "n"]
    out = tmp_path / "fs.csv"
    assert cli.main(["export", "table", "funnel-satisfaction", "--metric", "csat",
                     "--out", str(out)]) == 0  # fmt: skip
    assert pl.read_csv(out)["step"][0] == "signup"
    capsys.readouterr()
