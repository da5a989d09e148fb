"""Exports: charts (PNG/SVG/PDF/HTML), tables (CSV/XLSX), report packs, the CLI.

Chromium-dependent tests share one kaleido session (as the product does). Without
/usr/bin/chromium they are skipped with the install hint -- and fail under CI.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import random
import time
import unicodedata
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import plotly.graph_objects as go
import polars as pl
import pytest
from PIL import Image
from pypdf import PdfReader

from dashboard import cli, db
from dashboard.export import (
    ChromiumUnavailable,
    ExportContext,
    ReportSection,
    figure_bytes,
    figure_html,
    report_pdf,
    table_csv,
    table_xlsx,
    with_context,
)
from dashboard.export import render as export_render
from dashboard.export.tables import EXCEL_MAX_DATA_ROWS, neutralise_formulas
from queries import schema

FILTER_WORDS = "Jan–Mar 2025 · SMB, Enterprise · Hà Nội · all channels"
AS_OF = dt.datetime(2025, 3, 31, 17, 5, tzinfo=dt.UTC)
CONTEXT = ExportContext(title="Funnel conversion by step", filters_words=FILTER_WORDS, as_of=AS_OF)
INJECTIONS = [
    "=1+1",
    "+1",
    "-1+1",
    "@SUM(1)",
    "\t=1+1",
    "\r=1+1",
    '=HYPERLINK("http://x.example","y")',
]
VIETNAMESE = "Giao hàng nhanh, nhân viên thân thiện — rất hài lòng"


# -- helpers -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def chromium() -> None:
    """Chromium for static export: required under CI, else skipped with the fix."""
    if export_render.chromium_available():
        return
    message = "no Chromium for kaleido: `apt-get install chromium` or set BROWSER_PATH"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def bar_figure(title: str = "Funnel conversion") -> go.Figure:
    fig = go.Figure(go.Bar(x=["Visit", "Signup", "Cart", "Purchase"], y=[1000, 600, 300, 120]))
    fig.update_layout(title_text=title, xaxis_title="Step", yaxis_title="Customers")
    return fig


def pdf_text(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def squashed(text: str) -> str:
    """Text without whitespace, NFC: PDF extraction splits Vietnamese letters with spaces."""
    return "".join(unicodedata.normalize("NFC", text).split())


def tricky_frame() -> pl.DataFrame:
    texts = [*INJECTIONS, VIETNAMESE, "-5", "plain", None]
    n = len(texts)
    return pl.DataFrame(
        {
            "comment": texts,
            "delta": [-5, 3, 0, -1, 7, 2, 1, -5, 4, 8, None],
            "nps": [-12.5, 30.0, 0.0, 99.9, -100.0, 1.25, 2.5, 3.75, None, 0.001, 50.0],
            "responded_at": [dt.datetime(2025, 1, 1 + i, 8, 30) for i in range(n)],
            "significant": [True, False, None, True, False, True, False, True, False, True, None],
        }
    )


# -- charts --------------------------------------------------------------------------------


def test_png_has_requested_size_and_is_not_blank(chromium):
    png = figure_bytes(bar_figure(), "png", context=CONTEXT, width=800, height=450)
    image = Image.open(io.BytesIO(png))
    image.load()
    assert image.format == "PNG"
    assert image.size == (1600, 900)  # scale 2 by default
    colours = image.convert("RGB").getcolors(maxcolors=1_000_000)
    assert colours is not None and len(colours) > 50  # bars, text, antialiasing
    most_common_share = max(count for count, _ in colours) / (1600 * 900)
    assert most_common_share < 0.95


def test_svg_parses_and_carries_title_filters_and_source(chromium):
    svg = figure_bytes(bar_figure(), "svg", context=CONTEXT)
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    text = " ".join(t for t in root.itertext())
    assert "Funnel conversion by step" in text
    assert "Hà Nội" in text
    assert "Source: CX Insights" in text
    assert "2025-03-31 17:05 UTC" in text


def test_pdf_is_one_page_with_the_filters_in_words(chromium):
    pdf = figure_bytes(bar_figure(), "pdf", context=CONTEXT)
    pages = pdf_text(pdf)
    assert len(pages) == 1
    assert squashed(FILTER_WORDS) in squashed(pages[0])
    assert "Funnel conversion by step" in pages[0]


def test_one_browser_session_for_many_charts_and_a_warm_chart_is_fast(chromium):
    figure_bytes(bar_figure(), "svg")  # make sure the session is up
    session = export_render.render_session()
    before = session.renders
    started = time.perf_counter()
    for fmt in ("png", "svg", "pdf"):
        figure_bytes(bar_figure(f"Chart {fmt}"), fmt, context=CONTEXT)
    per_chart = (time.perf_counter() - started) / 3
    assert export_render.render_session() is session
    assert session.renders == before + 3
    assert per_chart < 3.0, f"a chart took {per_chart:.1f} s in a warm session"


def test_reusing_the_page_between_renders_gives_the_same_bytes(chromium, monkeypatch):
    # The session reloads kaleido's page only every RELOAD_EVERY renders; outputs must
    # not depend on what was drawn before or on whether a reload happened in between.
    monkeypatch.setattr(export_render, "RELOAD_EVERY", 3)
    heat = go.Figure(go.Heatmap(z=[[1, None], [3, 4]], x=["SMB", "VIP"], y=["A", "B"]))
    pngs = []
    for _ in range(4):
        pngs.append(figure_bytes(bar_figure(), "png", width=400, height=300))
        figure_bytes(heat, "svg", width=400, height=300)
    assert len(set(pngs)) == 1


def test_context_goes_on_a_copy():
    fig = bar_figure()
    stamped = with_context(fig, CONTEXT, width=1000, height=600)
    assert fig.layout.width is None and not fig.layout.annotations
    assert stamped.layout.width == 1000
    assert stamped.layout.title.text == "Funnel conversion by step"
    footnote = stamped.layout.annotations[-1].text
    assert "Filters: Jan–Mar 2025" in footnote and "Source: CX Insights" in footnote


def test_context_text_is_escaped_for_plotly():
    context = ExportContext(title="A <b>bold</b> claim", filters_words="segment <script>")
    stamped = with_context(bar_figure(), context)
    assert "&lt;script&gt;" in stamped.layout.annotations[-1].text
    assert stamped.layout.title.text == "A &lt;b&gt;bold&lt;/b&gt; claim"


def test_unknown_chart_format_is_a_clear_error():
    with pytest.raises(ValueError, match="png, svg, pdf"):
        figure_bytes(bar_figure(), "gif")


# -- no Chromium ---------------------------------------------------------------------------


def test_missing_browser_fails_fast_with_the_fix(monkeypatch, tmp_path):
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-such-chromium"))
    started = time.perf_counter()
    with pytest.raises(ChromiumUnavailable) as caught:
        figure_bytes(bar_figure(), "png", context=CONTEXT)
    assert time.perf_counter() - started < 1.0
    message = str(caught.value)
    assert "apt-get install chromium" in message and "BROWSER_PATH" in message
    assert "no-such-chromium" in message and "HTML" in message
    with pytest.raises(ChromiumUnavailable):
        report_pdf([], title="t", filters_words="f", period_words="p")


def test_no_browser_anywhere_is_reported(monkeypatch, tmp_path):
    monkeypatch.delenv("BROWSER_PATH", raising=False)
    monkeypatch.setattr(export_render, "DEBIAN_CHROMIUM", tmp_path / "chromium")
    monkeypatch.setenv("PATH", str(tmp_path))
    assert not export_render.chromium_available()
    with pytest.raises(ChromiumUnavailable, match="apt-get install chromium"):
        export_render.find_chromium()


def test_html_fallback_is_self_contained_and_interactive(monkeypatch, tmp_path):
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-such-chromium"))
    page = figure_html(bar_figure(), CONTEXT).decode("utf-8")
    assert page.lstrip().lower().startswith("<!doctype html>")
    assert "<title>Funnel conversion by step</title>" in page
    assert "Plotly.newPlot" in page
    assert 'src="https://cdn.plot.ly' not in page and len(page) > 1_000_000  # plotly.js inlined
    assert "Hà Nội" in page and "Source: CX Insights" in page


# -- tables ----------------------------------------------------------------------------------


def test_csv_has_bom_round_trips_and_neutralises_formulas():
    frame = tricky_frame()
    data = table_csv(frame)
    assert data.startswith(b"\xef\xbb\xbf")
    back = pl.read_csv(io.BytesIO(data), try_parse_dates=True)
    assert back.columns == frame.columns
    assert back["delta"].dtype == pl.Int64 and back["delta"].to_list() == frame["delta"].to_list()
    assert back["nps"].to_list() == frame["nps"].to_list()
    assert back["responded_at"].to_list() == frame["responded_at"].to_list()
    comments = back["comment"].to_list()
    for original, written in zip(INJECTIONS, comments, strict=False):
        assert written == "'" + original
    assert VIETNAMESE in comments and "plain" in comments
    assert "'-5" in comments  # text that looks like a number is still text


def test_xlsx_round_trips_typed_with_formulas_neutralised():
    frame = tricky_frame()
    data = table_xlsx(frame, sheet="Feedback", context=CONTEXT)
    back = pl.read_excel(io.BytesIO(data), sheet_name="Feedback")
    assert back.columns == frame.columns
    assert back["delta"].dtype.is_integer() and back["delta"].to_list() == frame["delta"].to_list()
    assert back["delta"][0] == -5
    assert back["nps"].to_list() == frame["nps"].to_list()
    assert (
        back["responded_at"].dt.replace_time_zone(None).to_list() == frame["responded_at"].to_list()
    )
    assert back["significant"].to_list() == frame["significant"].to_list()
    comments = back["comment"].to_list()
    assert comments[: len(INJECTIONS)] == ["'" + text for text in INJECTIONS]
    assert VIETNAMESE in comments
    with zipfile.ZipFile(io.BytesIO(data)) as xlsx:
        sheet = xlsx.read("xl/worksheets/sheet1.xml").decode()
        strings = xlsx.read("xl/sharedStrings.xml").decode()
        about = xlsx.read("xl/worksheets/sheet2.xml").decode()
    assert "<f>" not in sheet and "<f " not in sheet  # no formula cells at all
    assert 'state="frozen"' in sheet and 'ySplit="1"' in sheet  # header row frozen
    assert 'customWidth="1"' in sheet
    assert "Hà Nội" in strings and "2025-03-31 17:05 UTC" in strings  # the About sheet
    assert "<v>" in about


def test_xlsx_about_sheet_states_the_context():
    data = table_xlsx(pl.DataFrame({"x": [1]}), sheet="KPIs", context=CONTEXT)
    about = pl.read_excel(io.BytesIO(data), sheet_name="About", has_header=False)
    values = dict(zip(about[:, 0].to_list(), about[:, 1].to_list(), strict=True))
    assert values["Filters"] == FILTER_WORDS
    assert values["Source"] == "CX Insights"


def test_formula_injection_in_headers_and_non_string_text_columns():
    frame = pl.DataFrame(
        {
            "=cmd": ["ok"],
            "cat": pl.Series(["=1+1"], dtype=pl.Categorical),
            "tags": [["@a", "b"]],
        }
    )
    safe = neutralise_formulas(frame)
    assert safe.columns == ["'=cmd", "cat", "tags"]
    assert safe["cat"].to_list() == ["'=1+1"]
    assert safe["tags"].to_list() == ["'@a, b"]


def test_too_many_rows_for_excel_is_a_clear_error():
    frame = pl.DataFrame({"n": pl.int_range(EXCEL_MAX_DATA_ROWS + 1, eager=True)})
    with pytest.raises(ValueError, match=r"1,048,576 rows.*at most 1,048,575.*CSV"):
        table_xlsx(frame)
    assert table_csv(frame.head(3)).startswith(b"\xef\xbb\xbf")  # CSV still exports


def test_a_table_at_the_limit_is_accepted():
    from dashboard.export.tables import check_excel_limits

    check_excel_limits(pl.DataFrame({"n": pl.int_range(EXCEL_MAX_DATA_ROWS, eager=True)}))


# -- report pack -----------------------------------------------------------------------------


def test_report_pdf_cover_kpis_one_chart_per_page_and_page_numbers(chromium):
    kpis = pl.DataFrame(
        {
            "metric": ["NPS", "CSAT (% 4–5)", "Revenue (VND)"],
            "value": [32.5, 81.2, 123_456_789.0],
            "previous": [30.1, 80.0, 100_000_000.0],
            "delta": [2.4, 1.2, 23_456_789.0],
            "p": [0.04, 0.3, None],
            "significant": ["up", None, None],
        }
    )
    heat = go.Figure(go.Heatmap(z=[[1, 2], [3, 4]], x=["SMB", "Enterprise"], y=["A", "B"]))
    heat.update_layout(title_text="NPS by touchpoint")
    sections = [
        ReportSection(bar_figure(), "Step conversion from visit to purchase."),
        ReportSection(heat, "Cells marked ▲/▼ differ significantly.", title="Heatmap page"),
    ]
    pdf = report_pdf(
        sections,
        title="Overview report",
        filters_words=FILTER_WORDS,
        period_words="Jan–Mar 2025",
        kpi_table=kpis,
        as_of=AS_OF,
        generated_at=dt.datetime(2025, 4, 1, 6, 0, tzinfo=dt.UTC),
    )
    pages = pdf_text(pdf)
    assert len(pages) == 4
    cover = pages[0]
    for expected in ("Overview report", "Period: Jan–Mar 2025", "Generated 2025-04-01 06:00 UTC",
                     "Data as of 2025-03-31 17:05 UTC", "Source: CX Insights"):  # fmt: skip
        assert expected in cover
    assert squashed(FILTER_WORDS) in squashed(cover)
    assert "+23,456,789.0" in pages[1] and "Significant" in pages[1] and "up" in pages[1]
    assert "Funnel conversion" in pages[2] and "Step conversion from visit" in pages[2]
    assert "Heatmap page" in pages[3] and "differ significantly" in pages[3]
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of 4" in text


# -- CLI on a small store -----------------------------------------------------------------------


def build_tiny_store(engine) -> None:
    """120 customers, their funnel events and 360 responses over Jan-Jun 2025."""
    rnd = random.Random(7)
    start = dt.datetime(2025, 1, 1)
    customers = pl.DataFrame(
        {
            "customer_id": [f"C{i:03d}" for i in range(120)],
            "segment": ["SMB" if i % 2 else "Enterprise" for i in range(120)],
            "region": ["Hà Nội" if (i // 2) % 2 else "TP. Hồ Chí Minh" for i in range(120)],
            "channel": ["Zalo" if i % 3 == 0 else "Website" for i in range(120)],
            "signup_at": [start - dt.timedelta(days=30)] * 120,
        }
    )
    events = []
    for i in range(120):
        t = start + dt.timedelta(days=rnd.randrange(0, 170), hours=rnd.randrange(24))
        for k, stage in enumerate(("visit", "signup", "cart", "purchase")):
            if k and rnd.random() > 0.7:
                break
            t += dt.timedelta(hours=rnd.randrange(1, 48))
            amount = 250_000.0 * (1 + i % 4) if stage == "purchase" else None
            events.append({"event_id": f"E{i}-{k}", "customer_id": f"C{i:03d}", "stage": stage,
                           "occurred_at": t, "amount": amount})  # fmt: skip
    comments = [VIETNAMESE, "=1+1", "-1+1 dở", "@SUM(1)", None]
    feedback = [
        {
            "response_id": f"R{r:04d}",
            "responded_at": start + dt.timedelta(days=rnd.randrange(0, 180), minutes=r),
            "touchpoint": ("Checkout", "Delivery", "Support")[r % 3],
            "customer_id": f"C{rnd.randrange(120):03d}",
            "nps": rnd.randrange(0, 11),
            "csat": rnd.randrange(1, 6),
            "ces": rnd.randrange(1, 8),
            "comment": comments[r % len(comments)],
        }
        for r in range(360)
    ]
    with db.begin(engine) as conn:
        db.upsert_frame(conn, schema.customers, customers)
        db.upsert_frame(conn, schema.events, pl.DataFrame(events))
        db.upsert_frame(conn, schema.feedback, pl.DataFrame(feedback))
        db.upsert_frame(
            conn,
            schema.stages,
            pl.DataFrame(
                {"stage": ["visit", "signup", "cart", "purchase"], "position": [1, 2, 3, 4]}
            ),
        )
        db.upsert_frame(
            conn,
            schema.touchpoints,
            pl.DataFrame(
                {
                    "touchpoint": ["Checkout", "Delivery", "Support"],
                    "target_nps": [30.0, 20.0, None],
                    "target_csat": [80.0, 75.0, None],
                }
            ),  # fmt: skip
        )


@pytest.fixture(scope="module")
def store_env(tmp_path_factory) -> str:
    """A small DuckDB store, closed again so the CLI can open it."""
    path = tmp_path_factory.mktemp("export") / "store.duckdb"
    url = f"duckdb:///{path}"
    engine = db.create_engine(url, external_access=True)
    db.create_schema(engine)
    build_tiny_store(engine)
    engine.dispose()
    return url


@pytest.fixture
def cxdash(store_env, monkeypatch, capsys):
    monkeypatch.setenv("CXDASH_DATABASE_URL", store_env)

    def run(*argv: str) -> tuple[int, str]:
        code = cli.main(list(argv))
        return code, capsys.readouterr().err

    return run


FILTERS = ("--from", "2025-01-01", "--to", "2025-06-30")


def test_cli_report_overview(chromium, cxdash, tmp_path):
    out = tmp_path / "overview.pdf"
    code, err = cxdash("export", "report", "--page", "overview", *FILTERS, "--segment", "SMB",
                       "--out", str(out))  # fmt: skip
    assert code == 0, err
    pages = pdf_text(out.read_bytes())
    # cover, KPI table, then NPS trend, NPS mix, what moved (touchpoints, segments)
    assert len(pages) == 6
    assert "CX Insights — Overview" in pages[0]
    assert "Period: Jan–Jun 2025" in pages[0]
    assert "SMB" in pages[0] and "Data as of 2025-06-" in pages[0]
    assert "NPS" in pages[1] and "Previous" in pages[1]
    titles = ("NPS by month", "Promoters, passives and detractors", "Touchpoints: NPS change",
              "Segments: NPS change")  # fmt: skip
    for page, title in zip(pages[2:], titles, strict=True):
        assert title in page
        assert sum(t in page for t in titles) == 1  # one chart per page
    assert all(f"Page {i} of 6" in text for i, text in enumerate(pages, start=1))


@pytest.fixture(scope="module")
def small_demo(tmp_path_factory) -> str:
    """The small demo database of the generator (2,000 customers, two years)."""
    from data.generator import generate

    url = f"duckdb:///{tmp_path_factory.mktemp('demo') / 'demo.duckdb'}"
    engine = db.create_engine(url, external_access=True)
    generate(engine, scale="small")
    engine.dispose()
    return url


def test_cli_report_funnel_on_the_small_demo_database(chromium, small_demo, monkeypatch, capsys,
                                                      tmp_path):  # fmt: skip
    monkeypatch.setenv("CXDASH_DATABASE_URL", small_demo)
    out = tmp_path / "funnel.pdf"
    code = cli.main(["export", "report", "--page", "funnel", "--by", "segment", "--metric",
                     "csat", "--out", str(out)])  # fmt: skip
    assert code == 0, capsys.readouterr().err
    pages = pdf_text(out.read_bytes())
    # cover, KPIs, funnel, funnel by segment, heatmap, funnel x satisfaction
    assert len(pages) == 6
    cover = pages[0]
    assert "CX Insights — Funnel & touchpoints" in cover
    assert "Period: " in cover and "all segments · all regions" in cover
    assert "Generated " in cover and "Data as of " in cover
    assert "Customers" in pages[1] and "Delta" in pages[1]
    titles = ("Customers reaching each funnel step", "Overall conversion by step, per segment",
              "CSAT by touchpoint and segment",
              "CSAT of customers who converted vs dropped")  # fmt: skip
    for page, title in zip(pages[2:], titles, strict=True):
        assert title in page
        assert sum(t in page for t in titles) == 1  # one chart per page
    assert "customers entering" in pages[2] and "largest drop-off" in pages[2]
    assert "Benjamini" in pages[4]
    assert "The clearest gap: at → " in pages[5]  # (its numbers: tests/export/test_why_reports)
    assert all(f"Page {i} of 6" in text for i, text in enumerate(pages, start=1))


@pytest.mark.parametrize("fmt", ["png", "svg", "pdf"])
def test_cli_chart(chromium, cxdash, tmp_path, fmt):
    out = tmp_path / f"heatmap.{fmt}"
    code, err = cxdash("export", "chart", "heatmap", "--metric", "csat", "--by", "segment",
                       *FILTERS, "--out", str(out))  # fmt: skip
    assert code == 0, err
    data = out.read_bytes()
    if fmt == "png":
        assert Image.open(io.BytesIO(data)).size == (2400, 1350)
    elif fmt == "svg":
        text = " ".join(ET.fromstring(data).itertext())
        assert "CSAT by touchpoint and segment" in text and "all regions" in text
    else:
        assert "Source: CX Insights" in pdf_text(data)[0]


def test_cli_chart_kpis_and_nps_trend(chromium, cxdash, tmp_path):
    for chart, title in (("kpis", "Key figures"), ("nps-trend", "NPS by week")):
        out = tmp_path / f"{chart}.svg"
        code, err = cxdash("export", "chart", chart, "--grain", "week", *FILTERS, "--out", str(out))
        assert code == 0, err
        assert title in " ".join(ET.fromstring(out.read_bytes()).itertext())


def test_cli_chart_without_browser_says_how_and_html_works(cxdash, tmp_path, monkeypatch):
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "missing"))
    code, err = cxdash("export", "chart", "funnel", *FILTERS, "--out", str(tmp_path / "f.png"))
    assert code == 2
    assert "apt-get install chromium" in err and "--format html" in err
    assert not (tmp_path / "f.png").exists()
    code, err = cxdash("export", "chart", "funnel", *FILTERS, "--out", str(tmp_path / "f.html"))
    assert code == 0, err
    assert "Customers reaching each funnel step" in (tmp_path / "f.html").read_text()
    code, err = cxdash("export", "report", *FILTERS, "--out", str(tmp_path / "r.pdf"))
    assert code == 2 and "BROWSER_PATH" in err
    code, err = cxdash("export", "table", "funnel", *FILTERS, "--out", str(tmp_path / "f.csv"))
    assert code == 0, err  # tables need no browser


def test_cli_tables(cxdash, tmp_path):
    out = tmp_path / "feedback.xlsx"
    code, err = cxdash("export", "table", "feedback", *FILTERS, "--out", str(out))
    assert code == 0, err
    back = pl.read_excel(out, sheet_name="Feedback")
    assert back.height == 288  # every response with a comment (4 in 5), not a page of them
    comments = set(back["comment"].drop_nulls().to_list())
    assert VIETNAMESE in comments and "'=1+1" in comments and "'@SUM(1)" in comments
    assert "=1+1" not in comments and back["nps"].dtype.is_integer()

    out = tmp_path / "segments.csv"
    code, err = cxdash("export", "table", "segments", "--by", "region", *FILTERS, "--out", str(out))
    assert code == 0, err
    segments = pl.read_csv(out)
    assert set(segments["region"]) == {"Hà Nội", "TP. Hồ Chí Minh"}
    assert segments["customers"].sum() == 120

    for table in ("heatmap", "funnel"):
        out = tmp_path / f"{table}.xlsx"
        code, err = cxdash("export", "table", table, *FILTERS, "--out", str(out))
        assert code == 0, err
        assert pl.read_excel(out).height > 0


def test_cli_rejects_an_unknown_format(cxdash, tmp_path):
    code, err = cxdash("export", "table", "funnel", "--out", str(tmp_path / "f.txt"))
    assert code == 2 and "--format csv|xlsx" in err


def test_paths_in_report_are_written_as_given(cxdash, tmp_path):
    code, err = cxdash("export", "table", "funnel", "--out", str(tmp_path / "nope" / "f.csv"))
    assert code == 2 and "does not exist" in err
    assert not Path(tmp_path / "nope").exists()
